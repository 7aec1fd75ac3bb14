"""Minimal reproductions of core bugs the property work turned up (see notes/core-bugs.md)."""

from __future__ import annotations

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core.events import Event, OrderAmended
from aurex.core.model import OrderType, Side


class _Desk:
    def __init__(self) -> None:
        self.ex = Exchange()
        self.seq = 0

    def do(self, cmd: c.Command) -> list[Event]:
        self.seq += 1
        cmd.seq, cmd.ts_ns = self.seq, self.seq
        return self.ex.apply(cmd)

    def limit(self, account: str, side: Side, qty: int, price: int) -> list[Event]:
        return self.do(
            c.PlaceOrder(
                account=account,
                client_order_id=f"c{self.seq}",
                symbol="AAA",
                side=side,
                order_type=OrderType.LIMIT,
                quantity=qty,
                price_ticks=price,
            )
        )


def test_quantity_only_reduction_is_accepted_after_the_band_moves_away() -> None:
    """Reducing a resting order must not be refused because the day's band moved.

    The price is unchanged, so the band (a check on new prices) does not apply;
    refusing leaves the user unable to shrink an order they can only cancel.
    """
    desk = _Desk()
    desk.do(
        c.AddSymbol(symbol="AAA", name="A", reference_price_ticks=100, shares_outstanding=10**6)
    )
    for account in ("bob", "sue"):
        desk.do(c.Deposit(account=account, cash_cents=10**7))
        desk.do(c.Deposit(account=account, symbol="AAA", shares=1_000))
    desk.limit("bob", Side.BUY, 10, 85)  # order 1, inside today's band 80..120
    desk.limit("sue", Side.SELL, 1, 115)
    desk.limit("bob", Side.BUY, 1, 115)  # trades at 115
    desk.do(c.EndOfDay())  # new reference 115, band 92..138: order 1 is now outside it
    events = desk.do(c.AmendOrder(account="bob", order_id=1, quantity=5))
    assert isinstance(events[0], OrderAmended), events
    assert events[0].kept_priority
