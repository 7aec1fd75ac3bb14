"""Table definitions (SQLAlchemy Core), portable across SQLite and PostgreSQL.

The spec's tables (users, user_sessions, orders, trades, stocks) plus what accounts,
security and history need. Money is integer cents / ticks in BIGINT columns; user ids
are UUIDs stored as 36-character strings; trading ``user_id`` columns hold the
engine's account id (a user id, or a simulation account) and so are not foreign keys.
Timestamps are timezone-aware UTC (see :class:`UtcDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
    func,
    true,
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that always comes back timezone-aware in UTC (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite server defaults come back as text
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _now() -> Column[datetime]:
    return Column("created_at", UtcDateTime(), nullable=False, server_default=func.now())


users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(255), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("phone", String(20)),
    Column("date_of_birth", Date),
    # KYC
    Column("ssn_last4", String(4)),
    Column("address", Text),
    Column("city", String(100)),
    Column("state", String(100)),
    Column("zip_code", String(20)),
    Column("country", String(100), nullable=False, server_default="US"),
    # Financial profile (the spec's DECIMAL(15,2) amounts as integer cents)
    Column("employment_status", String(50)),
    Column("annual_income_cents", BigInteger),
    Column("net_worth_cents", BigInteger),
    Column("investment_experience", String(50)),
    Column("risk_tolerance", String(20)),
    # Account
    Column("account_type", String(20), nullable=False, server_default="individual"),
    Column("is_verified", Boolean, nullable=False, server_default=false()),
    Column("role", String(10), nullable=False, server_default="trader"),
    # Two-factor
    Column("is_2fa_enabled", Boolean, nullable=False, server_default=true()),
    Column("two_factor_type", String(20), nullable=False, server_default="email"),
    Column("two_factor_secret", String(255)),  # encrypted by auth; opaque here
    Column("totp_last_used_step", BigInteger),  # RFC 6238 step of the last accepted code
    # Verification
    Column("email_verified", Boolean, nullable=False, server_default=false()),
    Column("phone_verified", Boolean, nullable=False, server_default=false()),
    # False from sign-up until the exchange account is open (auth retries until it is).
    Column("account_opened", Boolean, nullable=False, server_default=true()),
    _now(),
    Column("updated_at", UtcDateTime(), nullable=False, server_default=func.now()),
    CheckConstraint("role IN ('trader', 'admin')", name="role"),
    CheckConstraint("two_factor_type IN ('email', 'totp')", name="two_factor_type"),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    # The id (jti) of the session's current access token; not a secret on its own.
    Column("session_token", String(64), nullable=False, unique=True),
    # SHA-256 hex digest of the trading token; the token itself is never stored.
    Column("trading_token_hash", String(64), nullable=False, unique=True),
    Column("ip_address", String(45)),
    Column("user_agent", Text),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("trading_expires_at", UtcDateTime(), nullable=False),
    _now(),
    Column("last_activity", UtcDateTime(), nullable=False, server_default=func.now()),
    Column("revoked_at", UtcDateTime()),
    Index(None, "user_id"),
)

backup_codes = Table(
    "backup_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("code_hash", String(255), nullable=False),
    _now(),
    Column("used_at", UtcDateTime()),
    Index(None, "user_id"),
)

orders = Table(
    "orders",
    metadata,
    Column("order_id", BigInteger, primary_key=True, autoincrement=False),
    Column("user_id", String(64), nullable=False),
    Column("client_order_id", String(64), nullable=False),
    Column("symbol", String(10), nullable=False),
    Column("side", SmallInteger, nullable=False),  # aurex.core.model.Side
    Column("type", SmallInteger, nullable=False),  # OrderType
    Column("tif", SmallInteger, nullable=False),  # TimeInForce
    Column("post_only", Boolean, nullable=False, server_default=false()),
    Column("quantity", BigInteger, nullable=False),
    Column("price", BigInteger, nullable=False),  # ticks; 0 = market
    Column("stop_price", BigInteger, nullable=False, server_default="0"),
    Column("filled_quantity", BigInteger, nullable=False, server_default="0"),
    Column("filled_cost_cents", BigInteger, nullable=False, server_default="0"),
    Column("leaves_quantity", BigInteger, nullable=False, server_default="0"),
    Column("status", String(20), nullable=False),  # OrderStatus name
    Column("cancel_reason", SmallInteger),  # CancelReason, when cancelled
    Column("timestamp_ms", BigInteger, nullable=False),  # created, as the spec has it
    Column("created_ts_ns", BigInteger, nullable=False, server_default="0"),
    Column("updated_ts_ns", BigInteger, nullable=False, server_default="0"),
    Column("accepted_seq", BigInteger, nullable=False),
    Column("updated_seq", BigInteger, nullable=False),
    _now(),
    Index(None, "user_id", "order_id"),
    Index(None, "user_id", "client_order_id"),
    Index(None, "user_id", "symbol", "order_id"),
    Index(None, "user_id", "created_ts_ns"),
    Index(None, "symbol"),
    Index(None, "timestamp_ms"),
    Index(None, "status"),
)
"""One row per accepted order, holding its ``readside.order_state.OrderState`` (see
``store.order_rows``). Rejected orders get no id and no row."""

trades = Table(
    "trades",
    metadata,
    Column("trade_id", BigInteger, primary_key=True, autoincrement=False),
    Column("buy_order_id", BigInteger, ForeignKey("orders.order_id"), nullable=False),
    Column("sell_order_id", BigInteger, ForeignKey("orders.order_id"), nullable=False),
    Column("symbol", String(10), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("buyer_id", String(64), nullable=False),
    Column("seller_id", String(64), nullable=False),
    Column("aggressor", SmallInteger, nullable=False),  # Side of the incoming order
    Column("timestamp_ms", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    _now(),
    Index(None, "symbol", "trade_id"),
    Index(None, "buyer_id", "trade_id"),
    Index(None, "seller_id", "trade_id"),
)

fills = Table(
    "fills",
    metadata,
    Column("trade_id", BigInteger, ForeignKey("trades.trade_id"), primary_key=True),
    Column("side", SmallInteger, primary_key=True),  # the owner's Side in this trade
    Column("order_id", BigInteger, ForeignKey("orders.order_id"), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("client_order_id", String(64), nullable=False),
    Column("symbol", String(10), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("is_maker", Boolean, nullable=False),
    Column("order_filled", BigInteger, nullable=False),  # the order's totals right after
    Column("order_leaves", BigInteger, nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Index(None, "user_id", "trade_id"),
    Index(None, "user_id", "symbol", "trade_id"),
    Index(None, "order_id", "trade_id"),
    Index(None, "user_id", "ts_ns"),
)
"""Each side of a trade as its order's owner sees it (``readside.order_state.Fill``)."""

stocks = Table(
    "stocks",
    metadata,
    Column("symbol", String(10), primary_key=True),
    Column("company_name", String(255), nullable=False),
    Column("last_price", BigInteger, nullable=False),
    Column("bid_price", BigInteger),
    Column("ask_price", BigInteger),
    Column("volume", BigInteger, nullable=False, server_default="0"),
    Column("market_cap_cents", BigInteger),
    Column("shares_outstanding", BigInteger, nullable=False),
    Column("previous_close", BigInteger, nullable=False),
    Column("tick_size", BigInteger, nullable=False, server_default="1"),
    Column("lot_size", BigInteger, nullable=False, server_default="1"),
    Column("halted", Boolean, nullable=False, server_default=false()),
    Column("updated_at", UtcDateTime(), nullable=False, server_default=func.now()),
    Column("delisted_at", UtcDateTime()),
)
"""Listed symbols; a delisted one keeps its row with ``delisted_at`` set."""

accounts = Table(
    "accounts",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("cash_cents", BigInteger, nullable=False, server_default="0"),
    Column("updated_seq", BigInteger, nullable=False),
)

positions = Table(
    "positions",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("symbol", String(10), primary_key=True),
    Column("shares", BigInteger, nullable=False, server_default="0"),
    Column("updated_seq", BigInteger, nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("cash_delta_cents", BigInteger, nullable=False, server_default="0"),
    Column("symbol", String(10)),
    Column("share_delta", BigInteger, nullable=False, server_default="0"),
    Column("trade_id", BigInteger),
    Column("order_id", BigInteger),
    Column("timestamp_ms", BigInteger, nullable=False),
    Index(None, "user_id", "seq"),
    Index(None, "seq"),
    CheckConstraint(
        "kind IN ('deposit', 'withdrawal', 'buy', 'sell')",
        name="kind",
    ),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("ts", UtcDateTime(), nullable=False),
    Column("user_id", String(36)),
    Column("ip_address", String(45)),
    Column("event_type", String(50), nullable=False),
    Column("detail", JSON, nullable=False),
    Index(None, "user_id", "ts"),
    Index(None, "event_type", "ts"),
)

projector_state = Table(
    "projector_state",
    metadata,
    Column("name", String(50), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)
