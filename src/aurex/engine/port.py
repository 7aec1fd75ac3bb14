"""The engine port: the one interface every gateway uses to reach the exchange.

``submit`` a command and get its :class:`Outcome` once it is durable; ``query``
durable state with the typed queries of ``aurex.engine.queries``; ``subscribe`` to
:class:`EngineUpdate` batches (market data, order states, fills, the index). Only
immutable plain data crosses it, so it can later run over a network (DESIGN §3a).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar

from aurex.core.codes import RejectCode
from aurex.core.commands import Command
from aurex.core.events import CommandRejected, Event, OrderRejected
from aurex.engine.bus import Subscription, SubscriptionOverflow
from aurex.engine.queries import Query
from aurex.marketdata import IndexView, MarketDataUpdate
from aurex.readside import Fill, OrderState

T = TypeVar("T")

__all__ = [
    "EnginePort",
    "EngineStatus",
    "EngineUnavailable",
    "EngineUpdate",
    "Outcome",
    "Rejection",
    "Subscription",
    "SubscriptionOverflow",
]


class EngineUnavailable(RuntimeError):
    """The engine is not accepting commands (stopping, or halted after a failure)."""


@dataclass(frozen=True, slots=True)
class Rejection:
    code: RejectCode
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one durable command did.

    ``orders`` holds the current state of every order the command touched, in the
    order first touched (for a ``PlaceOrder``: the new order, the original one for
    a repeated client order id, or a state with status ``REJECTED``). States are
    read when the outcome is built, so they may already include later commands.
    """

    seq: int
    events: tuple[Event, ...]
    orders: tuple[OrderState, ...]

    @property
    def rejection(self) -> Rejection | None:
        for event in self.events:
            if isinstance(event, (OrderRejected, CommandRejected)):
                return Rejection(event.code, event.reason)
        return None

    @property
    def order(self) -> OrderState | None:
        """The first order touched (the placed one, for a ``PlaceOrder``)."""
        return self.orders[0] if self.orders else None


@dataclass(frozen=True, slots=True)
class EngineUpdate:
    """What one durable batch (or one index tick) changed, for streaming gateways.

    ``market`` is None for an index-only update; ``index`` is set when the index
    moved. ``orders`` and ``fills`` carry their accounts: gateways route them to
    each account's private channel.
    """

    seq: int
    market: MarketDataUpdate | None
    orders: tuple[OrderState, ...]
    fills: tuple[Fill, ...]
    index: IndexView | None


@dataclass(frozen=True, slots=True)
class EngineStatus:
    accepting: bool
    last_seq: int
    durable_seq: int


class EnginePort(Protocol):
    """What gateways, the simulation and the account adapter may ask of the engine."""

    async def submit(self, command: Command) -> Outcome:
        """Sequence ``command``; return its outcome once durable.

        Raises ``EngineUnavailable`` when the engine does not accept commands and
        ``ValueError`` when a field does not hold exactly its declared type.
        """
        ...

    async def query(self, query: Query[T]) -> T:
        """Answer ``query`` from durable state (never ahead of acknowledgements)."""
        ...

    def subscribe(self, name: str, maxsize: int = 1024) -> Subscription[EngineUpdate]:
        """A bounded feed of updates; overflowing drops the subscription (see bus)."""
        ...

    def unsubscribe(self, subscription: Subscription[EngineUpdate]) -> None: ...

    def status(self) -> EngineStatus: ...
