"""The private ``orders`` channel over a real server: login by message, only one's own orders.

Two users sign up and log in over HTTP; each authenticates a WebSocket with the access
token and subscribes to ``orders``. Alice's resting sell is filled by Bob in two steps,
while a third account trades too: each sees the states and fills of exactly their own
orders, in order, and nothing of anyone else's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from aurex.core.commands import Deposit, PlaceOrder
from aurex.core.model import OrderType, Side
from aurex.gateways.http.ws_protocol import WsOptions

from .ws_support import Served, WsClient, serving


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(tmp_path) as served:
        yield served


async def place(
    served: Served, account: str, coid: str, side: Side, quantity: int, price: int
) -> int:
    outcome = await served.engine.submit(
        PlaceOrder(
            account=account,
            client_order_id=coid,
            symbol="AAPL",
            side=side,
            order_type=OrderType.LIMIT,
            quantity=quantity,
            price_ticks=price,
        )
    )
    assert outcome.rejection is None, outcome.rejection
    assert outcome.order is not None
    return outcome.order.order_id


async def logged_in(served: Served, token: str) -> WsClient:
    client = await served.connect()
    reply = await client.request(op="auth", token=token, id="auth")
    assert reply["type"] == "authenticated", reply
    ack = await client.request(op="subscribe", channel="orders", id="sub")
    assert ack == {"type": "subscribed", "channel": "orders", "id": "sub"}
    return client


async def private_messages(client: WsClient, until_fills: int) -> list[dict[str, Any]]:
    """Order and fill messages up to and including the ``until_fills``-th fill."""
    seen: list[dict[str, Any]] = []
    fills = 0
    while fills < until_fills:
        message = await client.recv()
        if message["type"] in ("order", "fill"):
            seen.append(message)
            fills += message["type"] == "fill"
    return seen


async def test_each_user_sees_only_their_own_orders_and_fills(served: Served) -> None:
    alice_id, alice_token = await served.user("alice@example.com")
    bob_id, bob_token = await served.user("bob@example.com")
    await served.engine.submit(Deposit(account=alice_id, symbol="AAPL", shares=100))
    await served.fund("mallory", ["AAPL"])
    alice = await logged_in(served, alice_token)
    bob = await logged_in(served, bob_token)

    sell = await place(served, alice_id, "a-1", Side.SELL, 10, 23_400)
    await place(served, "mallory", "m-1", Side.BUY, 5, 23_000)
    await place(served, "mallory", "m-2", Side.SELL, 5, 23_000)  # mallory trades with herself
    first = await place(served, bob_id, "b-1", Side.BUY, 4, 23_400)
    second = await place(served, bob_id, "b-2", Side.BUY, 6, 23_500)

    seen_by_alice = await private_messages(alice, until_fills=2)
    assert {m["data"]["orderId"] for m in seen_by_alice} == {sell}
    assert [
        (m["type"], m["data"]["filledQuantity"]) for m in seen_by_alice if m["type"] == "order"
    ] == [
        ("order", 0),
        ("order", 4),
        ("order", 10),
    ]
    fills = [m["data"] for m in seen_by_alice if m["type"] == "fill"]
    assert [(f["quantity"], f["price"], f["liquidity"]) for f in fills] == [
        (4, "234.00", "maker"),
        (6, "234.00", "maker"),
    ]
    assert seen_by_alice[-2]["data"]["status"] == "filled"

    seen_by_bob = await private_messages(bob, until_fills=2)
    assert {m["data"]["orderId"] for m in seen_by_bob} == {first, second}
    assert {m["data"]["clientOrderId"] for m in seen_by_bob} == {"b-1", "b-2"}
    assert [m["data"]["liquidity"] for m in seen_by_bob if m["type"] == "fill"] == [
        "taker",
        "taker",
    ]
    for client in (alice, bob):
        await client.close()


async def test_orders_need_a_valid_login_and_one_user_per_connection(served: Served) -> None:
    alice_id, alice_token = await served.user("alice@example.com")
    _, bob_token = await served.user("bob@example.com")
    client = await served.connect()
    refused = await client.request(op="subscribe", channel="orders", id=1)
    assert refused["code"] == 2012
    forged = await client.request(op="auth", token=alice_token[:-4] + "AAAA", id=2)
    assert forged["type"] == "error" and forged["code"] == 1031
    assert (await client.request(op="subscribe", channel="orders", id=3))["code"] == 2012

    welcome = await client.request(op="auth", token=alice_token, id=4)
    assert welcome == {"type": "authenticated", "userId": alice_id, "id": 4}
    other = await client.request(op="auth", token=bob_token, id=5)
    assert other["code"] == 2001 and "another user" in other["message"]
    again = await client.request(op="auth", token=alice_token, id=6)
    assert again["type"] == "authenticated"
    assert (await client.request(op="subscribe", channel="orders", id=7))["type"] == "subscribed"
    await client.close()


async def test_a_logged_out_token_cannot_open_the_private_channel(served: Served) -> None:
    _, token = await served.user("carol@example.com")
    async with httpx.AsyncClient(base_url=served.http_url) as http:
        out = await http.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert out.status_code in (200, 204), out.text
    client = await served.connect()
    refused = await client.request(op="auth", token=token, id=1)
    assert refused["type"] == "error" and refused["code"] == 1033
    await client.close()


async def test_the_private_channel_ends_when_the_session_is_logged_out(tmp_path: Path) -> None:
    async with serving(tmp_path, WsOptions(reauth_interval_s=0.05)) as served:
        user_id, token = await served.user("dave@example.com")
        await served.engine.submit(Deposit(account=user_id, symbol="AAPL", shares=10))
        client = await logged_in(served, token)
        await place(served, user_id, "d-1", Side.SELL, 1, 24_000)
        assert (await client.next("order"))["data"]["clientOrderId"] == "d-1"

        async with httpx.AsyncClient(base_url=served.http_url) as http:
            headers = {"Authorization": f"Bearer {token}"}
            assert (await http.post("/api/auth/logout", headers=headers)).is_success
        ended = await client.next("error")
        assert ended["code"] == 1033 and "send auth again" in ended["message"]
        await place(served, user_id, "d-2", Side.SELL, 1, 24_100)
        await served.engine.submit(Deposit(account=user_id, cash_cents=1))  # a later batch
        await client.send(op="ping", id="p")
        before_pong = []
        while (message := await client.recv())["type"] != "pong":
            before_pong.append(message["type"])
        assert "order" not in before_pong and "fill" not in before_pong
        again = await client.request(op="subscribe", channel="orders", id="s")
        assert again["code"] == 2012
        await client.close()
