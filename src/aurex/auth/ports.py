"""Ports of the accounts and security layer: what auth needs from the outside world.

Durable state (users, sessions, backup codes, audit log) is implemented by
``aurex.store`` against SQLAlchemy; short-lived state (sessions by token, trading
tokens, counters, challenges, the market-data cache) by the in-process and Redis
adapters in ``aurex.auth.stores``; the exchange account by the engine.

All datetimes crossing these ports are timezone-aware UTC. E-mail addresses are
passed already normalised (stripped, lower-case). Every method is small and async
so an adapter can do I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from aurex.core.codes import RejectCode

Clock = Callable[[], datetime]
"""Returns the current time (aware UTC). Injected so tests can move time forward."""


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class Role(StrEnum):
    TRADER = "trader"
    ADMIN = "admin"


class TwoFactorType(StrEnum):
    EMAIL = "email"
    TOTP = "totp"


# --------------------------------------------------------------------------- records


@dataclass(slots=True, kw_only=True)
class UserRecord:
    """A row of ``users`` (the spec's table, the fields auth uses, plus ``role``).

    ``two_factor_secret`` is the TOTP secret *encrypted* by auth (opaque text to the
    store); ``totp_last_step`` is the RFC 6238 time step of the last accepted code,
    so a code is accepted only once. ``account_opened`` turns true once the exchange
    account exists (sign-up stores the user first, see ``aurex.auth.account_opening``).
    """

    id: str
    email: str
    password_hash: str
    first_name: str
    last_name: str
    country: str = "US"
    role: Role = Role.TRADER
    email_verified: bool = False
    two_factor_type: TwoFactorType = TwoFactorType.EMAIL
    two_factor_secret: str | None = None
    totp_last_step: int | None = None
    account_opened: bool = False
    created_at: datetime
    updated_at: datetime


@dataclass(slots=True, kw_only=True)
class SessionRecord:
    """A row of ``user_sessions``: one login (password + second factor).

    ``session_token`` holds the id (``jti``) of the session's current access token;
    ``trading_token_hash`` the SHA-256 hex digest of the opaque trading token (the
    token itself is never stored). ``expires_at`` is the access token's expiry,
    ``trading_expires_at`` the end of the login (8 hours after it).
    """

    id: str
    user_id: str
    session_token: str
    trading_token_hash: str
    ip_address: str | None
    user_agent: str | None
    expires_at: datetime
    trading_expires_at: datetime
    created_at: datetime
    last_activity: datetime
    revoked_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class AuditEntry:
    """One security-relevant happening (lockout, login, 2FA change, admin action)."""

    at: datetime
    action: str
    user_id: str | None = None
    ip_address: str | None = None
    detail: Mapping[str, str | int | bool | None] = field(default_factory=dict)


class EmailTakenError(Exception):
    """Raised by ``UserRepository.add`` when the e-mail address is already registered."""


# ---------------------------------------------------------------- durable repositories


class UserRepository(Protocol):
    async def add(self, user: UserRecord) -> None:
        """Insert; raise ``EmailTakenError`` if the e-mail exists (unique constraint)."""

    async def get(self, user_id: str) -> UserRecord | None: ...

    async def get_by_email(self, email: str) -> UserRecord | None: ...

    async def update(self, user: UserRecord) -> None:
        """Write the mutable fields of ``user``: all but ``id``, ``created_at`` and
        ``totp_last_step`` (only ``claim_totp_step`` may move that, so a stale record
        written back can never make a used code acceptable again)."""

    async def claim_totp_step(self, user_id: str, step: int) -> bool:
        """Atomically set ``totp_last_step = step`` if it is NULL or smaller.

        Returns False when a code of this or a later step was already accepted.
        """

    async def list(self, *, limit: int, offset: int) -> Sequence[UserRecord]:
        """Users ordered by ``created_at`` then ``id``."""

    async def mark_account_opened(self, user_id: str) -> None:
        """Set ``account_opened`` (only this moves it; ``update`` leaves it alone)."""

    async def list_unopened(self) -> Sequence[UserRecord]:
        """Users whose exchange account is not yet open, oldest first."""


class SessionRepository(Protocol):
    async def add(self, session: SessionRecord) -> None: ...

    async def get(self, session_id: str) -> SessionRecord | None: ...

    async def list_active(self, user_id: str, now: datetime) -> Sequence[SessionRecord]:
        """Sessions not revoked and with ``trading_expires_at > now``, newest first."""

    async def rotate(
        self, session_id: str, session_token: str, expires_at: datetime, at: datetime
    ) -> None:
        """Record a refreshed access token: new ``session_token``/``expires_at``,
        ``last_activity = at``."""

    async def touch(self, session_id: str, at: datetime) -> None:
        """Set ``last_activity``."""

    async def revoke(self, session_id: str, at: datetime) -> bool:
        """Set ``revoked_at`` if not yet revoked; True if this call revoked it."""

    async def revoke_all(self, user_id: str, at: datetime) -> Sequence[SessionRecord]:
        """Revoke every unrevoked session of the user; return those it revoked."""


class BackupCodeRepository(Protocol):
    """Backup codes are stored only as hashes (computed by auth)."""

    async def replace(self, user_id: str, code_hashes: Sequence[str], at: datetime) -> None:
        """Delete the user's codes and store these unused ones (empty: just delete)."""

    async def consume(self, user_id: str, code_hash: str, at: datetime) -> bool:
        """Atomically mark the matching unused code used; False if none matched."""

    async def count_unused(self, user_id: str) -> int: ...


class AuditLog(Protocol):
    async def record(self, entry: AuditEntry) -> None: ...

    async def recent(
        self, *, user_id: str | None = None, action: str | None = None, limit: int = 50
    ) -> Sequence[AuditEntry]:
        """Newest first, optionally filtered."""


# ------------------------------------------------------------- short-lived key/value


@dataclass(slots=True, kw_only=True)
class SessionEntry:
    """``session:{token_id}`` - the live access token, TTL 15 minutes."""

    user_id: str
    email: str
    session_id: str
    ip_address: str
    created_at: datetime
    last_activity: datetime


@dataclass(slots=True, kw_only=True)
class TradingEntry:
    """``trading:{token_hash}`` - the live trading token, TTL 8 hours.

    ``balance_cents`` and ``positions`` are the account as it was at login (the
    spec's cached fields); the engine stays the authority.
    """

    user_id: str
    email: str
    role: Role
    session_id: str
    expires_at: datetime
    balance_cents: int = 0
    positions: Mapping[str, int] = field(default_factory=dict)


class SessionStore(Protocol):
    async def put(self, token_id: str, entry: SessionEntry, ttl_s: int) -> None: ...

    async def get(self, token_id: str) -> SessionEntry | None: ...

    async def touch(self, token_id: str, at: datetime) -> None:
        """Update ``last_activity`` of a live entry (no-op when gone)."""

    async def delete(self, token_id: str) -> None: ...


class TradingTokenStore(Protocol):
    async def put(self, token_hash: str, entry: TradingEntry, ttl_s: int) -> None: ...

    async def get(self, token_hash: str) -> TradingEntry | None: ...

    async def delete(self, token_hash: str) -> None: ...


class CounterStore(Protocol):
    """``ratelimit:{subject}:{endpoint}`` fixed-window counters."""

    async def hit(self, subject: str, endpoint: str, window_s: int) -> int:
        """Increment and return the count; the window starts at the first hit."""

    async def count(self, subject: str, endpoint: str) -> int: ...

    async def reset(self, subject: str, endpoint: str) -> None: ...


class ChallengeStore(Protocol):
    """Small string hashes with a TTL: pending logins, e-mail codes, lockouts, set-ups.

    Services store absolute expiry times inside the values and check them against
    their clock; the TTL only bounds how long the adapter keeps the key.
    """

    async def put(self, key: str, fields: Mapping[str, str], ttl_s: int) -> None: ...

    async def get(self, key: str) -> dict[str, str] | None: ...

    async def increment(self, key: str, field: str) -> int:
        """Atomically add 1 to an integer field of a live key; 0 if the key is gone."""

    async def delete(self, key: str) -> None: ...


@dataclass(slots=True, kw_only=True)
class MarketQuote:
    """``market:{symbol}`` - last price, best bid/ask (ticks), volume, TTL 60 s."""

    last_price_ticks: int
    bid_price_ticks: int
    ask_price_ticks: int
    volume: int
    timestamp_ns: int


class MarketCache(Protocol):
    async def put(self, symbol: str, quote: MarketQuote, ttl_s: int = 60) -> None: ...

    async def get(self, symbol: str) -> MarketQuote | None: ...


# ---------------------------------------------------------------------- mail, engine


class Mailer(Protocol):
    async def send(self, to: str, subject: str, body: str) -> None:
        """Deliver a plain-text message or raise; never log the body (it holds codes)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountView:
    """An exchange account: cash, cash held by open buys, and per-symbol
    ``(shares, held)`` where ``held`` are shares reserved by open sells."""

    cash_cents: int
    cash_held_cents: int
    positions: Mapping[str, tuple[int, int]]

    @property
    def buying_power_cents(self) -> int:
        return self.cash_cents - self.cash_held_cents


class AccountGateway(Protocol):
    """The engine-side account operations auth and the admin routes need.

    Methods returning ``RejectCode | None`` give None on success, else the core's
    rejection (unknown symbol, already halted, invalid amount ...).
    """

    async def open_account(self, user_id: str, cash_cents: int) -> None: ...

    async def credit(self, user_id: str, cash_cents: int) -> RejectCode | None: ...

    async def account_view(self, user_id: str) -> AccountView | None: ...

    async def halt(self, symbol: str) -> RejectCode | None: ...

    async def resume(self, symbol: str) -> RejectCode | None: ...
