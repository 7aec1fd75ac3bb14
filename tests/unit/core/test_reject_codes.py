"""Every RejectCode is reachable, and each rejection leaves state untouched."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aurex.core.codes import REJECT_REASONS, RejectCode
from aurex.core.commands import (
    AddSymbol,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Deposit,
    HaltSymbol,
    ResumeSymbol,
    SetLimits,
    SetReferencePrice,
    Withdraw,
)
from aurex.core.events import CommandRejected, Event, OrderRejected, OrderRested
from aurex.core.model import OrderType, Side, TimeInForce
from tests.unit.core.desk import Desk, of_type

BUY, SELL = Side.BUY, Side.SELL


def _rest(desk: Desk, account: str, side: Side, qty: int, price: int) -> int:
    return int(of_type(desk.order(account, side, qty, price), OrderRested)[0].order_id)


def _limits(desk: Desk, **overrides: int) -> None:
    values = {
        "max_order_quantity": 1000,
        "max_notional_cents": 10**9,
        "max_open_orders": 100,
        "max_orders_per_day": 100,
    } | overrides
    desk.do(SetLimits(account="alice", **values))


def _amend_resting(desk: Desk, **change: int) -> list[Event]:
    oid = _rest(desk, "alice", BUY, 10, 9_900)
    return desk.do(AmendOrder(account="alice", order_id=oid, **change))


def _max_open(desk: Desk) -> list[Event]:
    _limits(desk, max_open_orders=1)
    desk.order("alice", BUY, 1, 9_900)
    return desk.order("alice", BUY, 1, 9_900)


def _max_daily(desk: Desk) -> list[Event]:
    _limits(desk, max_orders_per_day=1)
    oid = _rest(desk, "alice", BUY, 1, 9_900)
    desk.do(CancelOrder(account="alice", order_id=oid))
    return desk.order("alice", BUY, 1, 9_900)


def _not_amendable(desk: Desk) -> list[Event]:
    events = desk.order("alice", BUY, 5, order_type=OrderType.STOP, stop_price_ticks=10_500)
    oid = events[0].order_id  # type: ignore[attr-defined]
    return desk.do(AmendOrder(account="alice", order_id=oid, quantity=2))


def _halted_order(desk: Desk) -> list[Event]:
    desk.do(HaltSymbol(symbol="ACME"))
    return desk.order("alice", BUY, 1, 9_900)


CASES: dict[RejectCode, Callable[[Desk], list[Event]]] = {
    RejectCode.UNKNOWN_SYMBOL: lambda d: d.order("alice", BUY, 1, 100, symbol="NOPE"),
    RejectCode.SYMBOL_HALTED: _halted_order,
    RejectCode.INVALID_QUANTITY: lambda d: d.order("alice", BUY, 0, 9_900),
    RejectCode.QUANTITY_NOT_LOT_MULTIPLE: lambda d: d.order(
        "alice", BUY, 150, 2_000, symbol="LOTS"
    ),
    RejectCode.INVALID_PRICE: lambda d: d.order("alice", BUY, 1, -5, order_type=OrderType.LIMIT),
    RejectCode.PRICE_OFF_TICK: lambda d: d.order("alice", BUY, 1, 9_901),
    RejectCode.PRICE_OUTSIDE_BAND: lambda d: d.order("alice", BUY, 1, 5_000),
    RejectCode.INVALID_STOP_PRICE: lambda d: d.order(
        "alice", BUY, 1, order_type=OrderType.STOP, stop_price_ticks=9_500
    ),
    RejectCode.POST_ONLY_WOULD_CROSS: lambda d: (
        d.order("bob", SELL, 5, 10_000),
        d.order("alice", BUY, 1, 10_000, post_only=True),
    )[1],
    RejectCode.POST_ONLY_NOT_LIMIT: lambda d: d.order("alice", BUY, 1, post_only=True),
    RejectCode.INVALID_TIME_IN_FORCE: lambda d: d.order(
        "alice", BUY, 1, order_type=OrderType.MARKET, tif=TimeInForce.DAY
    ),
    RejectCode.INVALID_CLIENT_ORDER_ID: lambda d: d.order(
        "alice", BUY, 1, 9_900, client_order_id="has space"
    ),
    RejectCode.UNKNOWN_ACCOUNT: lambda d: d.order("mallory", BUY, 1, 9_900),
    RejectCode.INSUFFICIENT_CASH: lambda d: d.order("alice", BUY, 9_500, 11_000),
    RejectCode.INSUFFICIENT_POSITION: lambda d: d.order("alice", SELL, 10_001, 10_000),
    RejectCode.MAX_ORDER_QUANTITY_EXCEEDED: lambda d: (
        _limits(d, max_order_quantity=5),
        d.order("alice", BUY, 6, 9_900),
    )[1],
    RejectCode.MAX_NOTIONAL_EXCEEDED: lambda d: (
        _limits(d, max_notional_cents=50_000),
        d.order("alice", BUY, 6, 9_900),
    )[1],
    RejectCode.MAX_OPEN_ORDERS_EXCEEDED: _max_open,
    RejectCode.MAX_DAILY_ORDERS_EXCEEDED: _max_daily,
    RejectCode.UNKNOWN_ORDER: lambda d: d.do(CancelOrder(account="alice", order_id=999)),
    RejectCode.ORDER_NOT_AMENDABLE: _not_amendable,
    RejectCode.AMEND_NO_CHANGE: lambda d: _amend_resting(d, quantity=10),
    RejectCode.AMEND_BELOW_FILLED: lambda d: (
        _rest(d, "alice", BUY, 10, 9_900),
        d.order("bob", SELL, 6, 9_900),
        d.do(
            AmendOrder(account="alice", order_id=d.exchange.registry.next_order_id - 2, quantity=6)
        ),
    )[2],
    RejectCode.SYMBOL_EXISTS: lambda d: d.do(
        AddSymbol(symbol="ACME", name="again", reference_price_ticks=100, shares_outstanding=1)
    ),
    RejectCode.INVALID_SYMBOL_SPEC: lambda d: d.do(
        AddSymbol(symbol="lower", name="bad", reference_price_ticks=100, shares_outstanding=1)
    ),
    RejectCode.INVALID_AMOUNT: lambda d: d.do(Deposit(account="alice", cash_cents=-1)),
    RejectCode.SYMBOL_ALREADY_HALTED: lambda d: (
        d.do(HaltSymbol(symbol="ACME")),
        d.do(HaltSymbol(symbol="ACME")),
    )[1],
    RejectCode.SYMBOL_NOT_HALTED: lambda d: d.do(ResumeSymbol(symbol="ACME")),
}


def _invalid_limits(desk: Desk) -> list[Event]:
    return desk.do(
        SetLimits(
            account="alice",
            max_order_quantity=1,
            max_notional_cents=1,
            max_open_orders=0,
            max_orders_per_day=1,
        )
    )


CASES[RejectCode.INVALID_LIMITS] = _invalid_limits
CASES[RejectCode.INVALID_REFERENCE_PRICE] = lambda d: d.do(
    SetReferencePrice(symbol="ACME", reference_price_ticks=10_001)
)
CASES[RejectCode.INVALID_PRICE_BAND] = lambda d: d.do(
    SetReferencePrice(symbol="ACME", reference_price_ticks=10_000, price_band_bps=10_000)
)


def test_every_code_has_a_case_and_a_reason() -> None:
    assert set(CASES) == set(RejectCode)
    assert set(REJECT_REASONS) == set(RejectCode)


@pytest.mark.parametrize("code", list(RejectCode), ids=lambda c: c.name)
def test_rejection_carries_its_code_and_reason(desk: Desk, code: RejectCode) -> None:
    events = CASES[code](desk)
    rejections = [e for e in events if isinstance(e, OrderRejected | CommandRejected)]
    assert [r.code for r in rejections] == [code]
    assert rejections[0].reason == REJECT_REASONS[code]


@pytest.mark.parametrize(
    "command",
    [
        Withdraw(account="alice", cash_cents=100_000_001),
        Withdraw(account="alice", symbol="ACME", shares=10_001),
        CancelAll(account="nobody"),
        AmendOrder(account="alice", order_id=12345, quantity=1),
    ],
    ids=["withdraw-cash", "withdraw-shares", "cancel-all-unknown", "amend-unknown"],
)
def test_refused_command_leaves_state_untouched(desk: Desk, command: object) -> None:
    before = desk.exchange.snapshot()
    events = desk.do(command)  # type: ignore[arg-type]
    assert len(events) == 1 and isinstance(events[0], CommandRejected)
    after = desk.exchange.snapshot()
    assert after.pop("last_seq") == before.pop("last_seq") + 1
    assert after == before


def test_rejected_order_holds_nothing(desk: Desk) -> None:
    alice = desk.exchange.account("alice")
    assert alice is not None
    desk.order("alice", BUY, 9_500, 11_000)
    assert alice.cash_held_cents == 0
    assert alice.open_orders == {}
