"""What /ws answers to bad client messages: a precise error, and the connection stays open."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aurex.gateways.http.ws_protocol import WsOptions

from .ws_support import Served, WsClient, serving

OPTIONS = WsOptions(max_message_bytes=256, max_subscriptions=3, heartbeat_s=0.2)


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[Served]:
    async with serving(tmp_path, OPTIONS) as served:
        yield served


@pytest.fixture
async def client(served: Served) -> AsyncIterator[WsClient]:
    client = await served.connect()
    yield client
    await client.close()


async def error_for(client: WsClient, frame: str | bytes) -> dict[str, object]:
    """Send a raw frame; return the error it earns, and check the connection still works."""
    await client.conn.send(frame)
    error = await client.next("error")
    pong = await client.request(op="ping", id="still-open")
    assert pong == {"type": "pong", "id": "still-open"}
    return error


BAD_MESSAGES: list[tuple[str | bytes, int, str]] = [
    ("{not json", 2000, "malformed JSON"),
    ("[1, 2]", 2000, "must be a JSON object"),
    ('{"channel": "ticker"}', 2000, "missing field 'op'"),
    ('{"op": 5}', 2000, "'op' must be a string"),
    ('{"op": "dance", "id": 7}', 2001, "unknown op 'dance'"),
    ('{"op": "subscribe", "channel": "news"}', 2010, "unknown channel 'news'"),
    ('{"op": "subscribe"}', 2000, "missing field 'channel'"),
    ('{"op": "subscribe", "channel": "book"}', 2001, "needs a 'symbol'"),
    ('{"op": "subscribe", "channel": "book", "symbol": 1}', 2000, "'symbol' must be"),
    ('{"op": "subscribe", "channel": "book", "symbol": "ZZZZ"}', 2003, "unknown symbol"),
    ('{"op": "subscribe", "channel": "trades", "symbol": "ZZZZ"}', 2003, "unknown symbol"),
    ('{"op": "subscribe", "channel": "ticker", "symbol": "ZZZZ"}', 2003, "unknown symbol"),
    ('{"op": "subscribe", "channel": "index", "symbol": "AAPL"}', 2001, "takes no 'symbol'"),
    ('{"op": "subscribe", "channel": "candles", "symbol": "AAPL"}', 2001, "'interval'"),
    (
        '{"op": "subscribe", "channel": "candles", "symbol": "AAPL", "interval": "7m"}',
        2001,
        "one of 1s, 1m",
    ),
    ('{"op": "subscribe", "channel": "ticker", "interval": "1m"}', 2001, "no 'interval'"),
    ('{"op": "unsubscribe", "channel": "index"}', 2001, "not subscribed to index"),
    ('{"op": "subscribe", "channel": "orders"}', 2012, "needs a login first"),
    ('{"op": "auth"}', 2000, "'token' must be the access token"),
    ('{"op": "auth", "token": "not-a-jwt"}', 1031, ""),
    ('{"op": "ping", "pad": "' + "x" * 300 + '"}', 2002, "limited to 256 bytes"),
    (b'{"op": "ping"}', 2000, "not binary"),
]


async def test_a_bad_message_gets_a_precise_error_and_the_connection_stays_open(
    client: WsClient,
) -> None:
    for frame, code, says in BAD_MESSAGES:
        error = await error_for(client, frame)
        assert error["code"] == code, (frame, error)
        assert says in str(error["message"]), (frame, error)


async def test_errors_echo_the_request_id(client: WsClient) -> None:
    reply = await client.request(op="subscribe", channel="book", symbol="NOPE", id={"n": 1})
    assert reply["type"] == "error" and reply["code"] == 2003 and reply["id"] == {"n": 1}


async def test_subscriptions_are_capped_per_connection(client: WsClient) -> None:
    for i, symbol in enumerate(("AAPL", "MSFT", "TSLA")):
        reply = await client.request(op="subscribe", channel="trades", symbol=symbol, id=i)
        assert reply["type"] == "subscribed"
    again = await client.request(op="subscribe", channel="trades", symbol="AAPL", id="again")
    assert again["type"] == "subscribed"  # the same subscription again is not a new one
    refused = await client.request(op="subscribe", channel="index", id="more")
    assert refused["code"] == 2011 and "at most 3" in refused["message"]
    gone = await client.request(op="unsubscribe", channel="trades", symbol="TSLA", id="u")
    assert gone == {"type": "unsubscribed", "channel": "trades", "symbol": "TSLA", "id": "u"}
    accepted = await client.request(op="subscribe", channel="index", id="now")
    assert accepted["type"] == "subscribed"


async def test_ping_and_heartbeats(client: WsClient) -> None:
    assert await client.request(op="ping", id=1) == {"type": "pong", "id": 1}
    beats = [await client.next("heartbeat") for _ in range(2)]
    assert all(isinstance(b["timestamp"], int) for b in beats)
    assert beats[1]["timestamp"] > beats[0]["timestamp"]


async def test_every_message_is_a_json_text_frame(client: WsClient) -> None:
    await client.send(op="subscribe", channel="ticker", id=1)
    for _ in range(4):
        frame = await client.conn.recv()
        assert isinstance(frame, str)
        assert isinstance(json.loads(frame), dict)
