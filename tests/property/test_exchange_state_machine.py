"""Hypothesis state machine over the real Exchange.

Random sequences of every command: orders of every type and time in force (see
``machine.py``), cancels, cancel-all, amends, deposits and withdrawals, limits,
halts, end of day and snapshot/restore. After every step the invariants in
``invariants.py`` must hold against the event-built shadow; refused commands
must leave the state untouched; restore must keep the state hash, and the
machine carries on with the restored exchange.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, rule

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core.codes import RejectCode
from aurex.core.events import CommandRejected, OrderAmended, OrderCancelled
from aurex.core.model import CancelReason
from tests.property.invariants import check_exchange
from tests.property.machine import ACCOUNTS, BY_SYMBOL, OrderMachine, accounts, only, symbols
from tests.property.shadow import State, expect


class ExchangeMachine(OrderMachine):
    @rule(
        pick=st.integers(0, 10_000),
        how=st.sampled_from(("id", "id", "cid", "other", "dead", "all")),
        scope=st.sampled_from(("", "AAA", "BBB", "ZZZ")),
    )
    def cancel(self, pick: int, how: str, scope: str) -> None:
        if how == "all":
            self._cancel_all(ACCOUNTS[pick % len(ACCOUNTS)], scope)
            return
        live = sorted(self.shadow.orders)
        if how == "dead" or not live:
            dead = [i for i in range(1, self.shadow.next_order_id) if i not in self.shadow.orders]
            oid = dead[pick % len(dead)] if dead else pick + 1_000_000
            events = self.do(c.CancelOrder(account=ACCOUNTS[pick % 4], order_id=oid))
            expect(only(events, CommandRejected).code is RejectCode.UNKNOWN_ORDER, "bogus")
            return
        o = self.shadow.orders[live[pick % len(live)]]
        if how == "other":
            other = ACCOUNTS[(ACCOUNTS.index(o.account) + 1) % len(ACCOUNTS)]
            events = self.do(c.CancelOrder(account=other, order_id=o.order_id))
            expect(only(events, CommandRejected).code is RejectCode.UNKNOWN_ORDER, "foreign")
            expect(o.order_id in self.shadow.orders, "cancelled someone else's order")
            return
        if how == "cid":
            cmd = c.CancelOrder(account=o.account, client_order_id=o.client_order_id)
        else:
            cmd = c.CancelOrder(account=o.account, order_id=o.order_id)
        done = only(self.do(cmd), OrderCancelled)
        expect(done.order_id == o.order_id and done.reason is CancelReason.USER_REQUESTED, "")

    def _cancel_all(self, account: str, symbol: str) -> None:
        scope = [
            o
            for o in self.shadow.orders.values()
            if o.account == account and symbol in ("", o.symbol)
        ]
        events = self.do(c.CancelAll(account=account, symbol=symbol))
        if symbol == "ZZZ":
            expect(only(events, CommandRejected).code is RejectCode.UNKNOWN_SYMBOL, "")
            return
        cancelled = [ev.order_id for ev in events if isinstance(ev, OrderCancelled)]
        expect(sorted(cancelled) == sorted(o.order_id for o in scope), "cancel-all scope wrong")

    @rule(
        pick=st.integers(0, 10_000),
        how=st.sampled_from(("reduce", "reduce", "increase", "reprice", "both", "same", "stop")),
        lots=st.integers(1, 4),
        ticks=st.integers(-3, 3),
    )
    def amend(self, pick: int, how: str, lots: int, ticks: int) -> None:
        wanted = State.PENDING if how == "stop" else State.RESTING
        targets = sorted(o.order_id for o in self.shadow.orders.values() if o.state is wanted)
        if not targets:
            events = self.do(c.AmendOrder(account="ann", order_id=pick + 10**6, quantity=1))
            expect(only(events, CommandRejected).code is RejectCode.UNKNOWN_ORDER, "")
            return
        o = self.shadow.orders[targets[pick % len(targets)]]
        lst = BY_SYMBOL[o.symbol]
        qty = price = 0
        if how in ("reduce", "both"):
            qty = o.quantity - lots * lst.lot
        elif how in ("increase", "stop"):
            qty = o.quantity + lots * lst.lot
        if how in ("reprice", "both"):
            price = o.price + ticks * lst.tick
        halted, filled, old = self.shadow.symbols[o.symbol].halted, o.filled, o.quantity
        old_price = o.price
        same = qty in (0, o.quantity) and price in (0, o.price)
        cmd = c.AmendOrder(account=o.account, order_id=o.order_id, quantity=qty, price_ticks=price)
        events = self.do(cmd)
        first = events[0]
        if how == "stop":
            code = only(events, CommandRejected).code
            expect(code is RejectCode.ORDER_NOT_AMENDABLE, f"amended a pending stop: {code!r}")
        elif halted:
            expect(only(events, CommandRejected).code is RejectCode.SYMBOL_HALTED, "")
        elif same:
            expect(only(events, CommandRejected).code is RejectCode.AMEND_NO_CHANGE, "")
        elif qty < 0:
            expect(only(events, CommandRejected).code is RejectCode.INVALID_QUANTITY, "")
        elif isinstance(first, CommandRejected):
            expect(first.code in _AMEND_REFUSALS, f"unexpected amend rejection {first.code!r}")
            if first.code is RejectCode.AMEND_BELOW_FILLED:
                expect(0 < qty <= filled, "rejected as below filled although it is not")
            if first.code is RejectCode.PRICE_OUTSIDE_BAND:
                moved = price not in (0, old_price)
                expect(moved and not self.in_band(o.symbol, price), "band refusal without cause")
        else:
            expect(isinstance(first, OrderAmended), f"unexpected {first!r}")
            if price not in (0, old_price):
                expect(self.in_band(o.symbol, price), "amended to a price outside the band")
            if qty and qty < old:
                expect(qty > filled, "amended to at most the filled quantity")

    # -- funds, limits and administration -----------------------------------

    @rule(
        account=accounts,
        symbol=st.sampled_from(("", "AAA", "BBB")),
        amount=st.integers(-1, 900),
        deposit=st.booleans(),
        edge=st.sampled_from(("", "", "available", "just_over", "all")),
    )
    def move_funds(self, account: str, symbol: str, amount: int, deposit: bool, edge: str) -> None:
        """Deposits and withdrawals, the latter often right at the edge of what is free."""
        a = self.ex.accounts[account]
        pos = a.positions.get(symbol)
        if symbol:
            available, total = (pos.available, pos.shares) if pos else (0, 0)
        else:
            available, total, amount = a.available_cash_cents, a.cash_cents, amount * 100
        if not deposit and edge:
            amount = {"available": available, "just_over": available + 1, "all": total}[edge]
        cash, shares = (0, amount) if symbol else (amount, 0)
        if deposit:
            cmd: c.Command = c.Deposit(
                account=account, cash_cents=cash, symbol=symbol, shares=shares
            )
            events = self.do(cmd)
            expect(isinstance(events[0], CommandRejected) == (amount <= 0), "deposit")
            return
        events = self.do(c.Withdraw(account=account, cash_cents=cash, symbol=symbol, shares=shares))
        ok = 0 < amount <= available
        expect(isinstance(events[0], CommandRejected) != ok, f"withdraw of {amount}/{available}")

    @rule(
        what=st.sampled_from(("halt", "resume", "resume", "end_of_day", "limits", "no_limits")),
        symbol=symbols,
        account=accounts,
        n=st.integers(1, 6),
    )
    def administer(self, what: str, symbol: str, account: str, n: int) -> None:
        if what == "halt":
            was = self.shadow.symbols[symbol].halted
            events = self.do(c.HaltSymbol(symbol=symbol))
            expect(isinstance(events[0], CommandRejected) == was, "halt")
        elif what == "resume":
            was = self.shadow.symbols[symbol].halted
            events = self.do(c.ResumeSymbol(symbol=symbol))
            expect(isinstance(events[0], CommandRejected) != was, "resume")
        elif what == "end_of_day":
            self.do(c.EndOfDay())
        else:
            tight = (n * 20, n * 2_000, n, n * 3)
            values = tight if what == "limits" else (1_000_000, 10**11, 10_000, 1_000_000)
            self.do(c.SetLimits(account=account, **dict(zip(_LIMIT_NAMES, values, strict=True))))

    @rule()
    def snapshot_and_restore(self) -> None:
        data = self.ex.snapshot()
        restored = Exchange.restore(json.loads(json.dumps(data)))
        expect(restored.state_hash() == self.ex.state_hash(), "restore changed the state hash")
        expect(restored.snapshot() == data, "restore changed the snapshot")
        self.ex = restored

    @invariant()
    def consistent(self) -> None:
        check_exchange(self.ex, self.shadow)


_AMEND_REFUSALS = (
    RejectCode.AMEND_BELOW_FILLED,
    RejectCode.INSUFFICIENT_CASH,
    RejectCode.INSUFFICIENT_POSITION,
    RejectCode.POST_ONLY_WOULD_CROSS,
    RejectCode.MAX_ORDER_QUANTITY_EXCEEDED,
    RejectCode.MAX_NOTIONAL_EXCEEDED,
    RejectCode.INVALID_QUANTITY,
    RejectCode.PRICE_OUTSIDE_BAND,
)
_LIMIT_NAMES = (
    "max_order_quantity",
    "max_notional_cents",
    "max_open_orders",
    "max_orders_per_day",
)

# AUREX_PROPERTY_EXAMPLES raises the number of runs for a deeper search than CI's.
ExchangeMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("AUREX_PROPERTY_EXAMPLES", "200")),
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestExchangeStateMachine = pytest.mark.slow(ExchangeMachine.TestCase)
