"""Market administration over REST: reference prices and bands, listing and delisting,
account limits, share deposits and ending the day, as an admin would do them."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from .test_http_harness import Harness, bearer, running_app

_ids = itertools.count(1)


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


@pytest.fixture
async def trader(h: Harness) -> dict[str, str]:
    user_id = await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    headers = bearer(tokens["sessionToken"]) | {"X-Trading-Token": tokens["tradingToken"]}
    return {"user_id": user_id, **headers}


@pytest.fixture
async def admin(h: Harness) -> dict[str, str]:
    return bearer((await h.make_admin("root@example.com"))["sessionToken"])


async def _order(h: Harness, trader: dict[str, str], **fields: Any) -> Any:
    body = {
        "clientOrderId": f"o-{next(_ids)}",
        "symbol": "AAPL",
        "side": "buy",
        "type": "limit",
        "quantity": 1,
    } | fields
    headers = {k: v for k, v in trader.items() if k != "user_id"}
    return await h.client.post("/api/trading/orders", json=body, headers=headers)


async def test_a_2012_aapl_order_trades_once_the_reference_price_is_moved(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    refused = await _order(h, trader, price="585.00", clientOrderId="aapl-2012")
    assert refused.status_code == 422 and refused.json()["code"] == 106  # outside the band

    path = "/api/admin/symbols/aapl/reference-price"
    moved = await h.client.put(
        path, json={"referencePrice": "585.00", "priceBandBps": 1000}, headers=admin
    )
    assert moved.status_code == 200
    assert moved.json() | {"lastPrice": None} == moved.json() | {
        "symbol": "AAPL",
        "referencePrice": "585.00",
        "priceBandBps": 1000,
        "bandLow": "526.50",
        "bandHigh": "643.50",
        "lastPrice": None,
    }
    placed = await _order(h, trader, price="585.00", clientOrderId="aapl-2012")
    assert placed.status_code == 201

    off_tick = await h.client.put(path, json={"referencePrice": "585.005"}, headers=admin)
    assert off_tick.status_code == 422
    unknown = await h.client.put(
        "/api/admin/symbols/NOPE/reference-price", json={"referencePrice": "1.00"}, headers=admin
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == 100


async def test_admin_lists_then_delists_a_symbol_cancelling_its_orders(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    listing = {
        "symbol": "IBM",
        "name": "International Business Machines",
        "referencePrice": "190.00",
        "sharesOutstanding": 920_000_000,
    }
    listed = await h.client.post("/api/admin/symbols", json=listing, headers=admin)
    assert listed.status_code == 201
    assert listed.json()["status"] == "trading" and listed.json()["tickSize"] == "0.01"
    again = await h.client.post("/api/admin/symbols", json=listing, headers=admin)
    assert again.status_code == 409 and again.json()["code"] == 400
    symbols = (await h.client.get("/api/market-data/symbols")).json()["symbols"]
    assert "IBM" in [s["symbol"] for s in symbols]

    resting = await _order(h, trader, symbol="IBM", price="189.00", clientOrderId="ibm-1")
    assert resting.status_code == 201
    order_id = resting.json()["order"]["orderId"]

    delisted = await h.client.delete("/api/admin/symbols/IBM", headers=admin)
    assert delisted.status_code == 200
    assert delisted.json() == {"symbol": "IBM", "cancelledOrders": 1}
    headers = {k: v for k, v in trader.items() if k != "user_id"}
    order = await h.client.get(f"/api/trading/orders/{order_id}", headers=headers)
    assert order.json()["status"] == "cancelled"
    assert (await h.client.get("/api/market-data/ticker/IBM")).status_code == 404
    account = (await h.client.get("/api/account", headers=headers)).json()
    assert account["cashHeldCents"] == 0
    gone = await h.client.delete("/api/admin/symbols/IBM", headers=admin)
    assert gone.status_code == 404 and gone.json()["code"] == 100


async def test_admin_sets_account_limits(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    limits = {
        "maxOrderQuantity": 5,
        "maxNotionalCents": 10_000_000,
        "maxOpenOrders": 10,
        "maxOrdersPerDay": 100,
    }
    path = f"/api/admin/accounts/{trader['user_id']}/limits"
    answer = await h.client.put(path, json=limits, headers=admin)
    assert answer.status_code == 200
    assert answer.json() == {"userId": trader["user_id"], **limits}
    too_big = await _order(h, trader, price="234.00", quantity=6, clientOrderId="big")
    assert too_big.status_code == 422 and too_big.json()["code"] == 203
    assert (await _order(h, trader, price="234.00", quantity=5)).status_code == 201
    nobody = await h.client.put("/api/admin/accounts/nobody/limits", json=limits, headers=admin)
    assert nobody.status_code == 404
    zero = await h.client.put(path, json=limits | {"maxOpenOrders": 0}, headers=admin)
    assert zero.status_code == 422


async def test_admin_deposits_shares_the_trader_can_sell(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    path = f"/api/admin/accounts/{trader['user_id']}/shares"
    answer = await h.client.post(path, json={"symbol": "aapl", "shares": 50}, headers=admin)
    assert answer.status_code == 200
    assert answer.json() == {"userId": trader["user_id"], "symbol": "AAPL", "shares": 50}
    sold = await _order(h, trader, side="sell", price="240.00", quantity=50)
    assert sold.status_code == 201
    unknown = await h.client.post(path, json={"symbol": "NOPE", "shares": 1}, headers=admin)
    assert unknown.status_code == 404


async def test_admin_ends_the_day_expiring_day_orders_and_keeping_gtc(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    day = await _order(h, trader, price="230.00", timeInForce="day", clientOrderId="d")
    gtc = await _order(h, trader, price="229.00", timeInForce="gtc", clientOrderId="g")
    ended = await h.client.post("/api/admin/end-of-day", headers=admin)
    assert ended.status_code == 200
    assert ended.json()["expiredOrders"] == 1
    assert ended.json()["closingPrices"]["AAPL"] == "234.50"
    headers = {k: v for k, v in trader.items() if k != "user_id"}
    for placed, status in ((day, "expired"), (gtc, "new")):
        order_id = placed.json()["order"]["orderId"]
        current = await h.client.get(f"/api/trading/orders/{order_id}", headers=headers)
        assert current.json()["status"] == status


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/admin/symbols", {"symbol": "X", "name": "X", "referencePrice": "1.00"}),
        ("PUT", "/api/admin/symbols/AAPL/reference-price", {"referencePrice": "1.00"}),
        ("DELETE", "/api/admin/symbols/AAPL", None),
        ("POST", "/api/admin/end-of-day", None),
    ],
)
async def test_traders_cannot_administer_the_market(
    h: Harness, trader: dict[str, str], method: str, path: str, body: object
) -> None:
    headers = {k: v for k, v in trader.items() if k != "user_id"}
    response = await h.client.request(method, path, json=body, headers=headers)
    assert response.status_code == 403
