"""The local L2 book: snapshot, numbered deltas, old deltas skipped, gaps detected."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aurex.client import LocalBook
from aurex.client._book import Gap


def _level(price: str, quantity: int) -> dict[str, object]:
    return {"price": price, "quantity": quantity}


def _change(seq: int, side: str, price: str, quantity: int) -> dict[str, object]:
    return {"seq": seq, "side": side, "price": price, "quantity": quantity}


def _loaded() -> LocalBook:
    book = LocalBook("AAPL")
    book.load(10, [_level("100.00", 5), _level("99.50", 7)], [_level("100.50", 3)])
    return book


def test_snapshot_gives_sorted_levels_with_decimal_prices() -> None:
    book = _loaded()
    assert book.ready and book.seq == 10
    assert book.bids() == [(Decimal("100.00"), 5), (Decimal("99.50"), 7)]
    assert book.asks() == [(Decimal("100.50"), 3)]
    assert book.best_bid() == (Decimal("100.00"), 5)
    assert book.best_ask() == (Decimal("100.50"), 3)


def test_deltas_set_new_totals_and_zero_removes_a_level() -> None:
    book = _loaded()
    applied = book.apply(
        [
            _change(11, "buy", "100.00", 9),
            _change(12, "sell", "100.50", 0),
            _change(13, "sell", "101.00", 4),
        ]
    )
    assert [c.seq for c in applied] == [11, 12, 13]
    assert book.seq == 13
    assert book.bids(1) == [(Decimal("100.00"), 9)]
    assert book.asks() == [(Decimal("101.00"), 4)]


def test_changes_already_in_the_snapshot_are_skipped() -> None:
    book = _loaded()
    applied = book.apply(
        [
            _change(9, "buy", "1.00", 1),
            _change(10, "buy", "2.00", 1),
            _change(11, "buy", "99.50", 0),
        ]
    )
    assert [c.seq for c in applied] == [11]
    assert book.bids() == [(Decimal("100.00"), 5)]


def test_a_skipped_seq_raises_gap_and_unreadies_the_book() -> None:
    book = _loaded()
    with pytest.raises(Gap) as caught:
        book.apply([_change(11, "buy", "100.00", 1), _change(13, "buy", "100.00", 2)])
    assert (caught.value.expected, caught.value.received) == (12, 13)
    assert not book.ready
    book.load(20, [], [])
    assert book.ready and book.bids() == []
