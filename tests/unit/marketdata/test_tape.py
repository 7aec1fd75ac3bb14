"""The public trade tape: bounded, newest first, no account names."""

from __future__ import annotations

import pytest

from aurex.core.model import Side
from aurex.marketdata import MarketData, TradePrint

from .builders import T0, Feed


def test_tape_keeps_only_the_most_recent_trades_newest_first() -> None:
    md, feed = MarketData(tape_size=5), Feed()
    md.apply([feed.trade("ACME", 100 + i, 1) for i in range(8)])
    prices = [t.price_ticks for t in md.trades("ACME", limit=None)]
    assert prices == [107, 106, 105, 104, 103]
    assert [t.price_ticks for t in md.trades("ACME", limit=2)] == [107, 106]
    assert md.trades("ACME", limit=0) == []


def test_each_symbol_has_its_own_tape() -> None:
    md, feed = MarketData(), Feed()
    md.apply([feed.trade("AAA", 10, 1), feed.trade("BBB", 20, 2), feed.trade("AAA", 11, 3)])
    assert [t.price_ticks for t in md.trades("AAA")] == [11, 10]
    assert [t.price_ticks for t in md.trades("BBB")] == [20]
    assert md.trades("CCC") == []


def test_prints_carry_trade_facts_but_not_who_traded() -> None:
    md, feed = MarketData(), Feed()
    update = md.apply([feed.trade("ACME", 100, 7, aggressor=Side.SELL)])
    assert update.trades == [TradePrint("ACME", 1, 100, 7, Side.SELL, T0, 1)]
    assert "alice" not in repr(md.trades("ACME")) and "bob" not in repr(md.trades("ACME"))


def test_tape_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        MarketData(tape_size=0)
