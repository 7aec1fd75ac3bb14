"""Initial schema: the spec's tables plus accounts, positions, ledger, audit and 2FA.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("cash_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("ts", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("event_type", sa.String(length=50), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_event_type_ts"), "audit_log", ["event_type", "ts"])
    op.create_index(op.f("ix_audit_log_user_id_ts"), "audit_log", ["user_id", "ts"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cash_delta_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=True),
        sa.Column("share_delta", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("trade_id", sa.BigInteger(), nullable=True),
        sa.Column("order_id", sa.BigInteger(), nullable=True),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('deposit', 'withdrawal', 'buy', 'sell')", name=op.f("ck_ledger_entries_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    op.create_index(op.f("ix_ledger_entries_seq"), "ledger_entries", ["seq"])
    op.create_index(op.f("ix_ledger_entries_user_id_seq"), "ledger_entries", ["user_id", "seq"])
    op.create_table(
        "orders",
        sa.Column("order_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("client_order_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("side", sa.SmallInteger(), nullable=False),
        sa.Column("type", sa.SmallInteger(), nullable=False),
        sa.Column("tif", sa.SmallInteger(), nullable=False),
        sa.Column("post_only", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("stop_price", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("filled_quantity", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("filled_cost_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancel_reason", sa.SmallInteger(), nullable=True),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("accepted_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_orders")),
    )
    op.create_index(op.f("ix_orders_status"), "orders", ["status"])
    op.create_index(op.f("ix_orders_symbol"), "orders", ["symbol"])
    op.create_index(op.f("ix_orders_timestamp_ms"), "orders", ["timestamp_ms"])
    op.create_index(
        op.f("ix_orders_user_id_client_order_id"), "orders", ["user_id", "client_order_id"]
    )
    op.create_index(op.f("ix_orders_user_id_order_id"), "orders", ["user_id", "order_id"])
    op.create_table(
        "positions",
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("shares", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "symbol", name=op.f("pk_positions")),
    )
    op.create_table(
        "projector_state",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_projector_state")),
    )
    op.create_table(
        "stocks",
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("company_name", sa.String(length=255), nullable=False),
        sa.Column("last_price", sa.BigInteger(), nullable=False),
        sa.Column("bid_price", sa.BigInteger(), nullable=True),
        sa.Column("ask_price", sa.BigInteger(), nullable=True),
        sa.Column("volume", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("market_cap_cents", sa.BigInteger(), nullable=True),
        sa.Column("shares_outstanding", sa.BigInteger(), nullable=False),
        sa.Column("previous_close", sa.BigInteger(), nullable=False),
        sa.Column("tick_size", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("lot_size", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("halted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("symbol", name=op.f("pk_stocks")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("ssn_last4", sa.String(length=4), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("state", sa.String(length=100), nullable=True),
        sa.Column("zip_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=100), server_default="US", nullable=False),
        sa.Column("employment_status", sa.String(length=50), nullable=True),
        sa.Column("annual_income_cents", sa.BigInteger(), nullable=True),
        sa.Column("net_worth_cents", sa.BigInteger(), nullable=True),
        sa.Column("investment_experience", sa.String(length=50), nullable=True),
        sa.Column("risk_tolerance", sa.String(length=20), nullable=True),
        sa.Column(
            "account_type", sa.String(length=20), server_default="individual", nullable=False
        ),
        sa.Column("is_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("role", sa.String(length=10), server_default="trader", nullable=False),
        sa.Column("is_2fa_enabled", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("two_factor_type", sa.String(length=20), server_default="email", nullable=False),
        sa.Column("two_factor_secret", sa.String(length=255), nullable=True),
        sa.Column("totp_last_used_step", sa.BigInteger(), nullable=True),
        sa.Column("email_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("phone_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint("role IN ('trader', 'admin')", name=op.f("ck_users_role")),
        sa.CheckConstraint(
            "two_factor_type IN ('email', 'totp')", name=op.f("ck_users_two_factor_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "backup_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_backup_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_codes")),
    )
    op.create_index(op.f("ix_backup_codes_user_id"), "backup_codes", ["user_id"])
    op.create_table(
        "trades",
        sa.Column("trade_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("buy_order_id", sa.BigInteger(), nullable=False),
        sa.Column("sell_order_id", sa.BigInteger(), nullable=False),
        sa.Column("symbol", sa.String(length=10), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("price", sa.BigInteger(), nullable=False),
        sa.Column("buyer_id", sa.String(length=64), nullable=False),
        sa.Column("seller_id", sa.String(length=64), nullable=False),
        sa.Column("aggressor", sa.SmallInteger(), nullable=False),
        sa.Column("timestamp_ms", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["buy_order_id"], ["orders.order_id"], name=op.f("fk_trades_buy_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["sell_order_id"], ["orders.order_id"], name=op.f("fk_trades_sell_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("trade_id", name=op.f("pk_trades")),
    )
    op.create_index(op.f("ix_trades_buyer_id_trade_id"), "trades", ["buyer_id", "trade_id"])
    op.create_index(op.f("ix_trades_seller_id_trade_id"), "trades", ["seller_id", "trade_id"])
    op.create_index(op.f("ix_trades_symbol_trade_id"), "trades", ["symbol", "trade_id"])
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("session_token", sa.String(length=64), nullable=False),
        sa.Column("trading_token_hash", sa.String(length=64), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trading_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column(
            "last_activity",
            sa.DateTime(timezone=True),
            server_default=sa.func.now(),
            nullable=False,
        ),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("session_token", name=op.f("uq_user_sessions_session_token")),
        sa.UniqueConstraint("trading_token_hash", name=op.f("uq_user_sessions_trading_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_table("user_sessions")
    op.drop_table("trades")
    op.drop_table("backup_codes")
    op.drop_table("users")
    op.drop_table("stocks")
    op.drop_table("projector_state")
    op.drop_table("positions")
    op.drop_table("orders")
    op.drop_table("ledger_entries")
    op.drop_table("audit_log")
    op.drop_table("accounts")
