"""Turn a batch of engine events into the rows the projector writes (no I/O).

``referenced_orders``/``referenced_symbols`` say which existing rows a batch needs;
``plan_batch`` folds the events over those rows and returns everything to insert and
update. Order rows and fills are states made by the read side's one fold
(``readside.order_state``: ``accepted``, ``evolve``, ``fill_for``), converted by
``store.order_rows``; trades, ledger entries, cash and shares follow the events exactly.
Holds (cash or shares reserved by open orders) are *not* projected: the events do not
carry the price a buy is held at, so the engine remains the authority for buying
power; ``accounts.cash_cents`` and ``positions.shares`` are settled totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aurex.core.events import (
    DayEnded,
    Event,
    FundsDeposited,
    FundsWithdrawn,
    OrderAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderTriggered,
    SymbolAdded,
    SymbolDelisted,
    SymbolHalted,
    SymbolResumed,
    TradeExecuted,
)
from aurex.readside.order_state import OrderState, accepted, evolve, fill_for
from aurex.store.order_rows import Row, changed_columns, fill_row, millis, order_row

_ORDER_EVENTS = (OrderAmended, OrderCancelled, OrderExpired, OrderTriggered)
_STOCK_EVENTS = (TradeExecuted, SymbolHalted, SymbolResumed, SymbolDelisted)


class ProjectionError(Exception):
    """Events refer to rows the database does not have: the projection is inconsistent."""


@dataclass(slots=True)
class BatchPlan:
    """Everything one batch changes, grouped per table."""

    last_seq: int = 0
    new_orders: dict[int, Row] = field(default_factory=dict)
    changed_orders: dict[int, Row] = field(default_factory=dict)
    """Order id -> the ``ORDER_STATE_COLUMNS`` of an order stored before the batch."""
    trades: list[Row] = field(default_factory=list)
    fills: list[Row] = field(default_factory=list)
    ledger: list[Row] = field(default_factory=list)
    cash_deltas: dict[str, int] = field(default_factory=dict)
    share_deltas: dict[tuple[str, str], int] = field(default_factory=dict)
    account_seq: dict[str, int] = field(default_factory=dict)
    position_seq: dict[tuple[str, str], int] = field(default_factory=dict)
    new_stocks: dict[str, Row] = field(default_factory=dict)
    changed_stocks: dict[str, Row] = field(default_factory=dict)

    @property
    def accounts(self) -> set[str]:
        return set(self.account_seq)


def as_datetime(ts_ns: int) -> datetime:
    return datetime.fromtimestamp(ts_ns / 1e9, UTC)


def referenced_orders(events: Iterable[Event]) -> set[int]:
    """Order ids the batch updates but does not itself insert."""
    accepted: set[int] = set()
    needed: set[int] = set()
    for event in events:
        if isinstance(event, OrderAccepted):
            accepted.add(event.order_id)
        elif isinstance(event, TradeExecuted):
            needed.update((event.buy_order_id, event.sell_order_id))
        elif isinstance(event, _ORDER_EVENTS):
            needed.add(event.order_id)
    return needed - accepted


def referenced_symbols(events: Iterable[Event]) -> set[str]:
    """Symbols whose ``stocks`` row the batch changes."""
    symbols: set[str] = set()
    for event in events:
        if isinstance(event, (*_STOCK_EVENTS, SymbolAdded)):
            symbols.add(event.symbol)
        elif isinstance(event, DayEnded):
            symbols.update(event.closing_prices)
    return symbols


class _Planner:
    def __init__(self, orders: Mapping[int, OrderState], stocks: Mapping[str, Row]) -> None:
        self.plan = BatchPlan()
        self.states: dict[int, OrderState] = {}
        """Every order the batch touched, as of the latest event folded."""
        self.new_ids: set[int] = set()
        self.known_orders = orders
        self.known_stocks = stocks

    def evolve(self, order_id: int, event: Event) -> OrderState:
        """Fold ``event`` into the order's state (stored or accepted in this batch)."""
        state = self.states.get(order_id)
        if state is None:
            state = self.known_orders.get(order_id)
        if state is None:
            raise ProjectionError(f"event for order {order_id} which was never accepted")
        state = self.states[order_id] = evolve(state, event)
        return state

    def finish(self) -> BatchPlan:
        plan = self.plan
        for order_id, state in self.states.items():
            if order_id in self.new_ids:
                plan.new_orders[order_id] = order_row(state)
            else:
                plan.changed_orders[order_id] = changed_columns(state)
        return plan

    def stock(self, symbol: str) -> Row | None:
        plan = self.plan
        row = plan.new_stocks.get(symbol) or plan.changed_stocks.get(symbol)
        if row is None and symbol in self.known_stocks:
            row = plan.changed_stocks[symbol] = dict(self.known_stocks[symbol])
        return row

    def money(self, event: Event, account: str, cash: int, symbol: str, shares: int) -> None:
        plan = self.plan
        plan.cash_deltas[account] = plan.cash_deltas.get(account, 0) + cash
        plan.account_seq[account] = event.seq
        if symbol and shares:
            key = (account, symbol)
            plan.share_deltas[key] = plan.share_deltas.get(key, 0) + shares
            plan.position_seq[key] = event.seq

    def ledger(
        self,
        event: Event,
        account: str,
        kind: str,
        cash: int,
        symbol: str,
        shares: int,
        trade_id: int | None = None,
        order_id: int | None = None,
    ) -> None:
        self.money(event, account, cash, symbol, shares)
        self.plan.ledger.append(
            {
                "seq": event.seq,
                "user_id": account,
                "kind": kind,
                "cash_delta_cents": cash,
                "symbol": symbol or None,
                "share_delta": shares,
                "trade_id": trade_id,
                "order_id": order_id,
                "timestamp_ms": millis(event.ts_ns),
            }
        )

    def apply(self, event: Event) -> None:
        self.plan.last_seq = max(self.plan.last_seq, event.seq)
        match event:
            case OrderAccepted():
                self.states[event.order_id] = accepted(event)
                self.new_ids.add(event.order_id)
            case TradeExecuted():
                self.traded(event)
            case OrderCancelled() | OrderExpired() | OrderAmended() | OrderTriggered():
                self.evolve(event.order_id, event)
            case FundsDeposited():
                self.ledger(
                    event, event.account, "deposit", event.cash_cents, event.symbol, event.shares
                )
            case FundsWithdrawn():
                self.ledger(
                    event,
                    event.account,
                    "withdrawal",
                    -event.cash_cents,
                    event.symbol,
                    -event.shares,
                )
            case SymbolAdded():
                self.listed(event)
            case SymbolDelisted():
                stock = self.stock(event.symbol)
                if stock is not None:
                    stock["delisted_at"] = stock["updated_at"] = as_datetime(event.ts_ns)
            case SymbolHalted() | SymbolResumed():
                stock = self.stock(event.symbol)
                if stock is not None:
                    stock["halted"] = isinstance(event, SymbolHalted)
                    stock["updated_at"] = as_datetime(event.ts_ns)
            case DayEnded():
                for symbol, close in event.closing_prices.items():
                    stock = self.stock(symbol)
                    if stock is not None:
                        stock.update(previous_close=close, volume=0)
                        stock["updated_at"] = as_datetime(event.ts_ns)
            case _:
                pass  # rejections, resting, limits: nothing to store

    def traded(self, event: TradeExecuted) -> None:
        notional = event.price_ticks * event.quantity
        for order_id in (event.buy_order_id, event.sell_order_id):
            self.plan.fills.append(fill_row(fill_for(self.evolve(order_id, event), event)))
        self.plan.trades.append(
            {
                "trade_id": event.trade_id,
                "buy_order_id": event.buy_order_id,
                "sell_order_id": event.sell_order_id,
                "symbol": event.symbol,
                "quantity": event.quantity,
                "price": event.price_ticks,
                "buyer_id": event.buyer,
                "seller_id": event.seller,
                "aggressor": int(event.aggressor),
                "timestamp_ms": millis(event.ts_ns),
                "seq": event.seq,
            }
        )
        self.ledger(
            event,
            event.buyer,
            "buy",
            -notional,
            event.symbol,
            event.quantity,
            event.trade_id,
            event.buy_order_id,
        )
        self.ledger(
            event,
            event.seller,
            "sell",
            notional,
            event.symbol,
            -event.quantity,
            event.trade_id,
            event.sell_order_id,
        )
        stock = self.stock(event.symbol)
        if stock is not None:
            stock["last_price"] = event.price_ticks
            stock["volume"] += event.quantity
            stock["market_cap_cents"] = event.price_ticks * stock["shares_outstanding"]
            stock["updated_at"] = as_datetime(event.ts_ns)

    def listed(self, event: SymbolAdded) -> None:
        """A new row, or for a symbol listed again after a delisting, its row anew."""
        listing = {
            "symbol": event.symbol,
            "company_name": event.name,
            "last_price": event.reference_price_ticks,
            "bid_price": None,
            "ask_price": None,
            "volume": 0,
            "market_cap_cents": event.reference_price_ticks * event.shares_outstanding,
            "shares_outstanding": event.shares_outstanding,
            "previous_close": event.reference_price_ticks,
            "tick_size": event.tick_size_ticks,
            "lot_size": event.lot_size,
            "halted": False,
            "delisted_at": None,
            "updated_at": as_datetime(event.ts_ns),
        }
        stock = self.stock(event.symbol)
        if stock is None:
            self.plan.new_stocks[event.symbol] = listing
        elif stock["delisted_at"] is not None:
            stock.update(listing)


def plan_batch(
    events: Sequence[Event], orders: Mapping[int, OrderState], stocks: Mapping[str, Row]
) -> BatchPlan:
    """Fold ``events`` (ascending seq) over the stored states of the orders they touch
    (see :func:`referenced_orders`) and the existing ``stocks`` rows."""
    planner = _Planner(orders, stocks)
    for event in events:
        planner.apply(event)
    return planner.finish()
