"""An event-driven shadow of the exchange, used by the state machine.

The shadow rebuilds books, order quantities and fund totals from the events
alone and checks every event against what price-time priority allows at that
moment. A fill out of priority, a trade through the book or the taker's limit, a
taker that stops early, or an order that rests when it must not is caught at the
very event that does it, with the command that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from aurex.core import commands as c
from aurex.core import events as e
from aurex.core.model import OrderType, Side, TimeInForce
from tests.property.cancel_rules import can_fill, check_cancel_reason
from tests.property.pricing import collar_limit, opposite, within
from tests.property.shadow_model import ShadowOrder, ShadowSymbol, State, expect

__all__ = ["Shadow", "ShadowOrder", "State", "expect"]

_STOPS = (OrderType.STOP, OrderType.STOP_LIMIT)
_NEVER_REST = (TimeInForce.IOC, TimeInForce.FOK)


class Shadow:
    """Books, orders and fund totals rebuilt from events, checked event by event."""

    def __init__(self, collar_bps: int) -> None:
        self.collar_bps = collar_bps
        self.symbols: dict[str, ShadowSymbol] = {}
        self.orders: dict[int, ShadowOrder] = {}  # live orders only
        self.levels: dict[tuple[str, Side], dict[int, list[int]]] = defaultdict(dict)
        self.client_ids: dict[tuple[str, str], int] = {}  # of live orders only
        self.used_client_ids: set[tuple[str, str]] = set()  # every id ever accepted
        self.cash_total = 0
        self.shares_total: dict[str, int] = defaultdict(int)
        self.next_order_id = 1
        self.next_trade_id = 1
        self.orders_today: dict[str, int] = defaultdict(int)
        self.limits: dict[str, tuple[int, int, int, int]] = {}  # only those set by command
        self.cmd: c.Command = c.EndOfDay()
        self.taker: ShadowOrder | None = None
        self.limit = 0
        self.prev: e.Event | None = None
        self._takers: list[ShadowOrder] = []
        self._finished: list[ShadowOrder] = []
        self._traded: list[int] = []  # trade prices of the current command
        self._handlers: dict[type[e.Event], Callable[[Any], None]] = {
            e.OrderAccepted: self._accepted,
            e.OrderAlreadyAccepted: self._already_accepted,
            e.OrderRejected: self._order_rejected,
            e.CommandRejected: lambda ev: None,
            e.OrderRested: self._rested,
            e.TradeExecuted: self._trade,
            e.OrderCancelled: self._cancelled,
            e.OrderExpired: self._expired,
            e.OrderAmended: self._amended,
            e.OrderTriggered: self._triggered,
            e.FundsDeposited: self._deposited,
            e.FundsWithdrawn: self._withdrawn,
            e.LimitsSet: self._limits_set,
            e.SymbolAdded: self._symbol_added,
            e.SymbolHalted: self._halted,
            e.SymbolResumed: self._resumed,
            e.DayEnded: self._day_ended,
        }

    # -- queries ------------------------------------------------------------

    def priority(self, symbol: str, side: Side) -> list[tuple[int, list[int]]]:
        """Non-empty levels of one side, best price first, each oldest order first."""
        levels = self.levels[(symbol, side)]
        prices = sorted(levels, reverse=side is Side.BUY)
        return [(p, levels[p]) for p in prices if levels[p]]

    def best(self, symbol: str, side: Side) -> tuple[int, list[int]] | None:
        ranked = self.priority(symbol, side)
        return ranked[0] if ranked else None

    def resting(self) -> list[ShadowOrder]:
        return [o for o in self.orders.values() if o.state is State.RESTING]

    # -- driving ------------------------------------------------------------

    def apply(self, cmd: c.Command, events: list[e.Event]) -> None:
        """Check ``events`` as the outcome of ``cmd`` and fold them into the shadow."""
        where = f"{cmd!r} -> {events!r}"
        expect(bool(events) or isinstance(cmd, c.CancelAll), f"no events for {cmd!r}")
        expect(
            all(ev.seq == cmd.seq and ev.ts_ns == cmd.ts_ns for ev in events),
            f"events not stamped with the command's seq/ts: {where}",
        )
        if events and isinstance(
            events[0], e.OrderRejected | e.CommandRejected | e.OrderAlreadyAccepted
        ):
            expect(len(events) == 1, f"a refusal must be the only event: {where}")
        self.cmd, self.taker, self.prev = cmd, None, None
        self._takers, self._finished, self._traded = [], [], []
        for ev in events:
            try:
                self._handlers[type(ev)](ev)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n  at {ev!r}\n  in {where}") from None
            self.prev = ev
        try:
            self._end_command()
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n  in {where}") from None

    def _end_command(self) -> None:
        for o in self._takers:
            expect(o.state is not State.ACTIVE, f"taker {o.order_id} neither rested nor finished")
        for o in self._finished:
            if o.tif is TimeInForce.FOK:
                expect(o.filled in (0, o.quantity), f"FOK {o.order_id} partially filled")
                expect(o.filled == 0 or o.fillable is True, f"FOK {o.order_id} filled unfillable")
                expect(
                    o.fillable is not True or o.filled > 0, f"fillable FOK {o.order_id} not filled"
                )
        cmd = self.cmd
        if isinstance(cmd, c.CancelAll):
            left = [
                o.order_id
                for o in self.orders.values()
                if o.account == cmd.account and cmd.symbol in ("", o.symbol)
            ]
            expect(not left, f"CancelAll left orders {left}")
        if isinstance(cmd, c.EndOfDay):
            left = [o.order_id for o in self.orders.values() if o.tif is TimeInForce.DAY]
            expect(not left, f"DAY orders survived the end of day: {left}")
        for o in self.orders.values():
            if o.state is State.PENDING:
                expect(not self._stop_reached(o), f"stop {o.order_id} reached but not triggered")

    # -- order lifecycle ----------------------------------------------------

    def _accepted(self, ev: e.OrderAccepted) -> None:
        cmd = self.cmd
        expect(isinstance(cmd, c.PlaceOrder), "OrderAccepted outside PlaceOrder")
        assert isinstance(cmd, c.PlaceOrder)
        expect(ev.order_id == self.next_order_id, f"order id {ev.order_id} not sequential")
        self.next_order_id += 1
        self.orders_today[ev.account] += 1
        fields = (cmd.account, cmd.client_order_id, cmd.symbol, cmd.side, cmd.order_type)
        expect(
            fields == (ev.account, ev.client_order_id, ev.symbol, ev.side, ev.order_type)
            and (cmd.tif, cmd.quantity, cmd.price_ticks, cmd.stop_price_ticks, cmd.post_only)
            == (ev.tif, ev.quantity, ev.price_ticks, ev.stop_price_ticks, ev.post_only),
            "accepted order differs from the command",
        )
        key = (cmd.account, cmd.client_order_id)
        expect(key not in self.client_ids, "the client order id of an open order was accepted")
        self.client_ids[key] = ev.order_id
        self.used_client_ids.add(key)
        sym = self.symbols[cmd.symbol]
        expect(not sym.halted, "order accepted in a halted symbol")
        o = ShadowOrder(
            ev.order_id,
            cmd.account,
            cmd.client_order_id,
            cmd.symbol,
            cmd.side,
            cmd.order_type,
            cmd.tif,
            cmd.quantity,
            cmd.price_ticks,
            cmd.stop_price_ticks,
            cmd.post_only,
            cmd.stp,
        )
        self.orders[o.order_id] = o
        if o.order_type in _STOPS:
            expect(not self._stop_reached(o), "stop accepted although already reached")
            return
        if o.order_type is OrderType.MARKET:
            limit = collar_limit(o.side, sym.mark, sym.tick, self.collar_bps)
        else:
            limit = o.price
        if o.post_only:
            best = self.best(o.symbol, opposite(o.side))
            expect(best is None or not within(o.side, best[0], o.price), "post-only crosses")
        self._start_taker(o, limit)

    def _triggered(self, ev: e.OrderTriggered) -> None:
        o = self.orders.get(ev.order_id)
        expect(o is not None and o.state is State.PENDING, "trigger of a non-pending order")
        assert o is not None
        # Stops elected by one trade fire together, even if a fill in between moves back.
        reached = [p for p in self._traded if self._stop_reached(o, p)]
        expect(bool(reached), "stop triggered although no trade reached it")
        sym = self.symbols[o.symbol]
        if o.order_type is OrderType.STOP_LIMIT:
            limit = o.price
        else:
            limit = collar_limit(o.side, sym.mark, sym.tick, self.collar_bps)
            if o.side is Side.BUY:
                limit = min(limit, collar_limit(Side.BUY, o.stop, sym.tick, self.collar_bps))
        self._start_taker(o, limit)

    def _amended(self, ev: e.OrderAmended) -> None:
        cmd = self.cmd
        expect(isinstance(cmd, c.AmendOrder), "OrderAmended outside AmendOrder")
        assert isinstance(cmd, c.AmendOrder)
        o = self.orders.get(ev.order_id)
        expect(o is not None and o.state is State.RESTING, "amended a non-resting order")
        assert o is not None
        expect(o.account == cmd.account and ev.order_id == cmd.order_id, "amended wrong order")
        expect(
            (ev.old_price_ticks, ev.old_remaining) == (o.price, o.remaining),
            "OrderAmended old values disagree with the book",
        )
        new_qty = cmd.quantity or o.quantity
        new_price = cmd.price_ticks or o.price
        expect(
            (ev.quantity, ev.price_ticks, ev.remaining) == (new_qty, new_price, new_qty - o.filled),
            "OrderAmended new values disagree with the command",
        )
        keep = new_price == o.price and new_qty < o.quantity
        expect(ev.kept_priority == keep, f"kept_priority should be {keep}")
        o.quantity = new_qty
        if not keep:
            self._unrest(o)
            o.price = new_price
            self._start_taker(o, new_price)

    def _start_taker(self, o: ShadowOrder, limit: int) -> None:
        prev = self.taker
        expect(prev is None or prev.state is not State.ACTIVE, "two takers at once")
        o.state = State.ACTIVE
        self.taker, self.limit = o, limit
        self._takers.append(o)
        if o.tif is TimeInForce.FOK:
            o.fillable = can_fill(self, o, limit)

    def _trade(self, ev: e.TradeExecuted) -> None:
        expect(ev.buyer != ev.seller, "self-trade")
        expect(ev.trade_id == self.next_trade_id, "trade id not sequential")
        self.next_trade_id += 1
        taker = self.taker
        expect(taker is not None and taker.state is State.ACTIVE, "trade without a taker")
        assert taker is not None
        expect(ev.aggressor is taker.side and ev.symbol == taker.symbol, "wrong aggressor")
        is_buy = taker.side is Side.BUY
        taker_id, maker_id = (
            (ev.buy_order_id, ev.sell_order_id) if is_buy else (ev.sell_order_id, ev.buy_order_id)
        )
        expect(taker_id == taker.order_id, "the taker is not the incoming order")
        expect(not self.symbols[ev.symbol].halted, "trade in a halted symbol")
        expect(not taker.post_only, "a post-only order took liquidity")
        best = self.best(ev.symbol, opposite(taker.side))
        expect(best is not None and best[1][0] == maker_id, "maker is not first in priority")
        assert best is not None
        maker = self.orders[maker_id]
        expect(ev.price_ticks == maker.price == best[0], "trade not at the maker's price")
        expect(within(taker.side, ev.price_ticks, self.limit), "trade beyond the taker's limit")
        expect(ev.quantity == min(taker.remaining, maker.remaining), "fill not maximal")
        buy, sell = (taker, maker) if is_buy else (maker, taker)
        expect((ev.buyer, ev.seller) == (buy.account, sell.account), "wrong accounts")
        maker.filled += ev.quantity
        taker.filled += ev.quantity
        maker.filled_cost += ev.quantity * ev.price_ticks
        taker.filled_cost += ev.quantity * ev.price_ticks
        expect(
            (ev.buy_remaining, ev.sell_remaining) == (buy.remaining, sell.remaining),
            "remaining quantities in the trade disagree",
        )
        self.symbols[ev.symbol].last = ev.price_ticks
        self._traded.append(ev.price_ticks)
        if maker.remaining == 0:
            self._unrest(maker)
            self._finish(maker)
        if taker.remaining == 0:
            self._finish(taker)

    def _rested(self, ev: e.OrderRested) -> None:
        o = self.orders.get(ev.order_id)
        expect(o is not None and o is self.taker, "rested order is not the taker")
        assert o is not None
        expect(o.order_type in (OrderType.LIMIT, OrderType.STOP_LIMIT), "non-limit rested")
        expect(o.tif not in _NEVER_REST, "IOC/FOK order rested")
        expect(
            (ev.account, ev.symbol, ev.side, ev.price_ticks, ev.quantity)
            == (o.account, o.symbol, o.side, o.price, o.remaining),
            "OrderRested fields disagree",
        )
        best = self.best(o.symbol, opposite(o.side))
        expect(best is None or not within(o.side, best[0], o.price), "rests crossing the book")
        self.levels[(o.symbol, o.side)].setdefault(o.price, []).append(o.order_id)
        o.state = State.RESTING

    def _cancelled(self, ev: e.OrderCancelled) -> None:
        o = self.orders.get(ev.order_id)
        expect(o is not None, "cancel of an order that is not live")
        assert o is not None
        expect(
            (ev.account, ev.symbol, ev.side, ev.price_ticks, ev.remaining)
            == (o.account, o.symbol, o.side, o.price, o.remaining)
            and o.remaining > 0,
            "OrderCancelled fields disagree",
        )
        expect(ev.was_resting == (o.state is State.RESTING), "was_resting is wrong")
        check_cancel_reason(self, o, ev.reason)
        self._unrest(o)
        self._finish(o)

    def _expired(self, ev: e.OrderExpired) -> None:
        o = self.orders.get(ev.order_id)
        expect(isinstance(self.cmd, c.EndOfDay), "expiry outside EndOfDay")
        expect(o is not None and o.tif is TimeInForce.DAY, "expired a non-DAY order")
        assert o is not None
        expect(ev.remaining == o.remaining and ev.price_ticks == o.price, "expiry fields")
        expect(ev.was_resting == (o.state is State.RESTING), "was_resting is wrong")
        self._unrest(o)
        self._finish(o)

    def _already_accepted(self, ev: e.OrderAlreadyAccepted) -> None:
        cmd = self.cmd
        assert isinstance(cmd, c.PlaceOrder)
        original = self.client_ids.get((cmd.account, cmd.client_order_id))
        expect(original is not None, "the client order id of an ended order was refused")
        expect(original == ev.order_id, "idempotent retry returned the wrong order")
        expect(ev.account == cmd.account, "idempotent retry answered for another account")

    def _order_rejected(self, ev: e.OrderRejected) -> None:
        cmd = self.cmd
        assert isinstance(cmd, c.PlaceOrder)
        known = (cmd.account, cmd.client_order_id) in self.client_ids
        expect(not known, "an open order's client order id was rejected instead of answered")

    def _unrest(self, o: ShadowOrder) -> None:
        if o.state is State.RESTING:
            level = self.levels[(o.symbol, o.side)][o.price]
            level.remove(o.order_id)
            if not level:
                del self.levels[(o.symbol, o.side)][o.price]

    def _finish(self, o: ShadowOrder) -> None:
        o.state = State.DONE
        del self.orders[o.order_id]
        del self.client_ids[(o.account, o.client_order_id)]  # free to use again
        self._finished.append(o)

    def _stop_reached(self, o: ShadowOrder, price: int = 0) -> bool:
        mark = price or self.symbols[o.symbol].mark
        return mark >= o.stop if o.side is Side.BUY else mark <= o.stop

    # -- funds and administration -------------------------------------------

    def _deposited(self, ev: e.FundsDeposited) -> None:
        self.cash_total += ev.cash_cents
        if ev.symbol:
            self.shares_total[ev.symbol] += ev.shares

    def _withdrawn(self, ev: e.FundsWithdrawn) -> None:
        self.cash_total -= ev.cash_cents
        if ev.symbol:
            self.shares_total[ev.symbol] -= ev.shares

    def _symbol_added(self, ev: e.SymbolAdded) -> None:
        self.symbols[ev.symbol] = ShadowSymbol(ev.tick_size_ticks, ev.reference_price_ticks)

    def _halted(self, ev: e.SymbolHalted) -> None:
        sym = self.symbols[ev.symbol]
        expect(not sym.halted, "halted twice")
        sym.halted = True

    def _resumed(self, ev: e.SymbolResumed) -> None:
        sym = self.symbols[ev.symbol]
        expect(sym.halted, "resumed a running symbol")
        sym.halted = False

    def _limits_set(self, ev: e.LimitsSet) -> None:
        self.limits[ev.account] = (
            ev.max_order_quantity,
            ev.max_notional_cents,
            ev.max_open_orders,
            ev.max_orders_per_day,
        )

    def _day_ended(self, ev: e.DayEnded) -> None:
        self.orders_today.clear()
        marks = {s: sym.mark for s, sym in self.symbols.items()}
        expect(ev.closing_prices == marks, "closing prices are not the marks")
        for sym in self.symbols.values():
            sym.reference = sym.mark
