"""The one read side of orders: a pure fold from core events to each order's state.

``evolve(state, event)`` is the fold for one order; :class:`OrderLedger` applies it
to whole event batches and keeps the states of live orders plus a bounded window of
recently ended ones. The database projector, the REST and WebSocket answers and the
gRPC/TCP order status all read states made here; no gateway re-derives a status.

Conventions follow FIX execution reports: ``leaves`` is the quantity still working
(0 once an order is filled, cancelled or expired), ``filled`` the cumulative fill,
``filled_cost_cents`` the sum of price x quantity over fills, so the average fill
price is ``filled_cost_cents / filled`` (exact, as a fraction of ticks).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from fractions import Fraction
from typing import Any, NamedTuple

from aurex.core.events import (
    Event,
    OrderAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
    OrderTriggered,
    TradeExecuted,
)
from aurex.core.model import OrderStatus, OrderType, Side, TimeInForce

TERMINAL = frozenset(
    {OrderStatus.FILLED, OrderStatus.CANCELLED, OrderStatus.EXPIRED, OrderStatus.REJECTED}
)
_STOP_TYPES = (OrderType.STOP, OrderType.STOP_LIMIT)
_ORDER_EVENTS = (OrderAmended, OrderCancelled, OrderExpired, OrderTriggered)


class OrderState(NamedTuple):
    """An order as a reader sees it after some event. ``order_id`` is 0 for a rejection."""

    order_id: int
    account: str
    client_order_id: str
    symbol: str
    side: Side
    order_type: OrderType
    tif: TimeInForce
    post_only: bool
    quantity: int
    price_ticks: int
    stop_price_ticks: int
    status: OrderStatus
    filled: int
    leaves: int
    filled_cost_cents: int
    cancel_reason: int
    """``CancelReason`` value when cancelled, else 0."""
    reject_code: int
    """``RejectCode`` value when rejected, else 0."""
    reject_reason: str
    created_ts_ns: int
    updated_ts_ns: int
    accepted_seq: int
    updated_seq: int

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    @property
    def average_price_ticks(self) -> Fraction | None:
        """The exact average fill price, or None before the first fill."""
        return Fraction(self.filled_cost_cents, self.filled) if self.filled else None


class Fill(NamedTuple):
    """One side of a trade, as the order's owner sees it."""

    trade_id: int
    order_id: int
    account: str
    client_order_id: str
    symbol: str
    side: Side
    price_ticks: int
    quantity: int
    is_maker: bool
    order_filled: int
    order_leaves: int
    ts_ns: int
    seq: int


def accepted(event: OrderAccepted) -> OrderState:
    """The state of a newly accepted order (a stop waits for its trigger)."""
    status = OrderStatus.PENDING_TRIGGER if event.order_type in _STOP_TYPES else OrderStatus.NEW
    return OrderState(
        event.order_id,
        event.account,
        event.client_order_id,
        event.symbol,
        event.side,
        event.order_type,
        event.tif,
        event.post_only,
        event.quantity,
        event.price_ticks,
        event.stop_price_ticks,
        status,
        0,
        event.quantity,
        0,
        0,
        0,
        "",
        event.ts_ns,
        event.ts_ns,
        event.seq,
        event.seq,
    )


def rejected(event: OrderRejected) -> OrderState:
    """A refused order: it never got an id and never rests."""
    return OrderState(
        0,
        event.account,
        event.client_order_id,
        event.symbol,
        Side.BUY,
        OrderType.LIMIT,
        TimeInForce.GTC,
        False,
        0,
        0,
        0,
        OrderStatus.REJECTED,
        0,
        0,
        0,
        0,
        int(event.code),
        event.reason,
        event.ts_ns,
        event.ts_ns,
        event.seq,
        event.seq,
    )


def evolve(state: OrderState, event: Event) -> OrderState:
    """``state`` after ``event`` (which must concern ``state.order_id``)."""
    kind = type(event)
    if kind is TradeExecuted:
        assert isinstance(event, TradeExecuted)
        if state.order_id == event.buy_order_id:
            leaves = event.buy_remaining
        elif state.order_id == event.sell_order_id:
            leaves = event.sell_remaining
        else:
            raise ValueError(f"trade {event.trade_id} does not involve order {state.order_id}")
        status = OrderStatus.FILLED if leaves == 0 else OrderStatus.PARTIALLY_FILLED
        return state._replace(
            status=status,
            filled=state.filled + event.quantity,
            leaves=leaves,
            filled_cost_cents=state.filled_cost_cents + event.price_ticks * event.quantity,
            updated_ts_ns=event.ts_ns,
            updated_seq=event.seq,
        )
    if kind is OrderCancelled:
        assert isinstance(event, OrderCancelled)
        return state._replace(
            status=OrderStatus.CANCELLED,
            leaves=0,
            cancel_reason=int(event.reason),
            updated_ts_ns=event.ts_ns,
            updated_seq=event.seq,
        )
    if kind is OrderExpired:
        return state._replace(
            status=OrderStatus.EXPIRED, leaves=0, updated_ts_ns=event.ts_ns, updated_seq=event.seq
        )
    if kind is OrderAmended:
        assert isinstance(event, OrderAmended)
        return state._replace(
            quantity=event.quantity,
            price_ticks=event.price_ticks,
            leaves=event.remaining,
            updated_ts_ns=event.ts_ns,
            updated_seq=event.seq,
        )
    if kind is OrderTriggered:
        status = OrderStatus.NEW if state.status is OrderStatus.PENDING_TRIGGER else state.status
        return state._replace(status=status, updated_ts_ns=event.ts_ns, updated_seq=event.seq)
    raise ValueError(f"{kind.__name__} does not change an order's state")


def touched_orders(event: Event) -> tuple[int, ...]:
    """Ids of the orders ``event`` changes (the new one for ``OrderAccepted``)."""
    if isinstance(event, TradeExecuted):
        return (event.buy_order_id, event.sell_order_id)
    if isinstance(event, (OrderAccepted, *_ORDER_EVENTS)):
        return (event.order_id,)
    return ()


def fill_for(state: OrderState, trade: TradeExecuted) -> Fill:
    """``trade`` seen by the owner of ``state`` (the order's state after the trade)."""
    side = Side.BUY if state.order_id == trade.buy_order_id else Side.SELL
    return Fill(
        trade.trade_id,
        state.order_id,
        state.account,
        state.client_order_id,
        trade.symbol,
        side,
        trade.price_ticks,
        trade.quantity,
        side is not trade.aggressor,
        state.filled,
        state.leaves,
        trade.ts_ns,
        trade.seq,
    )


class LedgerUpdate(NamedTuple):
    """What one batch changed: each order's new state (in event order) and the fills."""

    orders: list[OrderState]
    fills: list[Fill]


class OrderLedger:
    """Order states of live orders, plus the most recently ended ones (bounded).

    Fed every durable event batch, so everything it answers has been acknowledged.
    Older ended orders are read from the database projection.
    """

    def __init__(self, recent_limit: int = 100_000) -> None:
        self._live: dict[int, OrderState] = {}
        self._recent: OrderedDict[int, OrderState] = OrderedDict()
        self._recent_limit = recent_limit
        self._by_account: dict[str, dict[int, None]] = {}
        self._by_client_id: dict[tuple[str, str], int] = {}

    def apply(self, events: Iterable[Event]) -> LedgerUpdate:
        """Fold a batch of events (ascending seq) and report what changed."""
        changed: list[OrderState] = []
        fills: list[Fill] = []
        for event in events:
            kind = type(event)
            if kind is OrderAccepted:
                assert isinstance(event, OrderAccepted)
                state = accepted(event)
                self._live[state.order_id] = state
                self._by_account.setdefault(state.account, {})[state.order_id] = None
                self._by_client_id[(state.account, state.client_order_id)] = state.order_id
                changed.append(state)
            elif kind is OrderRejected:
                assert isinstance(event, OrderRejected)
                changed.append(rejected(event))
            elif kind is TradeExecuted:
                assert isinstance(event, TradeExecuted)
                for order_id in (event.buy_order_id, event.sell_order_id):
                    after = self._update(order_id, event)
                    if after is not None:
                        changed.append(after)
                        fills.append(fill_for(after, event))
            elif kind in _ORDER_EVENTS:
                after = self._update(event.order_id, event)  # type: ignore[attr-defined]
                if after is not None:
                    changed.append(after)
        return LedgerUpdate(changed, fills)

    def _update(self, order_id: int, event: Event) -> OrderState | None:
        old = self._live.get(order_id)
        if old is None:
            return None  # accepted before this ledger started (see seed)
        state = evolve(old, event)
        if state.is_open:
            self._live[order_id] = state
        else:
            self._end(state)
        return state

    def _end(self, state: OrderState) -> None:
        del self._live[state.order_id]
        account_orders = self._by_account.get(state.account)
        if account_orders is not None:
            account_orders.pop(state.order_id, None)
            if not account_orders:
                del self._by_account[state.account]
        self._recent[state.order_id] = state
        while len(self._recent) > self._recent_limit:
            _, evicted = self._recent.popitem(last=False)
            key = (evicted.account, evicted.client_order_id)
            if self._by_client_id.get(key) == evicted.order_id:
                del self._by_client_id[key]

    # -- queries -------------------------------------------------------------

    def get(self, order_id: int) -> OrderState | None:
        """A live or recently ended order."""
        state = self._live.get(order_id)
        return state if state is not None else self._recent.get(order_id)

    def by_client_id(self, account: str, client_order_id: str) -> OrderState | None:
        """The newest order of ``account`` with this client order id (live or recent)."""
        order_id = self._by_client_id.get((account, client_order_id))
        return None if order_id is None else self.get(order_id)

    def open_orders(self, account: str, symbol: str = "") -> list[OrderState]:
        """Live orders of ``account`` (optionally in one symbol), oldest first."""
        ids = self._by_account.get(account, {})
        live = self._live
        return [live[i] for i in ids if not symbol or live[i].symbol == symbol]

    @property
    def live_count(self) -> int:
        return len(self._live)

    # -- persistence -----------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Live and recent states as plain lists (enums as ints)."""
        return {
            "live": [list(s) for s in self._live.values()],
            "recent": [list(s) for s in self._recent.values()],
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace all state with a :meth:`snapshot`."""
        self.__init__(self._recent_limit)  # type: ignore[misc]
        for row in data["recent"]:
            state = _from_row(row)
            self._recent[state.order_id] = state
            self._by_client_id[(state.account, state.client_order_id)] = state.order_id
        for row in data["live"]:
            state = _from_row(row)
            self._live[state.order_id] = state
            self._by_account.setdefault(state.account, {})[state.order_id] = None
            self._by_client_id[(state.account, state.client_order_id)] = state.order_id


# Enum members by value (each enum numbers its members 0, 1, 2, ...): restoring a
# snapshot converts four fields of up to ~150k rows, and an Enum call costs ~1 us.
_SIDES = tuple(Side)
_ORDER_TYPES = tuple(OrderType)
_TIFS = tuple(TimeInForce)
_STATUSES = tuple(OrderStatus)
_new_tuple = tuple.__new__  # NamedTuple._make without its Python frame


def _from_row(row: list[Any]) -> OrderState:
    """An ``OrderState`` from a snapshot row (enums as ints); reuses ``row``."""
    row[4] = _SIDES[row[4]]
    row[5] = _ORDER_TYPES[row[5]]
    row[6] = _TIFS[row[6]]
    row[11] = _STATUSES[row[11]]
    return _new_tuple(OrderState, row)
