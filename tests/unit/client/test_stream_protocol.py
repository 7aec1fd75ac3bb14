"""The WebSocket conversation without a socket: resubscribing after a reconnect,
resyncing a book after a gap, telling replies from events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aurex.client import BookEvent, BookGapEvent, ErrorEvent, FillEvent, TickerEvent
from aurex.client._stream_protocol import AuthLost, Reply, StreamProtocol


def _snapshot(seq: int) -> dict[str, Any]:
    return {
        "type": "book",
        "kind": "snapshot",
        "symbol": "AAPL",
        "seq": seq,
        "bids": [{"price": "100.00", "quantity": 5}],
        "asks": [{"price": "101.00", "quantity": 2}],
    }


def _delta(*seqs: int) -> dict[str, Any]:
    changes = [{"seq": s, "side": "buy", "price": "100.00", "quantity": s} for s in seqs]
    return {"type": "book", "kind": "delta", "symbol": "AAPL", "changes": changes}


def test_every_subscription_is_sent_again_on_a_new_connection() -> None:
    protocol = StreamProtocol()
    protocol.subscribe("book", "AAPL", None)
    protocol.subscribe("candles", "MSFT", "1m")
    protocol.subscribe("orders", None, None)
    protocol.unsubscribe("candles", "MSFT", "1m")
    again = protocol.resubscriptions()
    assert [(m["op"], m["channel"], m.get("symbol")) for m in again] == [
        ("subscribe", "book", "AAPL"),
        ("subscribe", "orders", None),
    ]
    assert "symbol" not in again[1]
    assert len({m["id"] for m in again}) == 2


def test_a_gap_resubscribes_the_book_and_waits_for_the_next_snapshot() -> None:
    protocol = StreamProtocol()
    protocol.subscribe("book", "AAPL", None)
    assert protocol.receive(_delta(1)) == ([], [])  # before any snapshot: ignored
    events, _ = protocol.receive(_snapshot(7))
    assert isinstance(events[0], BookEvent) and events[0].snapshot
    events, _ = protocol.receive(_delta(8, 9))
    assert isinstance(events[0], BookEvent) and protocol.books["AAPL"].seq == 9

    events, outgoing = protocol.receive(_delta(11))
    assert events == [BookGapEvent("AAPL", 10, 11)]
    assert [(m["op"], m["channel"], m["symbol"]) for m in outgoing] == [
        ("unsubscribe", "book", "AAPL"),
        ("subscribe", "book", "AAPL"),
    ]
    assert protocol.receive(_delta(12)) == ([], [])  # stale until the new snapshot
    events, _ = protocol.receive(_snapshot(12))
    assert protocol.books["AAPL"].ready
    events, _ = protocol.receive(_delta(13))
    assert protocol.books["AAPL"].best_bid() == (Decimal("100.00"), 13)


def test_replies_are_matched_by_id_and_other_messages_become_typed_events() -> None:
    protocol = StreamProtocol()
    sent = protocol.subscribe("ticker", None, None)
    (reply,), _ = protocol.receive({"type": "subscribed", "channel": "ticker", "id": sent["id"]})
    assert reply == Reply(
        sent["id"], True, {"type": "subscribed", "channel": "ticker", "id": sent["id"]}
    )
    (refusal,), _ = protocol.receive({"type": "error", "code": 2010, "message": "no", "id": 5})
    assert isinstance(refusal, Reply) and not refusal.ok
    assert protocol.receive({"type": "error", "code": 2013, "message": "slow"})[0] == [
        ErrorEvent(2013, "slow")
    ]
    (ticker,), _ = protocol.receive({"type": "ticker", "data": {"symbol": "AAPL", "last": "10.25"}})
    assert isinstance(ticker, TickerEvent) and ticker.ticker.last == Decimal("10.25")
    fill = {
        "tradeId": 3,
        "orderId": 4,
        "clientOrderId": "c1",
        "symbol": "AAPL",
        "side": "sell",
        "price": "10.25",
        "quantity": 2,
        "liquidity": "maker",
        "orderFilledQuantity": 2,
        "orderLeavesQuantity": 0,
        "timestamp": 1,
    }
    (event,), _ = protocol.receive({"type": "fill", "data": fill})
    assert isinstance(event, FillEvent) and event.fill.price == Decimal("10.25")


def test_an_ended_login_asks_for_a_new_one_only_with_an_orders_subscription() -> None:
    protocol = StreamProtocol()
    ended = {"type": "error", "code": 1032, "message": "expired; send auth again", "id": None}
    assert protocol.receive(ended)[0] == [ErrorEvent(1032, "expired; send auth again")]
    protocol.subscribe("orders", None, None)
    events, _ = protocol.receive(ended)
    assert events == [ErrorEvent(1032, "expired; send auth again"), AuthLost()]
