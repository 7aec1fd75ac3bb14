"""Why an order may be cancelled: each cancel reason checked against the shadow.

Split out of ``shadow.py``; these functions read the shadow's book and the
taker currently being matched, as they stand just before the cancel event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aurex.core import commands as c
from aurex.core import events as e
from aurex.core.model import CancelReason, OrderType, StpMode, TimeInForce
from tests.property.pricing import opposite, within
from tests.property.shadow_model import ShadowOrder, State, expect

if TYPE_CHECKING:
    from tests.property.shadow import Shadow

_NEVER_REST = (TimeInForce.IOC, TimeInForce.FOK)


def can_fill(shadow: Shadow, o: ShadowOrder, limit: int) -> bool:
    need = o.remaining
    for price, ids in shadow.priority(o.symbol, opposite(o.side)):
        if not within(o.side, price, limit):
            return False
        for oid in ids:
            maker = shadow.orders[oid]
            if maker.account == o.account:
                if o.stp is StpMode.CANCEL_OLDEST:
                    continue
                return False
            need -= maker.remaining
            if need <= 0:
                return True
    return False


def check_cancel_reason(shadow: Shadow, o: ShadowOrder, reason: CancelReason) -> None:
    cmd, taker = shadow.cmd, shadow.taker
    is_taker = o is taker and o.state is State.ACTIVE
    best = shadow.best(o.symbol, opposite(o.side))
    beyond = best is None or not within(o.side, best[0], shadow.limit)
    if reason is CancelReason.USER_REQUESTED:
        expect(
            isinstance(cmd, c.CancelOrder)
            and cmd.account == o.account
            and (cmd.order_id or shadow.client_ids.get((o.account, cmd.client_order_id)))
            == o.order_id,
            "cancelled an order the command did not name",
        )
    elif reason is CancelReason.CANCEL_ALL:
        expect(
            isinstance(cmd, c.CancelAll)
            and cmd.account == o.account
            and cmd.symbol in ("", o.symbol),
            "cancel-all cancelled an order outside its scope",
        )
    elif reason is CancelReason.FOK_NOT_FILLABLE:
        expect(is_taker and o.tif is TimeInForce.FOK and o.filled == 0, "bad FOK cancel")
        expect(o.fillable is False, "fillable FOK cancelled as not fillable")
    elif reason is CancelReason.IOC_REMAINDER:
        expect(is_taker and o.tif in _NEVER_REST, "IOC_REMAINDER for a non-IOC order")
        expect(o.order_type not in (OrderType.MARKET, OrderType.STOP), "market as IOC")
        expect(beyond, "IOC cancelled while liquidity within its limit remained")
    elif reason in (CancelReason.MARKET_COLLAR, CancelReason.NO_LIQUIDITY):
        expect(is_taker and o.order_type in (OrderType.MARKET, OrderType.STOP), "not market")
        expect(beyond, "market order cancelled while liquidity within the collar remained")
        expect((best is None) == (reason is CancelReason.NO_LIQUIDITY), "wrong market reason")
    elif reason is CancelReason.SELF_TRADE:
        _check_self_trade_cancel(shadow, o, is_taker, best)
    else:
        raise AssertionError(f"unexpected cancel reason {reason!r}")


def _check_self_trade_cancel(
    shadow: Shadow, o: ShadowOrder, is_taker: bool, best: tuple[int, list[int]] | None
) -> None:
    taker = shadow.taker
    expect(taker is not None and taker.state is State.ACTIVE, "self-trade without taker")
    assert taker is not None
    if is_taker:
        if o.stp is StpMode.CANCEL_NEWEST:
            expect(best is not None and within(o.side, best[0], shadow.limit), "no crossing")
            assert best is not None
            head = shadow.orders[best[1][0]]
            expect(head.account == o.account, "STP stop without an own order at the head")
        else:
            prev = shadow.prev
            expect(o.stp is StpMode.CANCEL_BOTH, "CANCEL_OLDEST cancelled the taker")
            expect(
                isinstance(prev, e.OrderCancelled)
                and prev.reason is CancelReason.SELF_TRADE
                and prev.account == o.account
                and prev.was_resting,
                "CANCEL_BOTH without cancelling the resting order first",
            )
        return
    expect(o.state is State.RESTING and o.account == taker.account, "bad STP maker cancel")
    expect(taker.stp is not StpMode.CANCEL_NEWEST, "CANCEL_NEWEST cancelled the resting one")
    ranked = shadow.best(o.symbol, o.side)
    expect(ranked is not None and ranked[1][0] == o.order_id, "STP skipped priority")
    expect(within(taker.side, o.price, shadow.limit), "STP cancel beyond the taker's limit")
