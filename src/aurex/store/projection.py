"""Turn a batch of engine events into the rows the projector writes (no I/O).

``referenced_orders``/``referenced_symbols`` say which existing rows a batch needs;
``plan_batch`` folds the events over those rows and returns everything to insert and
update. Orders, trades, ledger entries, cash and shares follow the events exactly.
Holds (cash or shares reserved by open orders) are *not* projected: the events do not
carry the price a buy is held at, so the engine remains the authority for buying
power; ``accounts.cash_cents`` and ``positions.shares`` are settled totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
    SymbolHalted,
    SymbolResumed,
    TradeExecuted,
)
from aurex.core.model import OrderStatus, OrderType

Row = dict[str, Any]

ORDER_STATE_COLUMNS = (
    "quantity",
    "price",
    "filled_quantity",
    "filled_cost_cents",
    "status",
    "cancel_reason",
    "updated_seq",
)
"""The order columns events can change after acceptance."""

_ORDER_EVENTS = (OrderAmended, OrderCancelled, OrderExpired, OrderTriggered)
_STOCK_EVENTS = (TradeExecuted, SymbolHalted, SymbolResumed)


class ProjectionError(Exception):
    """Events refer to rows the database does not have: the projection is inconsistent."""


@dataclass(slots=True)
class BatchPlan:
    """Everything one batch changes, grouped per table."""

    last_seq: int = 0
    new_orders: dict[int, Row] = field(default_factory=dict)
    changed_orders: dict[int, Row] = field(default_factory=dict)
    trades: list[Row] = field(default_factory=list)
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


def millis(ts_ns: int) -> int:
    return ts_ns // 1_000_000


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
    def __init__(self, orders: Mapping[int, Row], stocks: Mapping[str, Row]) -> None:
        self.plan = BatchPlan()
        self.known_orders = orders
        self.known_stocks = stocks

    def order(self, order_id: int) -> Row:
        plan = self.plan
        row = plan.new_orders.get(order_id) or plan.changed_orders.get(order_id)
        if row is None:
            existing = self.known_orders.get(order_id)
            if existing is None:
                raise ProjectionError(f"event for order {order_id} which was never accepted")
            row = plan.changed_orders[order_id] = {c: existing[c] for c in ORDER_STATE_COLUMNS}
        return row

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
                self.accepted(event)
            case TradeExecuted():
                self.traded(event)
            case OrderCancelled():
                row = self.order(event.order_id)
                row.update(status=OrderStatus.CANCELLED.name, cancel_reason=int(event.reason))
                row["updated_seq"] = event.seq
            case OrderExpired():
                row = self.order(event.order_id)
                row.update(status=OrderStatus.EXPIRED.name, updated_seq=event.seq)
            case OrderAmended():
                row = self.order(event.order_id)
                row.update(quantity=event.quantity, price=event.price_ticks, updated_seq=event.seq)
            case OrderTriggered():
                row = self.order(event.order_id)
                if row["status"] == OrderStatus.PENDING_TRIGGER.name:
                    row["status"] = OrderStatus.NEW.name
                row["updated_seq"] = event.seq
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

    def accepted(self, event: OrderAccepted) -> None:
        pending = event.order_type in (OrderType.STOP, OrderType.STOP_LIMIT)
        status = OrderStatus.PENDING_TRIGGER if pending else OrderStatus.NEW
        self.plan.new_orders[event.order_id] = {
            "order_id": event.order_id,
            "user_id": event.account,
            "client_order_id": event.client_order_id,
            "symbol": event.symbol,
            "side": int(event.side),
            "type": int(event.order_type),
            "tif": int(event.tif),
            "post_only": event.post_only,
            "quantity": event.quantity,
            "price": event.price_ticks,
            "stop_price": event.stop_price_ticks,
            "filled_quantity": 0,
            "filled_cost_cents": 0,
            "status": status.name,
            "cancel_reason": None,
            "timestamp_ms": millis(event.ts_ns),
            "accepted_seq": event.seq,
            "updated_seq": event.seq,
        }

    def traded(self, event: TradeExecuted) -> None:
        notional = event.price_ticks * event.quantity
        for order_id, remaining in (
            (event.buy_order_id, event.buy_remaining),
            (event.sell_order_id, event.sell_remaining),
        ):
            row = self.order(order_id)
            row["filled_quantity"] += event.quantity
            row["filled_cost_cents"] += notional
            done = OrderStatus.FILLED if remaining == 0 else OrderStatus.PARTIALLY_FILLED
            row.update(status=done.name, updated_seq=event.seq)
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
        if self.stock(event.symbol) is not None:
            return
        self.plan.new_stocks[event.symbol] = {
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
            "updated_at": as_datetime(event.ts_ns),
        }


def plan_batch(
    events: Sequence[Event], orders: Mapping[int, Row], stocks: Mapping[str, Row]
) -> BatchPlan:
    """Fold ``events`` (ascending seq) over the existing ``orders``/``stocks`` rows."""
    planner = _Planner(orders, stocks)
    for event in events:
        planner.apply(event)
    return planner.plan
