"""The public /ws channels over a real server: ticker, trades, candles, index, unsubscribe."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from aurex.core.commands import PlaceOrder
from aurex.core.model import OrderType, Side
from aurex.engine.queries import GetIndex, GetTicker
from aurex.gateways import wire

from .ws_support import Served, WsClient, serving


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(tmp_path) as served:
        for account in ("maker", "taker"):
            await served.fund(account, ["AAPL", "MSFT"])
        yield served


async def trade(served: Served, symbol: str, price: int, quantity: int, n: int) -> None:
    """``maker`` rests a sell, ``taker`` buys it: one trade at ``price``."""
    for account, side in (("maker", Side.SELL), ("taker", Side.BUY)):
        await served.engine.submit(
            PlaceOrder(
                account=account,
                client_order_id=f"{account}-{n}",
                symbol=symbol,
                side=side,
                order_type=OrderType.LIMIT,
                quantity=quantity,
                price_ticks=price,
            )
        )


async def until(client: WsClient, kind: str, check: Any) -> dict[str, Any]:
    """The first message of ``kind`` for which ``check(message)`` holds."""
    for _ in range(10_000):
        message = await client.next(kind)
        if check(message):
            return message
    raise AssertionError(f"no {kind} message matched")


async def test_ticker_of_one_symbol_starts_with_its_current_state_and_ends_at_the_latest(
    served: Served,
) -> None:
    client = await served.connect()
    ack = await client.request(op="subscribe", channel="ticker", symbol="AAPL", id=1)
    assert ack == {"type": "subscribed", "channel": "ticker", "symbol": "AAPL", "id": 1}
    first = await client.next("ticker")
    current = await served.engine.query(GetTicker("AAPL"))
    assert current is not None and first["data"] == wire.ticker(current)
    for n in range(30):
        await trade(served, "AAPL", 23_400 + n, 5, n)
    await trade(served, "MSFT", 51_000, 5, 99)
    latest = await served.engine.query(GetTicker("AAPL"))
    assert latest is not None
    seen = await until(client, "ticker", lambda m: m["data"] == wire.ticker(latest))
    assert seen["data"]["last"] == "234.29" and seen["data"]["tradeCount"] == 30
    assert await client.request(op="ping", id="p") == {"type": "pong", "id": "p"}
    await client.close()


async def test_ticker_without_symbol_covers_every_symbol(served: Served) -> None:
    client = await served.connect()
    await client.request(op="subscribe", channel="ticker", id=1)
    symbols = set()
    while len(symbols) < 10:
        symbols.add((await client.next("ticker"))["data"]["symbol"])
    await trade(served, "MSFT", 51_100, 3, 1)
    msft = await until(
        client, "ticker", lambda m: m["data"]["symbol"] == "MSFT" and m["data"]["last"] == "511.00"
    )
    assert msft["data"]["volume"] == 3
    await client.close()


async def test_trades_arrive_in_order_with_their_prices(served: Served) -> None:
    client = await served.connect()
    await client.request(op="subscribe", channel="trades", symbol="AAPL", id=1)
    for n in range(5):
        await trade(served, "AAPL", 23_450 + n, 10 + n, n)
    await trade(served, "MSFT", 51_000, 1, 9)  # not subscribed: never shows up
    prints: list[dict[str, Any]] = []
    while len(prints) < 5:
        message = await client.next("trades")
        assert message["symbol"] == "AAPL"
        prints.extend(message["trades"])
    assert [(p["price"], p["quantity"], p["aggressor"]) for p in prints] == [
        (wire.price(23_450 + n), 10 + n, "buy") for n in range(5)
    ]
    ids = [p["tradeId"] for p in prints]
    assert ids == sorted(ids)
    await client.close()


async def test_candles_carry_the_latest_state_of_the_touched_candle(served: Served) -> None:
    client = await served.connect()
    ack = await client.request(
        op="subscribe", channel="candles", symbol="AAPL", interval="1d", id=1
    )
    assert ack["interval"] == "1d"
    for n, price in enumerate((23_500, 23_700, 23_300, 23_600)):
        await trade(served, "AAPL", price, 10, n)
    candle = await until(client, "candle", lambda m: m["data"]["tradeCount"] == 4)
    data = candle["data"]
    assert (data["interval"], data["open"], data["high"], data["low"], data["close"]) == (
        "1d",
        "235.00",
        "237.00",
        "233.00",
        "236.00",
    )
    assert data["volume"] == 40
    await client.close()


async def test_index_updates_after_trades_move_a_constituent(served: Served) -> None:
    client = await served.connect()
    await client.request(op="subscribe", channel="index", id=1)
    first = await client.next("index")
    assert first["data"]["name"] == "TOP10" and first["data"]["constituents"]
    await trade(served, "AAPL", 25_000, 10, 1)
    moved = await until(client, "index", lambda m: m["data"]["value"] != first["data"]["value"])
    now = await served.engine.query(GetIndex())
    assert now is not None
    aapl = [c for c in moved["data"]["constituents"] if c["symbol"] == "AAPL"]
    assert aapl and aapl[0]["price"] == "250.00"
    await client.close()


async def test_after_unsubscribe_no_more_messages_of_that_channel(served: Served) -> None:
    client = await served.connect()
    await client.request(op="subscribe", channel="trades", symbol="AAPL", id=1)
    await trade(served, "AAPL", 23_450, 1, 1)
    await client.next("trades")
    gone = await client.request(op="unsubscribe", channel="trades", symbol="AAPL", id=2)
    assert gone["type"] == "unsubscribed"
    await trade(served, "AAPL", 23_460, 1, 2)
    await client.request(op="subscribe", channel="trades", symbol="MSFT", id=3)
    await trade(served, "MSFT", 51_000, 1, 3)
    message = await client.next("trades")
    assert message["symbol"] == "MSFT"  # the AAPL trade in between was not sent
    await client.close()
