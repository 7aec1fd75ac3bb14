"""The read side's fold agrees with the core's own order state, command by command.

Every event batch the core produces goes to an ``OrderLedger``, as the engine
feeds it. After each command: every order the core holds has, in the ledger, the
same status, filled quantity and cost, leaves (the core's remaining), price and
quantity; every order the core has let go is terminal there with no leaves and
exactly the fills its trades add up to; each account's open orders, oldest first,
are the core's; and a client order id finds the open order that holds it. Driven by
the seeded streams of every command and by the Hypothesis state machine (with
snapshot/restore of the exchange in between).
"""

from __future__ import annotations

import copy
import json
import os
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core import events as e
from aurex.core.model import Order, OrderStatus, Side
from aurex.readside import Fill, OrderLedger, OrderState, touched_orders
from tests.property.command_stream import random_stream
from tests.property.shadow import expect
from tests.property.test_exchange_state_machine import ExchangeMachine

_ENDED = (OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED)


class ReadSideCheck:
    """An ``OrderLedger`` fed like the engine feeds it, compared with the core."""

    def __init__(self) -> None:
        self.ledger = OrderLedger()
        self.traded: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # id -> [qty, cost]
        self.accepted: set[int] = set()

    def feed(self, ex: Exchange, cmd: c.Command, events: list[e.Event]) -> None:
        """Fold the batch ``cmd`` produced, then compare everything it touched."""
        update = self.ledger.apply(events)
        touched: set[int] = set()
        for ev in events:
            touched.update(touched_orders(ev))
            if isinstance(ev, e.OrderAccepted):
                self.accepted.add(ev.order_id)
            elif isinstance(ev, e.TradeExecuted):
                for oid in (ev.buy_order_id, ev.sell_order_id):
                    self.traded[oid][0] += ev.quantity
                    self.traded[oid][1] += ev.quantity * ev.price_ticks
        self._check_update(cmd, events, update.orders, update.fills)
        for oid in touched:
            live = ex.registry.orders.get(oid)
            if live is None:
                self.check_ended(oid)
            else:
                self.check_live(live)
        live_orders = ex.registry.orders
        expect(
            self.ledger.live_count == len(live_orders),
            f"ledger holds {self.ledger.live_count} live orders, the core {len(live_orders)}",
        )

    def check_all(self, ex: Exchange) -> None:
        """Every order ever accepted, and every account's open orders."""
        for order in ex.registry.orders.values():
            self.check_live(order)
        for oid in self.accepted - set(ex.registry.orders):
            self.check_ended(oid)
        for account_id, account in ex.accounts.items():
            ledger_ids = [s.order_id for s in self.ledger.open_orders(account_id)]
            expect(
                ledger_ids == list(account.open_orders),
                f"{account_id} open orders: ledger {ledger_ids}, core {list(account.open_orders)}",
            )
            for cid, oid in account.client_order_ids.items():
                found = self.ledger.by_client_id(account_id, cid)
                expect(
                    found is not None and found.order_id == oid,
                    f"{account_id} client order id {cid!r} finds {found}, not order {oid}",
                )
            for symbol in ex.markets:
                mine = [o.order_id for o in account.open_orders.values() if o.symbol == symbol]
                seen = [s.order_id for s in self.ledger.open_orders(account_id, symbol)]
                expect(seen == mine, f"{account_id} open orders in {symbol} differ")

    def check_live(self, order: Order) -> None:
        state = self.ledger.get(order.order_id)
        expect(state is not None, f"live order {order.order_id} unknown to the ledger")
        assert state is not None
        core = (
            order.account,
            order.client_order_id,
            order.symbol,
            order.side,
            order.order_type,
            order.tif,
            order.post_only,
            order.stop_price_ticks,
            order.status,
            order.filled,
            order.remaining,
            order.price_ticks,
            order.quantity,
            order.filled_cost_cents,
            order.accepted_seq,
        )
        folded = (
            state.account,
            state.client_order_id,
            state.symbol,
            state.side,
            state.order_type,
            state.tif,
            state.post_only,
            state.stop_price_ticks,
            state.status,
            state.filled,
            state.leaves,
            state.price_ticks,
            state.quantity,
            state.filled_cost_cents,
            state.accepted_seq,
        )
        expect(folded == core, f"order {order.order_id}: folded {folded} != core {core}")
        expect(state.is_open, f"live order {order.order_id} is {state.status.name} in the ledger")

    def check_ended(self, oid: int) -> None:
        state = self.ledger.get(oid)
        expect(state is not None, f"ended order {oid} unknown to the ledger")
        assert state is not None
        expect(state.status in _ENDED, f"order {oid} ended in the core, {state.status.name} here")
        expect(state.leaves == 0, f"ended order {oid} has leaves {state.leaves}")
        qty, cost = self.traded.get(oid, (0, 0))
        expect(
            (state.filled, state.filled_cost_cents) == (qty, cost),
            f"order {oid} filled {state.filled}/{state.filled_cost_cents}, trades {qty}/{cost}",
        )
        expect(
            (state.status is OrderStatus.FILLED) == (qty == state.quantity),
            f"order {oid} is {state.status.name} with {qty} of {state.quantity} filled",
        )

    def _check_update(
        self, cmd: c.Command, events: list[e.Event], orders: list[OrderState], fills: list[Fill]
    ) -> None:
        """Trades give one fill per side, buyer first; a refused order is reported rejected."""
        trades = [ev for ev in events if isinstance(ev, e.TradeExecuted)]
        expect(len(fills) == 2 * len(trades), f"{len(fills)} fills for {len(trades)} trades")
        sides = [(t, Side.BUY, t.buy_order_id) for t in trades]
        sides += [(t, Side.SELL, t.sell_order_id) for t in trades]
        sides.sort(key=lambda x: (x[0].trade_id, x[1]))
        for fill, (trade, side, oid) in zip(fills, sides, strict=True):
            got = (fill.trade_id, fill.order_id, fill.side, fill.quantity, fill.price_ticks)
            want = (trade.trade_id, oid, side, trade.quantity, trade.price_ticks)
            expect(got == want, f"fill {got} != {want}")
            expect(fill.is_maker == (side is not trade.aggressor), f"maker flag of {fill}")
            state = self.ledger.get(oid)
            expect(
                state is None
                or (fill.account, fill.client_order_id) == (state.account, state.client_order_id),
                f"fill {fill} names another owner",
            )
        rejected = [ev for ev in events if isinstance(ev, e.OrderRejected)]
        if rejected:
            assert isinstance(cmd, c.PlaceOrder)
            (state,) = orders
            expect(
                (state.status, state.reject_code, state.client_order_id, state.order_id)
                == (OrderStatus.REJECTED, int(rejected[0].code), cmd.client_order_id, 0),
                f"rejection folded as {state}",
            )


def _restored_ledger(ledger: OrderLedger) -> OrderLedger:
    """Round-trip the ledger through JSON text, as the engine's snapshot extra is stored."""
    again = OrderLedger()
    again.restore(json.loads(json.dumps(ledger.snapshot())))
    return again


@pytest.mark.parametrize("seed", [5, 2027])
def test_fold_matches_the_core_over_seeded_streams(seed: int) -> None:
    ex = Exchange()
    check = ReadSideCheck()
    stream = random_stream(seed, 6_000)
    for i, cmd in enumerate(stream):
        events = ex.apply(copy.copy(cmd))
        check.feed(ex, cmd, events)
        if i % 250 == 0:
            check.check_all(ex)
        if i % 1_500 == 0:
            check.ledger = _restored_ledger(check.ledger)
            ex = Exchange.restore(json.loads(json.dumps(ex.snapshot())))
    check.check_all(ex)
    statuses = {check.ledger.get(oid).status for oid in check.accepted}  # type: ignore[union-attr]
    assert statuses >= {
        OrderStatus.NEW,
        OrderStatus.PARTIALLY_FILLED,
        OrderStatus.FILLED,
        OrderStatus.CANCELLED,
        OrderStatus.EXPIRED,
        OrderStatus.PENDING_TRIGGER,
    }, statuses


class ReadSideMachine(ExchangeMachine):
    """The exchange state machine with a ledger fed every batch and checked every step."""

    def __init__(self) -> None:
        super().__init__()
        self.read_side = ReadSideCheck()

    def do(self, cmd: c.Command) -> list[e.Event]:
        events = super().do(cmd)
        self.read_side.feed(self.ex, cmd, events)
        return events

    @invariant()
    def read_side_agrees(self) -> None:
        self.read_side.check_all(self.ex)


ReadSideMachine.TestCase.settings = settings(
    max_examples=int(os.environ.get("AUREX_PROPERTY_EXAMPLES", "60")),
    stateful_step_count=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestReadSideMachine = pytest.mark.slow(ReadSideMachine.TestCase)
