"""Ticker statistics as a trader would read them off a quote screen."""

from __future__ import annotations

import pickle

import pytest

from aurex import native
from aurex.core.model import Side
from aurex.marketdata import MarketData, TickerView

from .builders import SECOND_NS, T0, Feed


def listed(ref: int = 95) -> tuple[MarketData, Feed]:
    md, feed = MarketData(), Feed()
    md.apply([feed.listing("ACME", ref)])
    return md, feed


def test_untraded_symbol_shows_reference_price_and_no_change() -> None:
    md, _ = listed(ref=95)
    t = md.ticker("ACME")
    assert t is not None
    assert (t.last_price_ticks, t.prev_close_ticks, t.change_ticks, t.change_bps) == (95, 95, 0, 0)
    assert (t.volume, t.trade_count, t.vwap_ticks, t.open_ticks) == (0, 0, 0, 0)
    assert t.name == "ACME Inc."


def test_trades_give_last_ohlc_volume_turnover_and_rounded_vwap() -> None:
    md, feed = listed(ref=95)
    md.apply(
        [
            feed.trade("ACME", 100, 10),
            feed.trade("ACME", 102, 30),
            feed.trade("ACME", 99, 20, ts_ns=T0 + 5 * SECOND_NS),
        ]
    )
    t = md.ticker("ACME")
    assert t is not None
    assert (t.last_price_ticks, t.last_qty) == (99, 20)
    assert (t.open_ticks, t.high_ticks, t.low_ticks) == (100, 102, 99)
    assert (t.volume, t.trade_count) == (60, 3)
    assert t.turnover_cents == 100 * 10 + 102 * 30 + 99 * 20  # 6040
    assert t.vwap_ticks == 101  # 6040 / 60 = 100.67
    assert t.ts_ns == T0 + 5 * SECOND_NS


def test_change_vs_previous_close_in_ticks_and_basis_points() -> None:
    md, feed = listed(ref=95)
    md.apply([feed.trade("ACME", 99, 1)])
    t = md.ticker("ACME")
    assert t is not None
    assert t.change_ticks == 4
    assert t.change_bps == 421  # 4 / 95 = 4.2105 %
    assert t.change_percent == pytest.approx(4.2105263)


def test_negative_change_rounds_half_away_from_zero() -> None:
    md, feed = listed(ref=400)
    md.apply([feed.trade("ACME", 399, 1)])  # -25 bps exactly
    md2, feed2 = listed(ref=8000)
    md2.apply([feed2.trade("ACME", 7999, 1)])  # -1.25 bps
    md3, feed3 = listed(ref=20_000)
    md3.apply([feed3.trade("ACME", 19_999, 1)])  # -0.5 bps
    assert [m.ticker("ACME").change_bps for m in (md, md2, md3)] == [-25, -1, -1]  # type: ignore[union-attr]


def test_best_bid_and_ask_with_sizes_come_from_the_book() -> None:
    md, feed = listed()
    md.apply(
        [
            feed.rest("ACME", Side.BUY, 94, 100),
            feed.rest("ACME", Side.BUY, 93, 500),
            feed.rest("ACME", Side.BUY, 94, 50),
            feed.rest("ACME", Side.SELL, 96, 70),
            feed.rest("ACME", Side.SELL, 97, 10),
        ]
    )
    t = md.ticker("ACME")
    assert t is not None
    assert (t.bid_price_ticks, t.bid_qty, t.ask_price_ticks, t.ask_qty) == (94, 150, 96, 70)
    md.apply([feed.trade("ACME", 96, 70, aggressor=Side.BUY)])
    t = md.ticker("ACME")
    assert t is not None
    assert (t.ask_price_ticks, t.ask_qty) == (97, 10)


def test_day_end_rolls_previous_close_and_resets_day_figures() -> None:
    md, feed = listed(ref=95)
    md.apply([feed.trade("ACME", 100, 10), feed.trade("ACME", 110, 5)])
    update = md.apply([feed.day_end({"ACME": 110})])
    assert [t.symbol for t in update.tickers] == ["ACME"]
    t = md.ticker("ACME")
    assert t is not None
    assert (t.prev_close_ticks, t.last_price_ticks, t.change_ticks) == (110, 110, 0)
    assert (t.volume, t.turnover_cents, t.trade_count, t.vwap_ticks) == (0, 0, 0, 0)
    assert (t.open_ticks, t.high_ticks, t.low_ticks) == (0, 0, 0)

    md.apply([feed.trade("ACME", 105, 2)])
    t = md.ticker("ACME")
    assert t is not None
    assert (t.open_ticks, t.high_ticks, t.low_ticks, t.volume) == (105, 105, 105, 2)
    assert (t.change_ticks, t.change_bps) == (-5, -455)  # -5 / 110 = -4.545 %


def test_day_end_without_a_closing_price_keeps_the_last_trade_as_close() -> None:
    md, feed = listed(ref=95)
    md.apply([feed.trade("ACME", 101, 1), feed.day_end({})])
    t = md.ticker("ACME")
    assert t is not None
    assert t.prev_close_ticks == 101


def test_halt_and_resume_show_on_the_ticker() -> None:
    md, feed = listed()
    md.apply([feed.halt("ACME")])
    assert md.ticker("ACME").halted  # type: ignore[union-attr]
    update = md.apply([feed.resume("ACME")])
    assert not update.tickers[0].halted


def test_unknown_symbol_has_no_ticker() -> None:
    md, _ = listed()
    assert md.ticker("NOPE") is None
    assert [t.symbol for t in md.tickers()] == ["ACME"]


def test_vwap_rounds_half_up_and_an_untraded_day_has_none() -> None:
    md, feed = listed(ref=95)
    md.apply([feed.trade("ACME", 100, 1), feed.trade("ACME", 101, 1)])  # 100.5
    t = md.ticker("ACME")
    assert t is not None and t.vwap_ticks == 101
    md.apply([feed.day_end({})])
    t = md.ticker("ACME")
    assert t is not None and (t.vwap_ticks, t.change_bps) == (0, 0)


def test_published_ticker_is_an_ordinary_immutable_view() -> None:
    md, feed = listed(ref=95)
    update = md.apply([feed.trade("ACME", 99, 3), feed.rest("ACME", Side.BUY, 98, 7)])
    (view,) = update.tickers
    assert type(view) is TickerView
    rebuilt = TickerView(*view.astuple())
    assert rebuilt == view and hash(rebuilt) == hash(view)
    assert pickle.loads(pickle.dumps(view)) == view
    assert repr(view).startswith("TickerView('ACME', ")
    if native.is_compiled():  # interpreted, the fields are read-only to the type checker only
        with pytest.raises(AttributeError):
            view.last_price_ticks = 1  # type: ignore[misc]
    halted = TickerView(*view.astuple()[:-2], True, view.ts_ns)
    assert halted.halted and not view.halted and halted != view
    assert (view.last_price_ticks, view.bid_price_ticks, view.bid_qty) == (99, 98, 7)
