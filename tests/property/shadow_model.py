"""The shadow's records of orders and symbols, and the ``expect`` helper."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from aurex.core.model import OrderType, Side, StpMode, TimeInForce


class State(Enum):
    PENDING = "pending"  # a stop waiting for its trigger
    ACTIVE = "active"  # the taker currently being matched
    RESTING = "resting"
    DONE = "done"


def expect(condition: bool, message: str) -> None:
    """Like ``assert`` but never stripped, so the checks always run."""
    if not condition:
        raise AssertionError(message)


@dataclass(eq=False)
class ShadowOrder:
    order_id: int
    account: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    tif: TimeInForce
    quantity: int
    price: int
    stop: int
    post_only: bool
    stp: StpMode
    filled: int = 0
    filled_cost: int = 0
    state: State = State.PENDING
    fillable: bool | None = None  # FOK only: could it fill completely on arrival?

    @property
    def remaining(self) -> int:
        return self.quantity - self.filled


@dataclass
class ShadowSymbol:
    tick: int
    reference: int
    last: int = 0
    halted: bool = False

    @property
    def mark(self) -> int:
        return self.last or self.reference
