"""Administrator commands: moving a reference price and its band, delisting a symbol."""

from __future__ import annotations

from aurex.core.codes import RejectCode
from aurex.core.commands import AddSymbol, DelistSymbol, Deposit, SetReferencePrice
from aurex.core.events import (
    CommandRejected,
    OrderCancelled,
    OrderRejected,
    OrderRested,
    ReferencePriceSet,
    SymbolDelisted,
)
from aurex.core.model import CancelReason, OrderType, Side
from aurex.marketdata import MarketData
from tests.unit.core.desk import Desk, of_type

BUY, SELL = Side.BUY, Side.SELL


def test_order_outside_the_shipped_band_trades_after_the_reference_moves(desk: Desk) -> None:
    # ACME's reference is 100.00 with a 20% band: 130.00 is refused...
    refused = desk.order("alice", BUY, 1, 13_000)
    assert of_type(refused, OrderRejected)[0].code is RejectCode.PRICE_OUTSIDE_BAND
    events = desk.do(
        SetReferencePrice(symbol="ACME", reference_price_ticks=13_000, price_band_bps=500)
    )
    (moved,) = of_type(events, ReferencePriceSet)
    assert (moved.band_low_ticks, moved.band_high_ticks) == (12_350, 13_650)
    # ...and accepted once the reference is 130.00, while 120.00 is now outside.
    assert of_type(desk.order("alice", BUY, 1, 13_000), OrderRested)
    low = desk.order("alice", BUY, 1, 12_000)
    assert of_type(low, OrderRejected)[0].code is RejectCode.PRICE_OUTSIDE_BAND


def test_band_zero_keeps_the_current_band(desk: Desk) -> None:
    events = desk.do(SetReferencePrice(symbol="ACME", reference_price_ticks=20_000))
    (moved,) = of_type(events, ReferencePriceSet)
    assert moved.price_band_bps == 2_000
    assert (moved.band_low_ticks, moved.band_high_ticks) == (16_000, 24_000)


def test_reference_price_of_an_unknown_symbol_is_refused(desk: Desk) -> None:
    events = desk.do(SetReferencePrice(symbol="NOPE", reference_price_ticks=100))
    assert [e.code for e in of_type(events, CommandRejected)] == [RejectCode.UNKNOWN_SYMBOL]


def test_delisting_cancels_open_orders_and_releases_their_holds(desk: Desk) -> None:
    bid = of_type(desk.order("alice", BUY, 10, 9_900), OrderRested)[0].order_id
    ask = of_type(desk.order("bob", SELL, 5, 10_100), OrderRested)[0].order_id
    stop = desk.order("carol", SELL, 3, order_type=OrderType.STOP, stop_price_ticks=9_000)
    stop_id = stop[0].order_id  # type: ignore[attr-defined]
    other = of_type(desk.order("alice", BUY, 100, 2_000, symbol="LOTS"), OrderRested)
    events = desk.do(DelistSymbol(symbol="ACME"))
    cancelled = of_type(events, OrderCancelled)
    assert [c.order_id for c in cancelled] == [bid, ask, stop_id]
    assert {c.reason for c in cancelled} == {CancelReason.ADMIN}
    assert isinstance(events[-1], SymbolDelisted)
    ex = desk.exchange
    assert "ACME" not in ex.markets
    alice, bob = ex.account("alice"), ex.account("bob")
    assert alice is not None and bob is not None
    assert alice.cash_held_cents == 100 * 2_000  # only the LOTS bid still holds cash
    assert list(alice.open_orders) == [other[0].order_id]
    # Holders keep their shares; the symbol no longer trades or takes deposits.
    assert bob.positions["ACME"].shares == 10_000 and bob.positions["ACME"].held == 0
    refused = desk.order("alice", BUY, 1, 9_900)
    assert of_type(refused, OrderRejected)[0].code is RejectCode.UNKNOWN_SYMBOL
    deposit = desk.do(Deposit(account="bob", symbol="ACME", shares=1))
    assert of_type(deposit, CommandRejected)[0].code is RejectCode.UNKNOWN_SYMBOL


def test_delisted_symbol_restores_and_can_be_listed_again(desk: Desk) -> None:
    desk.do(DelistSymbol(symbol="ACME"))
    restored = type(desk.exchange).restore(desk.exchange.snapshot())
    assert restored.state_hash() == desk.exchange.state_hash()
    events = desk.do(
        AddSymbol(
            symbol="ACME", name="Acme again", reference_price_ticks=500, shares_outstanding=10
        )
    )
    assert events and not of_type(events, CommandRejected)


def test_market_data_forgets_a_delisted_symbol_and_keeps_the_index_level(desk: Desk) -> None:
    md = MarketData()
    listing = [
        AddSymbol(symbol="AAA", name="A", reference_price_ticks=10_000, shares_outstanding=1_000),
        AddSymbol(symbol="BBB", name="B", reference_price_ticks=5_000, shares_outstanding=1_000),
    ]
    for cmd in listing:
        md.apply(desk.do(cmd))
    md.apply(desk.do(Deposit(account="alice", symbol="BBB", shares=10)))
    md.apply(desk.order("alice", SELL, 10, 5_000, symbol="BBB"))
    md.recompute_index(1)
    before = md.index()
    assert before is not None
    update = md.apply(desk.do(DelistSymbol(symbol="BBB")))
    assert "BBB" not in md.symbols()
    assert all(t.symbol != "BBB" for t in update.tickers)
    after = md.index()
    assert after is not None
    assert after.value_hundredths == before.value_hundredths
    assert [c.symbol for c in after.constituents if c.symbol == "BBB"] == []
