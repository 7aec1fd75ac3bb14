"""OHLCV candles aligned on UTC boundaries for every interval."""

from __future__ import annotations

import pytest

from aurex.marketdata import INTERVALS, CandleBar, MarketData

from .builders import SECOND_NS, T0, Feed


@pytest.mark.parametrize("interval", list(INTERVALS))
def test_trades_either_side_of_a_boundary_make_two_candles(interval: str) -> None:
    size = INTERVALS[interval]
    md, feed = MarketData(), Feed()
    md.apply(
        [
            feed.trade("ACME", 100, 5, ts_ns=T0 + size - 3 * SECOND_NS // 4),
            feed.trade("ACME", 104, 1, ts_ns=T0 + size - SECOND_NS // 2),
            feed.trade("ACME", 98, 2, ts_ns=T0 + size - 1),
            feed.trade("ACME", 101, 3, ts_ns=T0 + size),
            feed.trade("ACME", 103, 4, ts_ns=T0 + size + SECOND_NS // 2),
        ]
    )
    assert md.candles("ACME", interval) == [
        CandleBar("ACME", interval, T0, 100, 104, 98, 98, 8, 3),
        CandleBar("ACME", interval, T0 + size, 101, 103, 101, 103, 7, 2),
    ]


@pytest.mark.parametrize("interval", list(INTERVALS))
def test_a_bucket_without_trades_has_no_candle(interval: str) -> None:
    size = INTERVALS[interval]
    md, feed = MarketData(), Feed()
    md.apply(
        [feed.trade("ACME", 100, 1, ts_ns=T0), feed.trade("ACME", 101, 1, ts_ns=T0 + 2 * size)]
    )
    assert [bar.start_ns for bar in md.candles("ACME", interval)] == [T0, T0 + 2 * size]


def test_candle_start_is_aligned_to_the_interval_not_to_the_first_trade() -> None:
    md, feed = MarketData(), Feed()
    ts = T0 + 3 * 3600 * SECOND_NS + 7 * 60 * SECOND_NS + 42 * SECOND_NS + 123  # 03:07:42
    md.apply([feed.trade("ACME", 100, 1, ts_ns=ts)])
    starts = {name: md.candles("ACME", name)[0].start_ns - T0 for name in INTERVALS}
    assert starts == {
        "1s": (3 * 3600 + 7 * 60 + 42) * SECOND_NS,
        "1m": (3 * 3600 + 7 * 60) * SECOND_NS,
        "5m": (3 * 3600 + 5 * 60) * SECOND_NS,
        "15m": 3 * 3600 * SECOND_NS,
        "1h": 3 * 3600 * SECOND_NS,
        "1d": 0,
    }


def test_history_is_bounded_and_queries_return_the_newest_oldest_first() -> None:
    md, feed = MarketData(candle_history=3), Feed()
    md.apply([feed.trade("ACME", 100 + i, 1, ts_ns=T0 + i * SECOND_NS) for i in range(6)])
    assert [bar.open_ticks for bar in md.candles("ACME", "1s")] == [103, 104, 105]
    assert [bar.open_ticks for bar in md.candles("ACME", "1s", limit=2)] == [104, 105]
    assert md.candles("ACME", "1s", limit=0) == []
    assert len(md.candles("ACME", "1m")) == 1


def test_a_batch_crossing_a_boundary_reports_the_closed_and_the_new_candle() -> None:
    md, feed = MarketData(), Feed()
    update = md.apply(
        [feed.trade("ACME", 100, 1, ts_ns=T0), feed.trade("ACME", 101, 1, ts_ns=T0 + SECOND_NS)]
    )
    one_second = [bar for bar in update.candles if bar.interval == "1s"]
    assert [(bar.start_ns, bar.close_ticks) for bar in one_second] == [
        (T0, 100),
        (T0 + SECOND_NS, 101),
    ]
    one_minute = [bar for bar in update.candles if bar.interval == "1m"]
    assert [(bar.volume, bar.close_ticks) for bar in one_minute] == [(2, 101)]
    assert md.apply([]).candles == []


def test_a_timestamp_going_backwards_folds_into_the_newest_candle() -> None:
    md, feed = MarketData(), Feed()
    md.apply(
        [feed.trade("ACME", 100, 1, ts_ns=T0 + SECOND_NS), feed.trade("ACME", 90, 1, ts_ns=T0)]
    )
    assert md.candles("ACME", "1s") == [
        CandleBar("ACME", "1s", T0 + SECOND_NS, 100, 100, 90, 90, 2, 2)
    ]


def test_unknown_interval_is_an_error_and_unknown_symbol_is_empty() -> None:
    md = MarketData()
    with pytest.raises(ValueError, match="interval"):
        md.candles("ACME", "2m")
    assert md.candles("ACME", "1m") == []
