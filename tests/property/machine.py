"""The order-placing half of the exchange state machine.

Two small symbols whose prices sit a few ticks around the reference, so orders
cross often, and four funded accounts. ``do`` stamps and applies a command, feeds
the events to the shadow (which checks each one) and makes sure a refused command
changed nothing. The place rules check the risk and validation outcome on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core.codes import RejectCode
from aurex.core.events import (
    CommandRejected,
    Event,
    OrderAccepted,
    OrderAlreadyAccepted,
    OrderRejected,
)
from aurex.core.model import OrderType, Side, StpMode, TimeInForce
from tests.property.pricing import collar_limit, opposite, within
from tests.property.shadow import Shadow, expect


@dataclass(frozen=True)
class Listing:
    symbol: str
    reference: int
    tick: int
    lot: int


LISTINGS = (Listing("AAA", 100, 1, 1), Listing("BBB", 1000, 5, 10))
BY_SYMBOL = {lst.symbol: lst for lst in LISTINGS}
ACCOUNTS = ("ann", "bob", "cat", "dan")
START_CASH = 600_000
START_SHARES = {"AAA": 400, "BBB": 2_000}
BAND_BPS = 3_000

_REFUSALS = (OrderRejected, CommandRejected, OrderAlreadyAccepted)
_PRICED = (OrderType.LIMIT, OrderType.STOP_LIMIT)
_STOPS = (OrderType.STOP, OrderType.STOP_LIMIT)

accounts = st.sampled_from(ACCOUNTS)
symbols = st.sampled_from([lst.symbol for lst in LISTINGS])


@dataclass(frozen=True)
class Ticket:
    """Who trades what: the part every order rule shares."""

    account: str
    symbol: str
    side: Side
    lots: int

    @property
    def listing(self) -> Listing:
        return BY_SYMBOL[self.symbol]


tickets = st.builds(Ticket, accounts, symbols, st.sampled_from(Side), st.integers(1, 8))


def without_seq(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot minus ``last_seq``, which every command moves, refused or not."""
    return {k: v for k, v in snapshot.items() if k != "last_seq"}


def only(events: list[Event], kind: type[Event]) -> Any:
    """The single event of ``kind`` that ``events`` must consist of."""
    expect(len(events) == 1 and isinstance(events[0], kind), f"expected one {kind.__name__}")
    return events[0]


class OrderMachine(RuleBasedStateMachine):
    """The exchange, its shadow, the opening state and the rules that place orders."""

    def __init__(self) -> None:
        super().__init__()
        self.ex = Exchange()
        self.shadow = Shadow(self.ex.config.collar_bps)
        self.seq = 0
        self.next_cid = 0

    def do(self, cmd: c.Command) -> list[Event]:
        """Stamp, apply and check one command."""
        self.seq += 1
        cmd.seq, cmd.ts_ns = self.seq, 1_000_000_000 + 1_000 * self.seq
        before = without_seq(self.ex.snapshot())
        events = self.ex.apply(cmd)
        self.shadow.apply(cmd, events)
        if not events or isinstance(events[0], _REFUSALS):
            after = without_seq(self.ex.snapshot())
            expect(after == before, f"refused {cmd!r} changed the state: {events!r}")
        return events

    @initialize()
    def open_market(self) -> None:
        for lst in LISTINGS:
            self.do(
                c.AddSymbol(
                    symbol=lst.symbol,
                    name=f"{lst.symbol} Corp",
                    reference_price_ticks=lst.reference,
                    shares_outstanding=1_000_000,
                    tick_size_ticks=lst.tick,
                    lot_size=lst.lot,
                    price_band_bps=BAND_BPS,
                )
            )
        for account in ACCOUNTS:
            self.do(c.Deposit(account=account, cash_cents=START_CASH))
            for symbol, shares in START_SHARES.items():
                self.do(c.Deposit(account=account, symbol=symbol, shares=shares))
        # A ladder of resting orders near the reference, a level beyond the market
        # collar on each side, and stops one and two ticks away, so that takers trade,
        # market orders meet the collar and stops fire.
        for i, account in enumerate(ACCOUNTS * 2):
            for lst in LISTINGS:
                far = lst.reference * 15 // 100
                for side, sign in ((Side.BUY, -1), (Side.SELL, 1)):
                    off = far if i == 7 else (1 + i % 3) * lst.tick
                    t = Ticket(account, lst.symbol, side, 1 + i % 2)
                    price = lst.reference + sign * off
                    stp = StpMode(i % 3)
                    self._place(t, OrderType.LIMIT, TimeInForce.GTC, price, 0, False, stp)
                    stop = lst.reference - sign * (1 + i % 2) * lst.tick
                    tif = TimeInForce(i // 2 % 4)
                    if i % 2:
                        self._place(t, OrderType.STOP, tif, 0, stop, False, stp)
                    else:
                        limit = stop - sign * lst.tick
                        self._place(t, OrderType.STOP_LIMIT, tif, limit, stop, False, stp)

    # -- orders -------------------------------------------------------------

    @rule(
        t=tickets,
        tif=st.sampled_from((TimeInForce.GTC, TimeInForce.GTC, TimeInForce.DAY)),
        price_off=st.integers(-3, 3) | st.integers(-25, 25),
        post_only=st.sampled_from((False, False, True)),
        stp=st.sampled_from(StpMode),
        reuse_cid=st.sampled_from((False, False, False, True)),
    )
    def place_limit(
        self,
        t: Ticket,
        tif: TimeInForce,
        price_off: int,
        post_only: bool,
        stp: StpMode,
        reuse_cid: bool,
    ) -> None:
        price = t.listing.reference + price_off * t.listing.tick
        self._place(t, OrderType.LIMIT, tif, price, 0, post_only, stp, reuse_cid=reuse_cid)

    @rule(
        t=tickets,
        market=st.booleans(),
        tif=st.sampled_from((TimeInForce.IOC, TimeInForce.FOK)),
        price_off=st.integers(-1, 5),
        stp=st.sampled_from(StpMode),
        size=st.sampled_from((1, 1, 1, 6, 30)),
        reuse_cid=st.sampled_from((False, False, False, True)),
    )
    def place_taker(
        self,
        t: Ticket,
        market: bool,
        tif: TimeInForce,
        price_off: int,
        stp: StpMode,
        size: int,
        reuse_cid: bool,
    ) -> None:
        t = Ticket(t.account, t.symbol, t.side, t.lots * size)
        if market:
            self._place(t, OrderType.MARKET, tif, 0, 0, False, stp, reuse_cid=reuse_cid)
        else:
            through = price_off if t.side is Side.BUY else -price_off
            price = t.listing.reference + through * t.listing.tick
            self._place(t, OrderType.LIMIT, tif, price, 0, False, stp, reuse_cid=reuse_cid)

    @rule(
        t=tickets,
        limit=st.booleans(),
        tif=st.sampled_from(TimeInForce),
        price_off=st.integers(-5, 5),
        stop_off=st.sampled_from((1, 1, 1, 2, 3, 0, -1)),
        stp=st.sampled_from(StpMode),
    )
    def place_stop(
        self,
        t: Ticket,
        limit: bool,
        tif: TimeInForce,
        price_off: int,
        stop_off: int,
        stp: StpMode,
    ) -> None:
        tick = t.listing.tick
        mark = self.shadow.symbols[t.symbol].mark
        stop = mark + (stop_off if t.side is Side.BUY else -stop_off) * tick
        if limit:
            price = t.listing.reference + price_off * tick
            self._place(t, OrderType.STOP_LIMIT, tif, price, stop, False, stp)
        else:
            self._place(t, OrderType.STOP, tif, 0, stop, False, stp)

    @rule(
        t=tickets,
        order_type=st.sampled_from(OrderType),
        tif=st.sampled_from(TimeInForce),
        price_off=st.integers(-40, 40),
        stop_off=st.integers(-3, 3),
        post_only=st.booleans(),
        qty=st.sampled_from((None, None, 0, -1, 1, 11)),
        reuse_cid=st.sampled_from((False, False, False, True)),
    )
    def place_anything(
        self,
        t: Ticket,
        order_type: OrderType,
        tif: TimeInForce,
        price_off: int,
        stop_off: int,
        post_only: bool,
        qty: int | None,
        reuse_cid: bool,
    ) -> None:
        """Any combination, many of them invalid: each must be refused cleanly."""
        tick = t.listing.tick
        price = t.listing.reference + price_off * tick if order_type in _PRICED else 0
        stop = self.shadow.symbols[t.symbol].mark + stop_off * tick if stop_off else 0
        stp = StpMode.CANCEL_NEWEST
        self._place(t, order_type, tif, price, stop, post_only, stp, qty=qty, reuse_cid=reuse_cid)

    def _place(
        self,
        t: Ticket,
        order_type: OrderType,
        tif: TimeInForce,
        price: int,
        stop: int,
        post_only: bool,
        stp: StpMode,
        *,
        qty: int | None = None,
        reuse_cid: bool = False,
    ) -> None:
        if qty is None:
            qty = t.lots * t.listing.lot
        cid = self._client_order_id(t.account, reuse_cid)
        cmd = c.PlaceOrder(
            account=t.account,
            client_order_id=cid,
            symbol=t.symbol,
            side=t.side,
            order_type=order_type,
            quantity=qty,
            tif=tif,
            price_ticks=price,
            stop_price_ticks=stop,
            post_only=post_only,
            stp=stp,
        )
        known = (t.account, cid) in self.shadow.client_ids
        halted = self.shadow.symbols[t.symbol].halted
        crosses = self._crosses(t.symbol, t.side, price)
        checks = self._risk_view(cmd)
        events = self.do(cmd)
        first = events[0]
        if known:
            only(events, OrderAlreadyAccepted)
            return
        if halted:
            expect(only(events, OrderRejected).code is RejectCode.SYMBOL_HALTED, "halt ignored")
            return
        if isinstance(first, OrderRejected):
            failed = checks.get(first.code)
            expect(failed is None or failed, f"rejected {first.code.name} without cause")
            if first.code is RejectCode.POST_ONLY_WOULD_CROSS:
                expect(post_only and crosses, "post-only rejected although it would not cross")
            if first.code is RejectCode.PRICE_OUTSIDE_BAND:
                banded = [p for p in (price, stop) if p > 0]
                ok = all(self.in_band(t.symbol, p) for p in banded)
                expect(not ok, "rejected as outside the band although it is inside")
            return
        expect(isinstance(first, OrderAccepted), f"unexpected first event {first!r}")
        broken = [code.name for code, failed in checks.items() if failed]
        expect(not broken, f"accepted an order breaking {broken}")
        expect(qty > 0 and qty % t.listing.lot == 0, "accepted a bad quantity")
        banded = [p for p in (price, stop) if p > 0]
        expect(all(self.in_band(t.symbol, p) for p in banded), "accepted outside the band")
        if order_type is OrderType.MARKET:
            expect(tif in (TimeInForce.IOC, TimeInForce.FOK), "accepted a resting market order")
        if post_only:
            ok = order_type is OrderType.LIMIT and tif in (TimeInForce.GTC, TimeInForce.DAY)
            expect(ok and not crosses, "accepted an invalid or crossing post-only order")

    def _client_order_id(self, account: str, reuse: bool) -> str:
        """A fresh id, or (``reuse``) one this account used before: open or ended alike."""
        if reuse:
            mine = sorted(cid for (acct, cid) in self.shadow.used_client_ids if acct == account)
            if mine:
                return mine[self.seq % len(mine)]
        self.next_cid += 1
        return f"c{self.next_cid}"

    def in_band(self, symbol: str, price: int) -> bool:
        """Within the band around the current reference (the previous close)?"""
        ref = self.shadow.symbols[symbol].reference
        width = ref * BAND_BPS // 10_000
        return ref - width <= price <= ref + width

    def _crosses(self, symbol: str, side: Side, price: int) -> bool:
        best = self.shadow.best(symbol, opposite(side))
        return best is not None and price > 0 and within(side, best[0], price)

    def _risk_view(self, cmd: c.PlaceOrder) -> dict[RejectCode, bool]:
        """For each risk code, whether the order breaks that rule right now."""
        account = self.ex.accounts[cmd.account]
        sym = self.shadow.symbols[cmd.symbol]
        lim = account.limits
        collar = self.ex.config.collar_bps
        if cmd.order_type in _PRICED:
            hold = cmd.price_ticks
        elif cmd.order_type is OrderType.STOP:
            hold = collar_limit(Side.BUY, cmd.stop_price_ticks, sym.tick, collar)
        else:
            hold = collar_limit(Side.BUY, sym.mark, sym.tick, collar)
        buy = cmd.side is Side.BUY
        notional = (hold if buy else cmd.price_ticks or sym.mark) * cmd.quantity
        pos = account.positions.get(cmd.symbol)
        shares = pos.available if pos is not None else 0
        return {
            RejectCode.INSUFFICIENT_CASH: buy
            and hold * cmd.quantity > account.available_cash_cents,
            RejectCode.INSUFFICIENT_POSITION: not buy and cmd.quantity > shares,
            RejectCode.MAX_ORDER_QUANTITY_EXCEEDED: cmd.quantity > lim.max_order_quantity,
            RejectCode.MAX_NOTIONAL_EXCEEDED: notional > lim.max_notional_cents,
            RejectCode.MAX_OPEN_ORDERS_EXCEEDED: len(account.open_orders) >= lim.max_open_orders,
            RejectCode.MAX_DAILY_ORDERS_EXCEEDED: account.orders_today >= lim.max_orders_per_day,
        }
