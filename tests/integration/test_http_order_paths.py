"""Order entry answers the same whichever way a request is sent: the order routes are
served without FastAPI's per-request machinery when the request is plain, and by
FastAPI otherwise (``hot_routes``); a client must not be able to tell."""

from __future__ import annotations

import json
from pathlib import Path

from .test_http_harness import running_app
from .trading_helpers import trader

ORDER = {
    "clientOrderId": "p1",
    "symbol": "AAPL",
    "side": "buy",
    "type": "limit",
    "quantity": 1,
    "price": "230.00",
}


async def test_error_precedence_syntax_then_authentication_then_fields(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        buyer = await trader(h, "pia@example.com")
        post = h.client.post
        broken = await post("/api/trading/orders", content=b"{", headers={**_json()})
        assert (broken.status_code, broken.json()["code"]) == (422, 2000)  # before any token
        async with h.client_from("10.0.0.7") as stranger:  # no login cookies
            anonymous = await stranger.post("/api/trading/orders", json=ORDER)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        bad_field = await post(
            "/api/trading/orders", json={**ORDER, "quantity": 0}, headers=buyer.headers
        )
        assert (bad_field.status_code, bad_field.json()["code"]) == (422, 2001)
        assert "quantity" in bad_field.json()["message"]
        assert "x-ratelimit-remaining" in bad_field.headers  # authenticated, and counted
        unknown = await post(
            "/api/trading/orders", json={**ORDER, "colour": "red"}, headers=buyer.headers
        )
        assert (unknown.status_code, unknown.json()["code"]) == (422, 2000)
        assert await buyer.open_orders() == []


async def test_content_types_and_paths_that_fastapi_serves_answer_alike(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        buyer = await trader(h, "quin@example.com")
        body = json.dumps(ORDER).encode()
        text = await h.client.post(
            "/api/trading/orders",
            content=body,
            headers={**buyer.headers, "Content-Type": "text/plain"},
        )
        assert text.status_code == 422  # FastAPI reads only JSON bodies as JSON
        placed = await h.client.post(
            "/api/trading/orders",
            content=body,
            headers={**buyer.headers, "Content-Type": "application/json; charset=utf-8"},
        )
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order"]["orderId"]
        for path in (f"/api/trading/orders/0{order_id}", f"/api/trading/orders/{order_id}"):
            got = await h.client.get(path, headers=buyer.read_headers)
            assert (got.status_code, got.json()["orderId"]) == (200, order_id)
            assert got.headers["x-ratelimit-limit"] and got.headers["x-request-id"]
            assert got.headers["cache-control"] == "no-store"
        for bad in ("0", "-1", str(2**63), "abc"):
            refused = await h.client.get(f"/api/trading/orders/{bad}", headers=buyer.read_headers)
            assert refused.status_code == 422, bad
        amended = await h.client.patch(
            f"/api/trading/orders/{order_id}", json={"quantity": 5}, headers=buyer.headers
        )
        assert (amended.status_code, amended.json()["order"]["quantity"]) == (200, 5)
        empty = await h.client.patch(
            f"/api/trading/orders/{order_id}", json={}, headers=buyer.headers
        )
        assert (empty.status_code, empty.json()["code"]) == (422, 2001)
        other = await h.client.post(
            "/api/trading/orders",
            json={**ORDER, "clientOrderId": "p2", "symbol": "MSFT", "price": "510.00"},
            headers=buyer.headers,
        )
        assert other.status_code == 201, other.text
        only_msft = await h.client.delete(
            "/api/trading/orders", params={"symbol": "msft"}, headers=buyer.headers
        )
        assert [o["symbol"] for o in only_msft.json()["cancelled"]] == ["MSFT"]
        cancelled = await h.client.delete(f"/api/trading/orders/{order_id}", headers=buyer.headers)
        assert (cancelled.status_code, cancelled.json()["order"]["status"]) == (200, "cancelled")
        gone = await h.client.delete(f"/api/trading/orders/{order_id}", headers=buyer.headers)
        assert (gone.status_code, gone.json()["code"]) == (404, 300)
        assert (await h.client.delete("/api/trading/orders", headers=buyer.headers)).json() == {
            "cancelled": []
        }


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}
