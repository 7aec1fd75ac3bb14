"""How events are grouped into batches changes what is reported when, never the state.

The runtime hands market data one batch per sequenced command, replay hands it the
whole journal at once; both must end in the same books, tickers, tape, candles and
index, and a client following the updates must see every change exactly once.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest

from aurex.core.events import Event
from aurex.core.model import Side
from aurex.marketdata import INTERVALS, CandleBar, DepthDelta, MarketData, TickerView, TradePrint

from .builders import SECOND_NS, T0, Feed

SYMBOLS = ("AAA", "BBB", "CCC")
STEPS = (0, 0, 1, SECOND_NS // 3, SECOND_NS, 61 * SECOND_NS, 3_601 * SECOND_NS, -SECOND_NS)


def random_stream(seed: int, length: int) -> list[Event]:
    """Listings, then rests, cancels, trades, amends, halts and day ends on three symbols.

    Trade timestamps mostly move forward (sometimes across candle boundaries of
    every interval) and occasionally step back, which folds into the newest candle.
    """
    rng = random.Random(seed)
    feed = Feed()
    events: list[Event] = [feed.listing(s, 100 + 50 * i, 1_000) for i, s in enumerate(SYMBOLS)]
    for _ in range(length):
        symbol = rng.choice(SYMBOLS)
        side = rng.choice((Side.BUY, Side.SELL))
        price = rng.randint(90, 110)
        roll = rng.random()
        if roll < 0.35:
            events.append(feed.rest(symbol, side, price, rng.randint(1, 20)))
        elif roll < 0.55:
            events.append(feed.cancel(symbol, side, price, rng.randint(1, 20)))
        elif roll < 0.9:
            ts = max(T0, feed.ts_ns + rng.choice(STEPS))
            events.append(feed.trade(symbol, price, rng.randint(1, 9), aggressor=side, ts_ns=ts))
        elif roll < 0.95:
            new_price = rng.choice((price, price + 1))
            events.append(feed.amend(symbol, side, price, 5, new_price, 3, rng.random() < 0.5))
        elif roll < 0.98:
            events.append(rng.choice((feed.halt, feed.resume))(symbol))
        else:
            events.append(feed.day_end({symbol: price}))
    return events


def one_batch(events: list[Event], rng: random.Random) -> list[list[Event]]:
    return [events]


def one_event_each(events: list[Event], rng: random.Random) -> list[list[Event]]:
    return [[event] for event in events]


def random_sizes(events: list[Event], rng: random.Random) -> list[list[Event]]:
    batches, i = [], 0
    while i < len(events):
        size = rng.randint(0, 6)
        batches.append(events[i : i + size])
        i += size
    return batches


Batching = Callable[[list[Event], random.Random], list[list[Event]]]


def follow(
    batches: list[list[Event]],
) -> tuple[MarketData, list[DepthDelta], list[TradePrint], dict[str, TickerView], list[CandleBar]]:
    """Apply the batches, keeping what a client subscribed to everything would have seen."""
    md = MarketData(tape_size=50, candle_history=20)
    deltas: list[DepthDelta] = []
    trades: list[TradePrint] = []
    last_ticker: dict[str, TickerView] = {}
    bars: list[CandleBar] = []
    for batch in batches:
        update = md.apply(batch)
        deltas += update.depth
        trades += update.trades
        last_ticker.update((view.symbol, view) for view in update.tickers)
        bars += update.candles
    return md, deltas, trades, last_ticker, bars


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_state_and_published_changes_do_not_depend_on_batching(seed: int) -> None:
    events = random_stream(seed, 1_500)
    reference, ref_deltas, ref_trades, _, _ = follow(one_batch(events, random.Random(seed)))
    assert ref_trades and ref_deltas
    batchings: list[Batching] = [one_event_each, random_sizes]
    for batching in batchings:
        md, deltas, trades, last_ticker, bars = follow(batching(events, random.Random(seed)))
        assert md.snapshot() == reference.snapshot(), batching.__name__
        assert deltas == ref_deltas and trades == ref_trades
        for symbol in SYMBOLS:
            assert last_ticker[symbol] == md.ticker(symbol) == reference.ticker(symbol)
            latest = {}
            for bar in bars:
                if bar.symbol == symbol:
                    latest[(bar.interval, bar.start_ns)] = bar
            for interval in ("1s", "1m", "5m", "1h", "1d"):
                kept = md.candles(symbol, interval)
                assert kept == reference.candles(symbol, interval)
                # the last bar published for each kept candle is what is kept
                assert [latest[(interval, bar.start_ns)] for bar in kept] == kept


def test_bars_of_one_batch_follow_the_order_candles_were_first_traded() -> None:
    md, feed = MarketData(), Feed()
    update = md.apply(
        [
            feed.trade("AAA", 100, 1, ts_ns=T0),
            feed.trade("BBB", 50, 2, ts_ns=T0),
            feed.trade("AAA", 104, 3, ts_ns=T0 + SECOND_NS // 2),
            feed.trade("AAA", 97, 4, ts_ns=T0 + SECOND_NS),  # a new second for AAA
            feed.trade("AAA", 101, 5, ts_ns=T0 + SECOND_NS),
        ]
    )
    assert [(bar.symbol, bar.interval, bar.start_ns - T0) for bar in update.candles] == [
        ("AAA", "1s", 0),
        ("AAA", "1m", 0),
        ("AAA", "5m", 0),
        ("AAA", "15m", 0),
        ("AAA", "1h", 0),
        ("AAA", "1d", 0),
        ("BBB", "1s", 0),
        ("BBB", "1m", 0),
        ("BBB", "5m", 0),
        ("BBB", "15m", 0),
        ("BBB", "1h", 0),
        ("BBB", "1d", 0),
        ("AAA", "1s", SECOND_NS),
    ]
    first_second, *_, next_second = (bar for bar in update.candles if bar.symbol == "AAA")
    assert first_second == CandleBar("AAA", "1s", T0, 100, 104, 100, 104, 4, 2)
    assert next_second == CandleBar("AAA", "1s", T0 + SECOND_NS, 97, 101, 97, 101, 9, 2)
    one_minute = update.candles[1]
    assert one_minute == CandleBar("AAA", "1m", T0, 100, 104, 97, 101, 13, 4)


def test_high_and_low_follow_every_trade_within_a_batch() -> None:
    md, feed = MarketData(), Feed()
    md.apply([feed.trade("AAA", 100, 1), feed.trade("AAA", 102, 1), feed.trade("AAA", 99, 1)])
    update = md.apply([feed.trade("AAA", 101, 1), feed.trade("AAA", 105, 1)])
    assert {(bar.high_ticks, bar.low_ticks, bar.close_ticks) for bar in update.candles} == {
        (105, 99, 105)
    }
    update = md.apply([feed.trade("AAA", 95, 1), feed.trade("AAA", 100, 2)])
    assert {(bar.open_ticks, bar.high_ticks, bar.low_ticks) for bar in update.candles} == {
        (100, 105, 95)
    }
    assert {(bar.volume, bar.trade_count) for bar in update.candles} == {(8, 7)}


def test_changes_made_before_a_failing_event_are_published_with_the_next_batch() -> None:
    md, feed = MarketData(), Feed()
    md.apply([feed.listing("AAA", 100)])

    def events_then_failure() -> Iterator[Event]:
        yield feed.rest("AAA", Side.SELL, 101, 5)
        yield feed.trade("AAA", 101, 2)
        raise RuntimeError("the batch broke off")

    with pytest.raises(RuntimeError):
        md.apply(events_then_failure())
    update = md.apply([feed.rest("AAA", Side.BUY, 99, 1)])
    assert update.depth == [
        DepthDelta("AAA", Side.SELL, 101, 5, 1),
        DepthDelta("AAA", Side.SELL, 101, 3, 2),
        DepthDelta("AAA", Side.BUY, 99, 1, 3),
    ]
    assert [trade.price_ticks for trade in update.trades] == [101]
    assert [trade.price_ticks for trade in md.trades("AAA")] == [101]
    assert len(update.candles) == len(INTERVALS)
    assert [(t.last_price_ticks, t.ask_qty, t.bid_qty) for t in update.tickers] == [(101, 3, 1)]
