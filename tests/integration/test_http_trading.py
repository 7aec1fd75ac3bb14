"""REST trading over the real platform: order entry, amend, cancel, history, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aurex.core.commands import AddSymbol
from aurex.gateways.http.rate_limit import TradingLimits, TradingRateLimiter

from .test_http_harness import Harness, running_app
from .trading_helpers import Trader, trader


async def _pair(h: Harness) -> tuple[Trader, Trader]:
    seller = await trader(h, "sam@example.com", {"AAPL": 1_000})
    buyer = await trader(h, "bea@example.com")
    return seller, buyer


async def test_limit_order_rests_and_reads_back(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, _ = await _pair(h)
        placed = await seller.placed(side="sell", quantity=10, price="234.50", clientOrderId="s1")
        order = placed["order"]
        assert placed["fills"] == []
        assert (order["status"], order["leavesQuantity"], order["price"]) == ("new", 10, "234.50")
        got = await seller.get(f"/api/trading/orders/{order['orderId']}")
        assert got.status_code == 200 and got.json() == order
        assert [o["orderId"] for o in await seller.open_orders()] == [order["orderId"]]
        depth = (await h.client.get("/api/market-data/depth/AAPL")).json()
        assert depth["asks"] == [{"price": "234.50", "quantity": 10}]


@pytest.mark.parametrize(
    ("fields", "status", "filled", "reason"),
    [
        ({"type": "market"}, "filled", 5, None),
        (
            {"type": "limit", "price": "234.50", "timeInForce": "ioc", "quantity": 8},
            "cancelled",
            5,
            "ioc_remainder",
        ),
        (
            {"type": "limit", "price": "234.50", "timeInForce": "fok", "quantity": 8},
            "cancelled",
            0,
            "fok_not_fillable",
        ),
        (
            {"type": "limit", "price": "234.50", "timeInForce": "gtc", "quantity": 8},
            "partially_filled",
            5,
            None,
        ),
        ({"type": "limit", "price": "230.00", "timeInForce": "day"}, "new", 0, None),
        ({"type": "stop", "stopPrice": "240.00"}, "pending_trigger", 0, None),
        (
            {"type": "stop_limit", "stopPrice": "240.00", "price": "241.00"},
            "pending_trigger",
            0,
            None,
        ),
    ],
)
async def test_every_order_type_and_time_in_force(
    tmp_path: Path, fields: dict[str, Any], status: str, filled: int, reason: str | None
) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        await seller.placed(side="sell", quantity=5, price="234.50")
        placed = await buyer.placed(side="buy", **{"quantity": 5, **fields})
        order = placed["order"]
        assert (order["status"], order["filledQuantity"], order["cancelReason"]) == (
            status,
            filled,
            reason,
        )
        assert order["type"] == fields["type"]
        assert order["timeInForce"] == fields.get(
            "timeInForce", "ioc" if fields["type"] == "market" else "gtc"
        )
        assert sum(f["quantity"] for f in placed["fills"]) == filled
        for fill in placed["fills"]:
            assert (fill["price"], fill["liquidity"], fill["side"]) == ("234.50", "taker", "buy")


async def test_post_only_that_would_cross_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        await seller.placed(side="sell", quantity=5, price="234.50")
        before = await buyer.cash()
        refused = await buyer.place(quantity=5, price="234.50", postOnly=True)
        assert refused.status_code == 422
        assert refused.json()["code"] == 108
        assert await buyer.open_orders() == []
        assert await buyer.cash() == before
        rests = await buyer.placed(quantity=5, price="234.00", postOnly=True)
        assert rests["order"]["postOnly"] is True and rests["order"]["status"] == "new"


@pytest.mark.parametrize(
    ("mode", "new_status", "resting_status"),
    [
        ("cancel_newest", "cancelled", "new"),
        ("cancel_oldest", "new", "cancelled"),
        ("cancel_both", "cancelled", "cancelled"),
    ],
)
async def test_self_trade_prevention_modes(
    tmp_path: Path, mode: str, new_status: str, resting_status: str
) -> None:
    async with running_app(tmp_path) as h:
        me = await trader(h, "me@example.com", {"AAPL": 100})
        resting = (await me.placed(side="sell", quantity=5, price="234.50"))["order"]
        placed = await me.placed(quantity=5, price="234.50", selfTradePrevention=mode)
        assert placed["fills"] == []
        assert placed["order"]["status"] == new_status
        after = (await me.get(f"/api/trading/orders/{resting['orderId']}")).json()
        assert after["status"] == resting_status
        if resting_status == "cancelled":
            assert after["cancelReason"] == "self_trade"


async def test_repeated_client_order_id_returns_the_same_order(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, _ = await _pair(h)
        body = {"side": "sell", "quantity": 5, "price": "235.00", "clientOrderId": "retry-1"}
        first = await seller.place(**body)
        again = await seller.place(**body)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["order"] == first.json()["order"]
        assert len(await seller.open_orders()) == 1
        listed = await seller.get("/api/trading/orders", clientOrderId="retry-1", status="open")
        assert [o["orderId"] for o in listed.json()["orders"]] == [first.json()["order"]["orderId"]]


async def test_amend_keeps_priority_only_when_reducing(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        first = (await seller.placed(side="sell", quantity=10, price="234.50"))["order"]
        second = (await seller.placed(side="sell", quantity=10, price="234.50"))["order"]
        path = f"/api/trading/orders/{first['orderId']}"
        reduced = await h.client.patch(path, json={"quantity": 6}, headers=seller.headers)
        assert reduced.status_code == 200, reduced.text
        assert reduced.json()["order"]["leavesQuantity"] == 6
        await buyer.placed(type="market", quantity=1)
        assert await _filled(seller, first, second) == (1, 0)  # still first in the queue
        grown = await h.client.patch(path, json={"quantity": 20}, headers=seller.headers)
        assert grown.status_code == 200 and grown.json()["order"]["leavesQuantity"] == 19
        await buyer.placed(type="market", quantity=1)
        assert await _filled(seller, first, second) == (1, 1)  # lost its place
        moved = await h.client.patch(
            f"/api/trading/orders/{second['orderId']}",
            json={"price": "236.00"},
            headers=seller.headers,
        )
        assert moved.status_code == 200  # no bids: rests at the new price
        assert moved.json()["order"]["price"] == "236.00"
        nothing = await h.client.patch(path, json={}, headers=seller.headers)
        assert nothing.status_code == 422 and nothing.json()["code"] == 2001


async def _filled(owner: Trader, *orders: dict[str, Any]) -> tuple[int, ...]:
    states = [(await owner.get(f"/api/trading/orders/{o['orderId']}")).json() for o in orders]
    return tuple(s["filledQuantity"] for s in states)


async def test_amend_that_crosses_trades_and_reports_fills(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        await buyer.placed(quantity=4, price="230.00")
        ask = (await seller.placed(side="sell", quantity=10, price="235.00"))["order"]
        moved = await h.client.patch(
            f"/api/trading/orders/{ask['orderId']}",
            json={"price": "230.00"},
            headers=seller.headers,
        )
        assert moved.status_code == 200, moved.text
        fills = moved.json()["fills"]
        assert [
            (f["quantity"], f["orderFilledQuantity"], f["orderLeavesQuantity"]) for f in fills
        ] == [(4, 4, 6)]


async def test_cancel_and_cancel_all(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, _ = await _pair(h)
        await h.submit(
            AddSymbol(symbol="ZZZ", name="Z", reference_price_ticks=1000, shares_outstanding=10**6)
        )
        one = (await seller.placed(side="sell", quantity=1, price="240.00"))["order"]
        path = f"/api/trading/orders/{one['orderId']}"
        cancelled = await h.client.delete(path, headers=seller.headers)
        assert cancelled.status_code == 200
        assert cancelled.json()["order"]["status"] == "cancelled"
        assert cancelled.json()["order"]["cancelReason"] == "user_requested"
        twice = await h.client.delete(path, headers=seller.headers)
        assert (twice.status_code, twice.json()["code"]) == (404, 300)
        for price in ("241.00", "242.00"):
            await seller.placed(side="sell", quantity=1, price=price)
        await seller.placed(symbol="ZZZ", quantity=1, price="9.00")
        some = await h.client.delete(
            "/api/trading/orders", params={"symbol": "AAPL"}, headers=seller.headers
        )
        assert some.status_code == 200
        assert {o["price"] for o in some.json()["cancelled"]} == {"241.00", "242.00"}
        assert [o["symbol"] for o in await seller.open_orders()] == ["ZZZ"]
        rest = await h.client.delete("/api/trading/orders", headers=seller.headers)
        assert [o["cancelReason"] for o in rest.json()["cancelled"]] == ["cancel_all"]
        assert await seller.open_orders() == []


async def test_fills_and_history_pages(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        placed = [
            (await seller.placed(side="sell", quantity=2, price=p))["order"]
            for p in ("234.00", "234.10", "234.20", "234.30", "234.40")
        ]
        await buyer.placed(type="market", quantity=10)

        async def all_fills() -> list[dict[str, Any]]:
            found, cursor = [], None
            while True:
                params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
                page = (await seller.get("/api/trading/fills", **params)).json()
                found += page["fills"]
                cursor = page["nextCursor"]
                if cursor is None:
                    return found

        fills = await all_fills()  # read your writes: no waiting for the projection
        assert [f["orderId"] for f in fills] == [o["orderId"] for o in reversed(placed)]
        assert all(f["liquidity"] == "maker" and f["side"] == "sell" for f in fills)

        async def order_pages() -> list[dict[str, Any]]:
            found, cursor = [], None
            while True:
                params = {"limit": 2, "status": "closed", **({"cursor": cursor} if cursor else {})}
                page = (await seller.get("/api/trading/orders", **params)).json()
                found += page["orders"]
                cursor = page["nextCursor"]
                if cursor is None:
                    return found

        orders = await order_pages()
        assert [o["orderId"] for o in orders] == [o["orderId"] for o in reversed(placed)]
        assert {o["status"] for o in orders} == {"filled"}
        bad = await seller.get("/api/trading/orders", cursor="nonsense", status="open")
        assert (bad.status_code, bad.json()["code"]) == (400, 2005)


async def test_open_order_pages_are_newest_first(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, _ = await _pair(h)
        ids = [
            (await seller.placed(side="sell", quantity=1, price="250.00"))["order"]["orderId"]
            for _ in range(5)
        ]
        seen, cursor = [], None
        while True:
            params = {"status": "open", "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = (await seller.get("/api/trading/orders", **params)).json()
            assert len(page["orders"]) <= 2
            seen += [o["orderId"] for o in page["orders"]]
            cursor = page["nextCursor"]
            if cursor is None:
                break
        assert seen == list(reversed(ids))
        everything = (await seller.get("/api/trading/orders", status="all")).json()
        assert [o["orderId"] for o in everything["orders"]] == list(reversed(ids))


async def test_unknown_symbol_and_unknown_order(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        nope = await buyer.place(symbol="NOPE", quantity=1, price="1.00")
        assert (nope.status_code, nope.json()["code"]) == (404, 100)
        mine = (await seller.placed(side="sell", quantity=1, price="250.00"))["order"]
        other = await buyer.get(f"/api/trading/orders/{mine['orderId']}")
        assert (other.status_code, other.json()["code"]) == (404, 2004)
        steal = await h.client.delete(
            f"/api/trading/orders/{mine['orderId']}", headers=buyer.headers
        )
        assert (steal.status_code, steal.json()["code"]) == (404, 300)
        assert len(await seller.open_orders()) == 1


async def test_order_entry_needs_the_sessions_trading_token(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller, buyer = await _pair(h)
        body = {
            "clientOrderId": "t",
            "symbol": "AAPL",
            "side": "buy",
            "type": "limit",
            "quantity": 1,
            "price": "1.00",
        }
        missing = await h.client.post("/api/trading/orders", json=body, headers=buyer.read_headers)
        assert (missing.status_code, missing.json()["code"]) == (401, 2006)
        foreign = await h.client.post(
            "/api/trading/orders",
            json=body,
            headers={**buyer.read_headers, "X-Trading-Token": seller.trading},
        )
        assert (foreign.status_code, foreign.json()["code"]) == (403, 1035)
        forged = await h.client.post(
            "/api/trading/orders",
            json=body,
            headers={**buyer.read_headers, "X-Trading-Token": "not-a-token"},
        )
        assert forged.status_code == 401
        async with h.client_from("10.0.0.7") as stranger:  # no login cookies
            anonymous = await stranger.get("/api/trading/orders")
        assert anonymous.status_code == 401
        assert "x-ratelimit-remaining" in anonymous.headers
        assert await buyer.open_orders() == []


@pytest.mark.parametrize(
    ("price", "code", "says"),
    [
        ("1.234", 2001, "at most two decimals"),
        ("-1", 2001, "at most two decimals"),
        ("abc", 2001, "at most two decimals"),
        ("0", 2001, "greater than 0"),
        (1.5, 2000, "valid string"),
    ],
)
async def test_malformed_prices_are_refused_precisely(
    tmp_path: Path, price: Any, code: int, says: str
) -> None:
    async with running_app(tmp_path) as h:
        _, buyer = await _pair(h)
        before = await buyer.cash()
        refused = await buyer.place(quantity=1, price=price)
        assert refused.status_code == 422
        assert refused.json()["code"] == code
        assert "price" in refused.json()["message"] and says in refused.json()["message"]
        assert await buyer.open_orders() == []
        assert await buyer.cash() == before


async def test_off_tick_price_is_refused_by_the_engine(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        _, buyer = await _pair(h)
        await h.submit(
            AddSymbol(
                symbol="TICK",
                name="Five-cent ticks",
                reference_price_ticks=1000,
                shares_outstanding=10**6,
                tick_size_ticks=5,
            )
        )
        refused = await buyer.place(symbol="TICK", quantity=1, price="10.03")
        assert (refused.status_code, refused.json()["code"]) == (422, 105)
        assert await buyer.open_orders() == []
        assert (await buyer.place(symbol="TICK", quantity=1, price="10.05")).status_code == 201


async def test_rate_limit_headers_and_429(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        _, buyer = await _pair(h)
        h.app.state.trading_limiter = TradingRateLimiter(
            h.auth.stores.counters, h.clock, TradingLimits(per_user=3, per_address=100)
        )
        seen = []
        for _ in range(3):
            response = await buyer.get("/api/trading/orders")
            assert response.status_code == 200
            seen.append(int(response.headers["x-ratelimit-remaining"]))
            assert response.headers["x-ratelimit-limit"] == "3"
            assert 1 <= int(response.headers["x-ratelimit-reset"]) <= 60
        assert seen == [2, 1, 0]
        limited = await buyer.place(quantity=1, price="1.00")
        assert (limited.status_code, limited.json()["code"]) == (429, 2020)
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["x-ratelimit-remaining"] == "0"
        h.clock.advance(61)
        assert await buyer.open_orders() == []  # the place above changed nothing
        # per address: another user from the same address shares its budget
        h.app.state.trading_limiter = TradingRateLimiter(
            h.auth.stores.counters, h.clock, TradingLimits(per_user=100, per_address=2)
        )
        h.clock.advance(61)
        other = await trader(h, "oz@example.com")
        assert (await buyer.get("/api/trading/orders")).status_code == 200
        assert (await other.get("/api/trading/orders")).status_code == 200
        assert (await other.get("/api/trading/orders")).status_code == 429
        async with h.client_from("10.0.0.9") as elsewhere:
            response = await elsewhere.get("/api/trading/orders", headers=other.read_headers)
            assert response.status_code == 200
