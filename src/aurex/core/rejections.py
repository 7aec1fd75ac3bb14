"""The events that refuse a command, each with its stable code and reason text."""

from __future__ import annotations

from aurex.core.codes import RejectCode, reason_for
from aurex.core.commands import Command, PlaceOrder
from aurex.core.events import CommandRejected, OrderAlreadyAccepted, OrderRejected


def command_rejected(cmd: Command, account: str, code: RejectCode) -> CommandRejected:
    """A non-order command was refused."""
    return CommandRejected(
        seq=cmd.seq,
        ts_ns=cmd.ts_ns,
        command=type(cmd).__name__,
        account=account,
        code=code,
        reason=reason_for(code),
    )


def order_rejected(cmd: PlaceOrder, code: RejectCode) -> OrderRejected:
    """A new order was refused."""
    return OrderRejected(
        seq=cmd.seq,
        ts_ns=cmd.ts_ns,
        account=cmd.account,
        client_order_id=cmd.client_order_id,
        symbol=cmd.symbol,
        code=code,
        reason=reason_for(code),
    )


def already_accepted(cmd: PlaceOrder, order_id: int) -> OrderAlreadyAccepted:
    """A repeated client order id of an open order: the idempotent answer."""
    return OrderAlreadyAccepted(
        seq=cmd.seq,
        ts_ns=cmd.ts_ns,
        order_id=order_id,
        account=cmd.account,
        client_order_id=cmd.client_order_id,
    )
