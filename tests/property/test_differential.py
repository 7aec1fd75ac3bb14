"""Differential test: the real exchange against the simple reference book.

One seeded random stream of limit orders (GTC, DAY, IOC, FOK, some post-only),
market orders, cancels, amends and end-of-day commands on several symbols and
forty accounts drives both. Every command must have the same outcome on both
sides (accepted order id or rejection code, trades with price, quantity and both
order ids, cancellations with remaining quantity and reason, expiries), and the
resting books must be identical at the end.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core import events as e
from aurex.core.model import CancelReason, OrderType, Side, StpMode, TimeInForce
from tests.property.reference_book import Outcome, ReferenceExchange

COMMANDS = 100_000
SEED = 20_261_128
ACCOUNTS = [f"acct{i:02d}" for i in range(40)]
BAND_BPS = 3_000


@dataclass
class Listing:
    symbol: str
    reference: int
    tick: int
    center: int = 0  # drifting centre of the prices generated, in ticks from the reference


LISTINGS = (Listing("AAA", 100, 1), Listing("BBB", 2_000, 5), Listing("CCC", 50, 1))


def outcome_of(events: list[e.Event]) -> Outcome:
    """Project real events onto the reference's terms."""
    out = Outcome()
    for ev in events:
        if isinstance(ev, e.OrderAccepted):
            out.order_id = ev.order_id
        elif isinstance(ev, e.OrderRejected | e.CommandRejected):
            out.rejected = ev.code
        elif isinstance(ev, e.TradeExecuted):
            trade = (ev.symbol, ev.price_ticks, ev.quantity, ev.buy_order_id, ev.sell_order_id)
            out.trades.append(trade)
        elif isinstance(ev, e.OrderCancelled):
            out.cancels.append((ev.order_id, ev.remaining, ev.reason))
        elif isinstance(ev, e.OrderExpired):
            out.expired.append(ev.order_id)
    return out


class StreamDriver:
    """Generates the next command from a seeded RNG and the reference's live orders."""

    def __init__(self, rng: random.Random, ref: ReferenceExchange) -> None:
        self.rng = rng
        self.ref = ref

    def next(self) -> tuple[c.Command, Outcome]:
        rng, ref = self.rng, self.ref
        roll = rng.random()
        if roll < 0.0005:
            return c.EndOfDay(), ref.end_of_day()
        if roll < 0.62:
            return self._limit()
        if roll < 0.70:
            return self._market()
        if roll < 0.90:
            return self._cancel()
        return self._amend()

    def _price(self, lst: Listing) -> int:
        if self.rng.random() < 0.01:
            lst.center = max(-8, min(8, lst.center + self.rng.choice((-1, 1))))
        off = lst.center + round(self.rng.triangular(-10, 10))
        return lst.reference + off * lst.tick

    def _stp(self) -> StpMode:
        roll = self.rng.random()
        if roll < 0.8:
            return StpMode.CANCEL_NEWEST
        return StpMode.CANCEL_OLDEST if roll < 0.9 else StpMode.CANCEL_BOTH

    def _qty(self) -> int:
        return self.rng.randint(1, 20) if self.rng.random() < 0.95 else self.rng.randint(20, 150)

    def _limit(self) -> tuple[c.Command, Outcome]:
        rng = self.rng
        lst = rng.choice(LISTINGS)
        tif = rng.choices(list(TimeInForce), weights=(70, 10, 10, 10))[0]
        post_only = tif in (TimeInForce.GTC, TimeInForce.DAY) and rng.random() < 0.1
        return self._order(lst, OrderType.LIMIT, tif, self._price(lst), post_only)

    def _market(self) -> tuple[c.Command, Outcome]:
        tif = TimeInForce.IOC if self.rng.random() < 0.8 else TimeInForce.FOK
        return self._order(self.rng.choice(LISTINGS), OrderType.MARKET, tif, 0, False)

    def _order(
        self, lst: Listing, order_type: OrderType, tif: TimeInForce, price: int, post_only: bool
    ) -> tuple[c.Command, Outcome]:
        rng = self.rng
        account, side, qty, stp = (
            rng.choice(ACCOUNTS),
            rng.choice(list(Side)),
            self._qty(),
            self._stp(),
        )
        cmd = c.PlaceOrder(
            account=account,
            client_order_id=f"o{self.ref.next_order_id}-{rng.random():.6f}",
            symbol=lst.symbol,
            side=side,
            order_type=order_type,
            quantity=qty,
            tif=tif,
            price_ticks=price,
            post_only=post_only,
            stp=stp,
        )
        args = (account, lst.symbol, side, order_type, tif, qty, price, post_only, stp)
        return cmd, self.ref.place(*args)

    def _pick(self) -> tuple[int, str, int, int, str]:
        """A live order (id, owner, quantity, price, symbol), or a bogus one."""
        rng, live = self.rng, self.ref.live
        if not live or rng.random() < 0.03:
            return rng.randint(1, self.ref.next_order_id + 5), rng.choice(ACCOUNTS), 1, 100, "AAA"
        order_id = rng.choice(list(live))
        symbol, order = live[order_id]
        owner = order.account if rng.random() < 0.97 else rng.choice(ACCOUNTS)
        return order_id, owner, order.quantity, order.price, symbol

    def _cancel(self) -> tuple[c.Command, Outcome]:
        order_id, owner, _, _, _ = self._pick()
        return c.CancelOrder(account=owner, order_id=order_id), self.ref.cancel(owner, order_id)

    def _amend(self) -> tuple[c.Command, Outcome]:
        rng = self.rng
        order_id, owner, quantity, price, symbol = self._pick()
        lst = next(lst for lst in LISTINGS if lst.symbol == symbol)
        new_qty = rng.choice(
            (0, max(1, quantity - rng.randint(1, 5)), quantity + rng.randint(1, 9))
        )
        new_price = rng.choice((0, 0, price, self._price(lst)))
        cmd = c.AmendOrder(
            account=owner, order_id=order_id, quantity=new_qty, price_ticks=new_price
        )
        return cmd, self.ref.amend(owner, order_id, new_qty, new_price)


def _open(ex: Exchange, ref: ReferenceExchange) -> int:
    seq = 0
    setup: list[c.Command] = []
    for lst in LISTINGS:
        ref.add_symbol(lst.symbol, lst.reference, lst.tick, BAND_BPS)
        setup.append(
            c.AddSymbol(
                symbol=lst.symbol,
                name=lst.symbol,
                reference_price_ticks=lst.reference,
                shares_outstanding=10**9,
                tick_size_ticks=lst.tick,
                price_band_bps=BAND_BPS,
            )
        )
    for account in ACCOUNTS:
        setup.append(c.Deposit(account=account, cash_cents=10**13))
        setup.extend(
            c.Deposit(account=account, symbol=lst.symbol, shares=10**9) for lst in LISTINGS
        )
        setup.append(
            c.SetLimits(
                account=account,
                max_order_quantity=10**6,
                max_notional_cents=10**15,
                max_open_orders=10**6,
                max_orders_per_day=10**7,
            )
        )
    for cmd in setup:
        seq += 1
        cmd.seq, cmd.ts_ns = seq, seq
        refused = [ev for ev in ex.apply(cmd) if isinstance(ev, e.CommandRejected)]
        assert not refused, refused
    return seq


def _real_book(ex: Exchange, symbol: str) -> list[tuple[Side, int, int, int]]:
    return [
        (o.side, o.price_ticks, o.order_id, o.remaining) for o in ex.markets[symbol].book.orders()
    ]


def test_real_matching_agrees_with_reference_book_over_100k_commands() -> None:
    ex = Exchange()
    ref = ReferenceExchange(ex.config.collar_bps)
    seq = _open(ex, ref)
    driver = StreamDriver(random.Random(SEED), ref)
    seen: Counter[str] = Counter()
    for i in range(COMMANDS):
        cmd, expected = driver.next()
        seq += 1
        cmd.seq, cmd.ts_ns = seq, seq * 1_000
        events = ex.apply(cmd)
        actual = outcome_of(events)
        assert actual == expected, f"command #{i} {cmd!r}\n real: {actual}\n  ref: {expected}"
        seen["trades"] += len(actual.trades)
        seen.update(reason.name for _, _, reason in actual.cancels)
        seen["rejected"] += actual.rejected is not None
        seen["expired"] += len(actual.expired)
    for lst in LISTINGS:
        assert _real_book(ex, lst.symbol) == ref.book(lst.symbol), f"{lst.symbol} books differ"
    print(f"\ndifferential run over {COMMANDS} commands: {dict(seen)}")
    # The stream must have exercised every path it is meant to compare.
    for reason in CancelReason:
        if reason not in (CancelReason.CANCEL_ALL, CancelReason.ADMIN):
            assert seen[reason.name] > 0, f"the stream never produced {reason.name}"
    assert seen["trades"] > COMMANDS // 10 and seen["expired"] > 0 and seen["rejected"] > 0
