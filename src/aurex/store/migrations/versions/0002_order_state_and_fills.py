"""Order rows hold the read side's whole order state; a fills table per trade side.

``orders`` gains ``leaves_quantity`` and nanosecond created/updated timestamps, so a
row converts to ``readside.order_state.OrderState`` and back without loss. ``fills``
holds each side of a trade as its owner sees it, with the order's cumulative filled
and leaves quantity right after the trade, for the history port.

Rows projected before this revision are back-filled from what they hold: leaves are
exact (an open order's leaves are its quantity minus its fills), timestamps keep
millisecond precision and ``updated_ts_ns`` starts at the creation time; a back-filled
fill's ``order_leaves`` uses the order's final quantity, which is exact unless the
order was amended between two of its fills.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL_ORDERS = """
UPDATE orders SET
    leaves_quantity = CASE
        WHEN status IN ('NEW', 'PARTIALLY_FILLED', 'PENDING_TRIGGER')
        THEN quantity - filled_quantity ELSE 0 END,
    created_ts_ns = timestamp_ms * 1000000,
    updated_ts_ns = timestamp_ms * 1000000
"""

# One statement per side ({side} a Side value): {order} is its order column, {owner} its account.
_BACKFILL_FILLS = """
INSERT INTO fills (trade_id, side, order_id, user_id, client_order_id, symbol, price,
                   quantity, is_maker, order_filled, order_leaves, ts_ns, seq)
SELECT trade_id, {side}, order_id, user_id, client_order_id, symbol, price, quantity,
       is_maker, filled, CASE WHEN total > filled THEN total - filled ELSE 0 END,
       ts_ns, seq
FROM (
    SELECT t.trade_id, t.{order} AS order_id, t.{owner} AS user_id, o.client_order_id,
           t.symbol, t.price, t.quantity,
           CASE WHEN t.aggressor = {side} THEN FALSE ELSE TRUE END AS is_maker,
           SUM(t.quantity) OVER (
               PARTITION BY t.{order} ORDER BY t.trade_id ROWS UNBOUNDED PRECEDING
           ) AS filled,
           o.quantity AS total, t.timestamp_ms * 1000000 AS ts_ns, t.seq
    FROM trades t JOIN orders o ON o.order_id = t.{order}
) AS sided
"""


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(
            sa.Column("leaves_quantity", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("created_ts_ns", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(
            sa.Column("updated_ts_ns", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_index(
        op.f("ix_orders_user_id_symbol_order_id"), "orders", ["user_id", "symbol", "order_id"]
    )
    op.create_index(op.f("ix_orders_user_id_created_ts_ns"), "orders", ["user_id", "created_ts_ns"])
    op.execute(sa.text(_BACKFILL_ORDERS))

    op.create_table(
        "fills",
        sa.Column("trade_id", sa.BigInteger(), nullable=False),
        sa.Column("side", sa.SmallInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("client_order_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("is_maker", sa.Boolean(), nullable=False),
        sa.Column("order_filled", sa.BigInteger(), nullable=False),
        sa.Column("order_leaves", sa.BigInteger(), nullable=False),
        sa.Column("ts_ns", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.order_id"], name=op.f("fk_fills_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["trade_id"], ["trades.trade_id"], name=op.f("fk_fills_trade_id_trades")
        ),
        sa.PrimaryKeyConstraint("trade_id", "side", name=op.f("pk_fills")),
    )
    op.create_index(op.f("ix_fills_order_id_trade_id"), "fills", ["order_id", "trade_id"])
    op.create_index(op.f("ix_fills_user_id_trade_id"), "fills", ["user_id", "trade_id"])
    op.create_index(
        op.f("ix_fills_user_id_symbol_trade_id"), "fills", ["user_id", "symbol", "trade_id"]
    )
    op.create_index(op.f("ix_fills_user_id_ts_ns"), "fills", ["user_id", "ts_ns"])
    for side, order, owner in ((0, "buy_order_id", "buyer_id"), (1, "sell_order_id", "seller_id")):
        op.execute(sa.text(_BACKFILL_FILLS.format(side=side, order=order, owner=owner)))


def downgrade() -> None:
    op.drop_table("fills")
    op.drop_index(op.f("ix_orders_user_id_created_ts_ns"), table_name="orders")
    op.drop_index(op.f("ix_orders_user_id_symbol_order_id"), table_name="orders")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("updated_ts_ns")
        batch.drop_column("created_ts_ns")
        batch.drop_column("leaves_quantity")
