"""Database rows <-> the read side's ``OrderState`` and ``Fill`` (no I/O, no logic).

The ``orders`` and ``fills`` tables store exactly what ``readside.order_state`` folds,
so these are column renames and enum conversions only: nothing here derives a status
or a quantity. Rejections are never stored (they have no order id), so a row's
``reject_code``/``reject_reason`` are always empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aurex.core.model import OrderStatus, OrderType, Side, TimeInForce
from aurex.readside.order_state import Fill, OrderState

Row = dict[str, Any]

ORDER_STATE_COLUMNS = (
    "quantity",
    "price",
    "status",
    "filled_quantity",
    "leaves_quantity",
    "filled_cost_cents",
    "cancel_reason",
    "updated_ts_ns",
    "updated_seq",
)
"""The order columns that can change after acceptance."""


def millis(ts_ns: int) -> int:
    return ts_ns // 1_000_000


def order_row(state: OrderState) -> Row:
    """The ``orders`` row holding ``state`` (without the database-clock ``created_at``)."""
    if not state.order_id:
        raise ValueError("a rejected order has no id and is not stored")
    return {
        "order_id": state.order_id,
        "user_id": state.account,
        "client_order_id": state.client_order_id,
        "symbol": state.symbol,
        "side": int(state.side),
        "type": int(state.order_type),
        "tif": int(state.tif),
        "post_only": state.post_only,
        "quantity": state.quantity,
        "price": state.price_ticks,
        "stop_price": state.stop_price_ticks,
        "status": state.status.name,
        "filled_quantity": state.filled,
        "leaves_quantity": state.leaves,
        "filled_cost_cents": state.filled_cost_cents,
        "cancel_reason": state.cancel_reason or None,
        "timestamp_ms": millis(state.created_ts_ns),
        "created_ts_ns": state.created_ts_ns,
        "updated_ts_ns": state.updated_ts_ns,
        "accepted_seq": state.accepted_seq,
        "updated_seq": state.updated_seq,
    }


def order_state(row: Mapping[str, Any]) -> OrderState:
    """The ``OrderState`` an ``orders`` row holds."""
    return OrderState(
        order_id=row["order_id"],
        account=row["user_id"],
        client_order_id=row["client_order_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        order_type=OrderType(row["type"]),
        tif=TimeInForce(row["tif"]),
        post_only=bool(row["post_only"]),
        quantity=row["quantity"],
        price_ticks=row["price"],
        stop_price_ticks=row["stop_price"],
        status=OrderStatus[row["status"]],
        filled=row["filled_quantity"],
        leaves=row["leaves_quantity"],
        filled_cost_cents=row["filled_cost_cents"],
        cancel_reason=row["cancel_reason"] or 0,
        reject_code=0,
        reject_reason="",
        created_ts_ns=row["created_ts_ns"],
        updated_ts_ns=row["updated_ts_ns"],
        accepted_seq=row["accepted_seq"],
        updated_seq=row["updated_seq"],
    )


def changed_columns(state: OrderState) -> Row:
    """The :data:`ORDER_STATE_COLUMNS` of ``state``'s row."""
    row = order_row(state)
    return {column: row[column] for column in ORDER_STATE_COLUMNS}


def fill_row(fill: Fill) -> Row:
    """The ``fills`` row holding ``fill``."""
    return {
        "trade_id": fill.trade_id,
        "side": int(fill.side),
        "order_id": fill.order_id,
        "user_id": fill.account,
        "client_order_id": fill.client_order_id,
        "symbol": fill.symbol,
        "price": fill.price_ticks,
        "quantity": fill.quantity,
        "is_maker": fill.is_maker,
        "order_filled": fill.order_filled,
        "order_leaves": fill.order_leaves,
        "ts_ns": fill.ts_ns,
        "seq": fill.seq,
    }


def fill_from_row(row: Mapping[str, Any]) -> Fill:
    """The ``Fill`` a ``fills`` row holds."""
    return Fill(
        trade_id=row["trade_id"],
        order_id=row["order_id"],
        account=row["user_id"],
        client_order_id=row["client_order_id"],
        symbol=row["symbol"],
        side=Side(row["side"]),
        price_ticks=row["price"],
        quantity=row["quantity"],
        is_maker=bool(row["is_maker"]),
        order_filled=row["order_filled"],
        order_leaves=row["order_leaves"],
        ts_ns=row["ts_ns"],
        seq=row["seq"],
    )
