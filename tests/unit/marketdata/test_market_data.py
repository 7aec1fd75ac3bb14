"""The facade: one batch in, one update out; state survives a snapshot round trip."""

from __future__ import annotations

import json

import pytest

from aurex.core.codes import RejectCode
from aurex.core.events import FundsDeposited, OrderAccepted, OrderRejected
from aurex.core.model import OrderType, Side, TimeInForce
from aurex.marketdata import DepthDelta, MarketData

from .builders import SECOND_NS, T0, Feed

BUY, SELL = Side.BUY, Side.SELL


def busy_market() -> tuple[MarketData, Feed]:
    md, feed = MarketData(tape_size=10, candle_history=10), Feed()
    md.apply([feed.listing("AAA", 100, 1000), feed.listing("BBB", 50, 4000)])
    md.recompute_index(T0)
    md.apply(
        [
            feed.rest("AAA", BUY, 99, 10),
            feed.rest("AAA", SELL, 101, 10),
            feed.trade("AAA", 101, 4, aggressor=BUY, ts_ns=T0 + SECOND_NS),
            feed.rest("BBB", SELL, 52, 3),
            feed.trade("BBB", 52, 3, aggressor=BUY, ts_ns=T0 + 61 * SECOND_NS),
            feed.halt("BBB"),
        ]
    )
    return md, feed


def test_update_reports_tickers_depth_trades_and_candles_of_the_batch() -> None:
    md, feed = MarketData(), Feed()
    md.apply([feed.listing("AAA", 100)])
    update = md.apply(
        [
            feed.rest("AAA", SELL, 101, 10),
            feed.trade("AAA", 101, 4, aggressor=BUY),
        ]
    )
    assert update.depth == [
        DepthDelta("AAA", SELL, 101, 10, 1),
        DepthDelta("AAA", SELL, 101, 6, 2),
    ]
    assert [t.price_ticks for t in update.trades] == [101]
    assert [(t.symbol, t.last_price_ticks, t.ask_qty) for t in update.tickers] == [("AAA", 101, 6)]
    assert sorted(bar.interval for bar in update.candles) == sorted(
        ["1s", "1m", "5m", "15m", "1h", "1d"]
    )
    assert not update.is_empty


def test_events_without_market_effect_produce_an_empty_update() -> None:
    md, feed = MarketData(), Feed()
    md.apply([feed.listing("AAA", 100)])
    update = md.apply(
        [
            OrderAccepted(
                seq=10,
                ts_ns=T0,
                order_id=1,
                account="a",
                client_order_id="x",
                symbol="AAA",
                side=BUY,
                order_type=OrderType.LIMIT,
                tif=TimeInForce.GTC,
                quantity=1,
                price_ticks=1,
                stop_price_ticks=0,
                post_only=False,
            ),
            OrderRejected(
                seq=11,
                ts_ns=T0,
                account="a",
                client_order_id="y",
                symbol="AAA",
                code=RejectCode.UNKNOWN_SYMBOL,
                reason="no",
            ),
            FundsDeposited(seq=12, ts_ns=T0, account="a", cash_cents=5, symbol="", shares=0),
        ]
    )
    assert update.is_empty


def test_listing_makes_an_empty_book_and_a_ticker_for_the_symbol() -> None:
    md, feed = MarketData(), Feed()
    update = md.apply([feed.listing("AAA", 100)])
    assert [t.symbol for t in update.tickers] == ["AAA"]
    snap = md.depth("AAA")
    assert snap is not None and (snap.bids, snap.asks, snap.seq) == ((), (), 0)
    assert md.symbols() == ["AAA"]


def test_snapshot_is_plain_data_and_restores_every_query() -> None:
    md, _ = busy_market()
    data = json.loads(json.dumps(md.snapshot()))
    restored = MarketData(tape_size=10, candle_history=10)
    restored.restore(data)
    assert restored.tickers() == md.tickers()
    for symbol in ("AAA", "BBB"):
        assert restored.depth(symbol, levels=None) == md.depth(symbol, levels=None)
        assert restored.trades(symbol) == md.trades(symbol)
        for interval in ("1s", "1m", "1d"):
            assert restored.candles(symbol, interval) == md.candles(symbol, interval)
    assert restored.index() == md.index()
    assert restored.snapshot() == data


def test_restored_state_carries_on_with_the_same_sequence_numbers() -> None:
    md, feed = busy_market()
    restored = MarketData()
    restored.restore(md.snapshot())
    batch = [feed.rest("AAA", BUY, 98, 1), feed.trade("AAA", 101, 6, aggressor=BUY)]
    assert restored.apply(batch) == md.apply(batch)
    assert restored.recompute_index(T0 + 5) is not None  # republished after a restore


def test_restore_rejects_an_unknown_snapshot_version() -> None:
    md = MarketData()
    data = md.snapshot()
    data["version"] = 99
    with pytest.raises(ValueError, match="version"):
        md.restore(data)
