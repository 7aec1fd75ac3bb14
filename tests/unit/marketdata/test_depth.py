"""L2 depth: levels, per-symbol sequence numbers and the deltas a client applies."""

from __future__ import annotations

import random

from aurex.core.events import Event
from aurex.core.model import Side
from aurex.marketdata import DepthDelta, DepthSnapshot, MarketData

from .builders import Feed

BUY, SELL = Side.BUY, Side.SELL


def book_with_levels() -> tuple[MarketData, Feed]:
    md, feed = MarketData(), Feed()
    md.apply(
        [
            feed.listing("ACME", 100),
            feed.rest("ACME", BUY, 99, 10),
            feed.rest("ACME", BUY, 98, 20),
            feed.rest("ACME", BUY, 99, 5),
            feed.rest("ACME", SELL, 101, 7),
            feed.rest("ACME", SELL, 103, 3),
            feed.rest("ACME", SELL, 102, 4),
        ]
    )
    return md, feed


def test_resting_orders_aggregate_per_level_best_first() -> None:
    md, _ = book_with_levels()
    snap = md.depth("ACME", levels=10)
    assert snap == DepthSnapshot("ACME", 6, ((99, 15), (98, 20)), ((101, 7), (102, 4), (103, 3)))


def test_snapshot_is_cut_to_the_requested_number_of_levels() -> None:
    md, _ = book_with_levels()
    snap = md.depth("ACME", levels=1)
    assert snap is not None
    assert (snap.bids, snap.asks) == (((99, 15),), ((101, 7),))
    empty = md.depth("ACME", levels=0)
    assert empty is not None
    assert (empty.bids, empty.asks) == ((), ())
    assert md.depth("NOPE") is None


def test_trade_removes_quantity_from_the_makers_side() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.trade("ACME", 101, 5, aggressor=BUY)])
    assert update.depth == [DepthDelta("ACME", SELL, 101, 2, 7)]
    update = md.apply([feed.trade("ACME", 99, 15, aggressor=SELL)])
    assert update.depth == [DepthDelta("ACME", BUY, 99, 0, 8)]
    snap = md.depth("ACME")
    assert snap is not None
    assert (snap.bids, snap.asks[0]) == (((98, 20),), (101, 2))


def test_cancel_of_a_resting_order_removes_its_remainder() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.cancel("ACME", SELL, 102, 4)])
    assert update.depth == [DepthDelta("ACME", SELL, 102, 0, 7)]
    assert md.depth("ACME").asks == ((101, 7), (103, 3))  # type: ignore[union-attr]


def test_cancel_of_an_order_that_never_rested_changes_nothing() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.cancel("ACME", BUY, 99, 50, was_resting=False)])
    assert update.depth == [] and update.tickers == []
    assert md.depth("ACME").seq == 6  # type: ignore[union-attr]


def test_expiry_of_a_resting_day_order_removes_it() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.expire("ACME", BUY, 98, 20)])
    assert update.depth == [DepthDelta("ACME", BUY, 98, 0, 7)]


def test_amend_down_keeping_priority_is_one_level_change() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.amend("ACME", BUY, 99, 10, 99, 4, kept_priority=True)])
    assert update.depth == [DepthDelta("ACME", BUY, 99, 9, 7)]
    assert [(t.bid_price_ticks, t.bid_qty) for t in update.tickers] == [(99, 9)]


def test_amend_to_a_new_price_moves_the_quantity_via_the_rested_event() -> None:
    md, feed = book_with_levels()
    update = md.apply(
        [
            feed.amend("ACME", SELL, 103, 3, 100, 3, kept_priority=False),
            feed.rest("ACME", SELL, 100, 3),
        ]
    )
    assert update.depth == [
        DepthDelta("ACME", SELL, 103, 0, 7),
        DepthDelta("ACME", SELL, 100, 3, 8),
    ]
    assert md.depth("ACME").asks == ((100, 3), (101, 7), (102, 4))  # type: ignore[union-attr]
    assert [(t.ask_price_ticks, t.ask_qty) for t in update.tickers] == [(100, 3)]


def test_a_change_below_the_top_of_book_does_not_touch_the_ticker() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.rest("ACME", BUY, 90, 1), feed.cancel("ACME", SELL, 103, 3)])
    assert len(update.depth) == 2
    assert update.tickers == []


def test_sequence_numbers_are_per_symbol_and_consecutive() -> None:
    md, feed = MarketData(), Feed()
    update = md.apply(
        [
            feed.rest("AAA", BUY, 10, 1),
            feed.rest("BBB", BUY, 10, 1),
            feed.rest("AAA", BUY, 11, 1),
            feed.rest("AAA", SELL, 12, 1),
            feed.rest("BBB", SELL, 12, 1),
        ]
    )
    assert [(d.symbol, d.seq) for d in update.depth] == [
        ("AAA", 1),
        ("BBB", 1),
        ("AAA", 2),
        ("AAA", 3),
        ("BBB", 2),
    ]


def test_seed_loads_levels_without_deltas_and_moves_the_sequence_on() -> None:
    md, feed = book_with_levels()
    md.seed_depth("ACME", [(50, 1), (52, 2)], [(60, 3)])
    snap = md.depth("ACME")
    assert snap == DepthSnapshot("ACME", 7, ((52, 2), (50, 1)), ((60, 3),))
    update = md.apply([feed.trade("ACME", 60, 1, aggressor=BUY)])
    assert update.depth == [DepthDelta("ACME", SELL, 60, 2, 8)]


def test_removing_more_than_a_level_holds_is_counted_and_clamped() -> None:
    md, feed = book_with_levels()
    update = md.apply([feed.cancel("ACME", BUY, 98, 25), feed.cancel("ACME", BUY, 70, 1)])
    assert update.depth == [DepthDelta("ACME", BUY, 98, 0, 7)]
    assert md.depth_anomalies == 2


def apply_deltas(snap: DepthSnapshot, deltas: list[DepthDelta]) -> DepthSnapshot:
    """What a WebSocket client does: skip stale deltas, insist on consecutive seq."""
    bids, asks, seq = dict(snap.bids), dict(snap.asks), snap.seq
    for d in deltas:
        if d.symbol != snap.symbol or d.seq <= seq:
            continue
        assert d.seq == seq + 1, "gap"
        levels = bids if d.side == BUY else asks
        if d.new_qty:
            levels[d.price_ticks] = d.new_qty
        else:
            del levels[d.price_ticks]
        seq = d.seq
    return DepthSnapshot(
        snap.symbol,
        seq,
        tuple(sorted(bids.items(), reverse=True)),
        tuple(sorted(asks.items())),
    )


def random_book_events(rng: random.Random, feed: Feed, resting: list[list[int]]) -> list[Event]:
    """A consistent stream: rests, trades, cancels and amends of orders really resting."""
    events: list[Event] = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.45 or not resting:
            side = rng.choice((0, 1))
            price = rng.randint(90, 99) if side == 0 else rng.randint(101, 110)
            qty = rng.randint(1, 50)
            resting.append([side, price, qty])
            events.append(feed.rest("ACME", Side(side), price, qty))
            continue
        order = rng.choice(resting)
        side, price, qty = order
        if roll < 0.65:
            fill = rng.randint(1, qty)
            events.append(feed.trade("ACME", price, fill, aggressor=Side(1 - side)))
            order[2] -= fill
        elif roll < 0.8:
            events.append(feed.cancel("ACME", Side(side), price, qty))
            order[2] = 0
        elif roll < 0.9:
            new_qty = rng.randint(1, qty)
            events.append(feed.amend("ACME", Side(side), price, qty, price, new_qty, True))
            order[2] = new_qty
        else:
            new_price = price + rng.choice((-2, -1, 1, 2))
            events.append(feed.amend("ACME", Side(side), price, qty, new_price, qty, False))
            events.append(feed.rest("ACME", Side(side), new_price, qty))
            order[1] = new_price
        if order[2] == 0:
            resting.remove(order)
    return events


def test_snapshot_plus_deltas_reproduces_the_next_snapshot() -> None:
    rng = random.Random(7)
    md, feed = MarketData(), Feed()
    resting: list[list[int]] = []
    md.apply([feed.listing("ACME", 100)])
    client = md.depth("ACME", levels=None)
    assert client is not None
    for _ in range(300):
        update = md.apply(random_book_events(rng, feed, resting))
        client = apply_deltas(client, update.depth)
        assert client == md.depth("ACME", levels=None)
    expected_bids: dict[int, int] = {}
    for side, price, qty in resting:
        if side == 0:
            expected_bids[price] = expected_bids.get(price, 0) + qty
    assert client.bids == tuple(sorted(expected_bids.items(), reverse=True))
    assert md.depth_anomalies == 0


def test_a_client_that_missed_a_delta_detects_the_gap() -> None:
    md, feed = book_with_levels()
    client = md.depth("ACME", levels=None)
    assert client is not None
    first = md.apply([feed.rest("ACME", BUY, 97, 1)]).depth
    second = md.apply([feed.rest("ACME", BUY, 96, 1)]).depth
    assert first[0].seq == client.seq + 1
    assert second[0].seq != client.seq + 1  # a client that dropped `first` sees the gap
