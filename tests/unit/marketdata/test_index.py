"""The TOP10 index: base 1000.00, cap-weighted, divisor-adjusted on new listings."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from aurex.marketdata import MarketData, MarketIndex

from .builders import SECOND_NS, T0, Feed

SHIPPED = {  # symbol: (reference price ticks, shares outstanding) as in data/symbols.json
    "AAPL": (23450, 14840000000),
    "MSFT": (51225, 7430000000),
    "GOOGL": (25110, 12090000000),
    "AMZN": (22830, 10670000000),
    "TSLA": (42890, 3220000000),
    "META": (73240, 2520000000),
    "NFLX": (118560, 425000000),
    "NVDA": (18275, 24300000000),
    "ORCL": (29140, 2810000000),
    "JPM": (30115, 2750000000),
}


def two_stocks() -> tuple[MarketData, Feed]:
    """A: 100 x 1000 shares, B: 50 x 4000 shares; base cap 300 000 -> divisor 300."""
    md, feed = MarketData(), Feed()
    md.apply([feed.listing("A", 100, 1000), feed.listing("B", 50, 4000)])
    return md, feed


def test_index_opens_at_exactly_1000_on_the_shipped_symbols() -> None:
    md, feed = MarketData(), Feed()
    md.apply([feed.listing(s, ref, shares) for s, (ref, shares) in SHIPPED.items()])
    view = md.recompute_index(T0)
    assert view is not None
    assert view.name == "TOP10"
    assert view.value == 1000 and view.value_hundredths == 100_000
    assert (view.day_open, view.day_high, view.day_low) == (Fraction(1000),) * 3
    assert view.change_hundredths == 0 and view.change_percent == 0.0
    assert [c.symbol for c in view.constituents] == list(SHIPPED)
    assert sum(c.weight for c in view.constituents) == 1
    assert sum(c.contribution for c in view.constituents) == view.value


def test_a_price_move_gives_the_hand_computed_value() -> None:
    md, feed = two_stocks()
    assert md.recompute_index(T0) is not None
    md.apply([feed.trade("A", 110, 1)])
    view = md.recompute_index(T0 + SECOND_NS)
    assert view is not None
    assert view.divisor == 300
    assert view.value == Fraction(310_000, 300)  # (110*1000 + 50*4000) / 300
    assert view.value_hundredths == 103_333
    assert view.value_points == pytest.approx(1033.3333)
    assert view.change_hundredths == 3_333 and view.change_bps == 333
    a, b = view.constituents
    assert (a.price_ticks, a.weight, a.change_bps) == (110, Fraction(11, 31), 1000)
    assert a.change_percent == pytest.approx(10.0)
    assert (b.price_ticks, b.weight, b.change_bps) == (50, Fraction(20, 31), 0)
    assert a.weight + b.weight == 1
    assert a.contribution == Fraction(110_000, 300) and b.contribution == Fraction(200_000, 300)
    assert view.day_high == view.value and view.day_low == 1000


def test_recompute_reports_only_when_something_changed() -> None:
    md, feed = two_stocks()
    assert md.recompute_index(T0) is not None
    assert md.recompute_index(T0 + 1) is None
    md.apply([feed.trade("A", 100, 5)])  # same price as before: nothing moves
    assert md.recompute_index(T0 + 2) is None
    md.apply([feed.trade("B", 51, 5)])
    view = md.recompute_index(T0 + 3)
    assert view is not None and view.ts_ns == T0 + 3
    assert md.recompute_index(T0 + 4) is None
    index = md.index()
    assert index is not None and index.value == view.value  # queries do not eat updates


def test_a_new_listing_rescales_the_divisor_so_the_value_does_not_jump() -> None:
    md, feed = two_stocks()
    md.apply([feed.trade("A", 110, 1)])
    before = md.recompute_index(T0)
    assert before is not None
    md.apply([feed.listing("C", 200, 500)])
    after = md.recompute_index(T0 + 1)
    assert after is not None
    assert after.value == before.value == Fraction(310_000, 300)
    assert after.divisor == Fraction(300) * Fraction(410_000, 310_000)
    assert sum(c.weight for c in after.constituents) == 1
    md.apply([feed.trade("C", 220, 1)])  # +10 % on C's 100 000 of cap
    moved = md.recompute_index(T0 + 2)
    assert moved is not None
    assert moved.value == Fraction(420_000) / after.divisor


def test_divisor_stays_put_while_the_constituents_are_unchanged() -> None:
    md, feed = two_stocks()
    md.recompute_index(T0)
    for price in (120, 80, 101):
        md.apply([feed.trade("A", price, 1), feed.trade("B", price // 2, 1)])
        view = md.recompute_index(T0 + price)
        assert view is not None and view.divisor == 300


def test_a_trade_before_the_first_computation_still_bases_on_reference_prices() -> None:
    md, feed = two_stocks()
    md.apply([feed.trade("A", 130, 1)])
    view = md.recompute_index(T0)
    assert view is not None
    assert view.divisor == 300 and view.day_open == 1000
    assert view.value == Fraction(330_000, 300)


def test_day_end_reopens_the_day_at_the_closing_value() -> None:
    md, feed = two_stocks()
    md.recompute_index(T0)
    md.apply([feed.trade("A", 130, 1)])
    md.recompute_index(T0 + 1)
    md.apply([feed.trade("A", 90, 1)])
    low = md.recompute_index(T0 + 2)
    assert low is not None
    assert (low.day_high, low.day_low) == (Fraction(330_000, 300), Fraction(290_000, 300))
    md.apply([feed.day_end({"A": 90, "B": 50})])
    view = md.recompute_index(T0 + 3)
    assert view is not None
    assert view.day_open == view.day_high == view.day_low == view.value == Fraction(290_000, 300)
    assert view.change == 0
    assert [c.change_bps for c in view.constituents] == [0, 0]
    md.apply([feed.trade("A", 99, 1)])
    view = md.recompute_index(T0 + 4)
    assert view is not None
    assert view.change == Fraction(9_000, 300)  # 30 points
    assert view.change_bps == 310  # 30 / 966.67 = 3.103 %
    assert view.constituents[0].change_bps == 1000


def test_no_index_before_any_listing() -> None:
    md = MarketData()
    assert md.index() is None
    assert md.recompute_index(T0) is None


def test_index_state_round_trips_through_plain_data() -> None:
    index = MarketIndex()
    index.add_symbol("A", 100, 1000, T0)
    index.add_symbol("B", 50, 4000, T0)
    index.on_trade("A", 120, T0)
    first = index.recompute(T0)
    copy = MarketIndex()
    copy.load_data(json.loads(json.dumps(index.to_data())))
    again = copy.recompute(T0)
    assert again == first
    copy.add_symbol("C", 10, 10, T0)
    index.add_symbol("C", 10, 10, T0)
    assert copy.view() == index.view()
