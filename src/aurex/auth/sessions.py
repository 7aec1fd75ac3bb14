"""Login sessions: open after the second factor, authenticate, refresh, log out, revoke.

A session is a durable ``user_sessions`` row plus live entries in the short-lived
stores: a session record (``auth:session-state:{id}``) holding the session's current
token *generation*, ``session:{jti}`` for the current access token (15 minutes) and
``trading:{hash}`` for the trading token (8 hours, the session's lifetime).

Every access token carries the generation it was issued for; login starts at 1 and
each refresh atomically moves the session to the next one. A token is accepted only
while its session record exists and names the token's generation, so one deletion
(logout, revocation) refuses every token the session ever issued, and a refresh
refuses all earlier ones - even when many refreshes race.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import (
    AccountGateway,
    AuditEntry,
    AuditLog,
    ChallengeStore,
    Clock,
    Role,
    SessionEntry,
    SessionRecord,
    SessionRepository,
    SessionStore,
    TradingEntry,
    TradingTokenStore,
    UserRecord,
)
from aurex.auth.tokens import TRADING_TTL_S, AccessTokens, new_trading_token, trading_token_hash

ACTIVITY_WRITE_INTERVAL_S = 60  # last_activity is persisted at most once a minute
_GENERATION = "generation"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: established from a live access token or trading token."""

    user_id: str
    email: str
    role: Role
    session_id: str
    token_id: str | None = None  # the access token's jti; None for trading-token calls


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    session_id: str
    session_token: str
    trading_token: str
    expires_in: int
    trading_expires_in: int


class SessionService:
    def __init__(
        self,
        repo: SessionRepository,
        live: SessionStore,
        trading: TradingTokenStore,
        states: ChallengeStore,
        access: AccessTokens,
        accounts: AccountGateway,
        audit: AuditLog,
        clock: Clock,
        trading_ttl_s: int = TRADING_TTL_S,
    ) -> None:
        self._repo = repo
        self._live = live
        self._trading = trading
        self._states = states
        self._access = access
        self._accounts = accounts
        self._audit = audit
        self._clock = clock
        self._trading_ttl_s = trading_ttl_s

    async def open(self, user: UserRecord, ip: str, user_agent: str) -> IssuedTokens:
        """Start a session for a user who passed both factors."""
        now = self._clock()
        session_id = uuid.uuid4().hex
        token, claims = self._access.issue(user.id, session_id, user.role, 1)
        trading_token = new_trading_token()
        token_hash = trading_token_hash(trading_token)
        trading_expires_at = now + timedelta(seconds=self._trading_ttl_s)
        await self._repo.add(
            SessionRecord(
                id=session_id,
                user_id=user.id,
                session_token=claims.token_id,
                trading_token_hash=token_hash,
                ip_address=ip,
                user_agent=user_agent[:512],
                expires_at=claims.expires_at,
                trading_expires_at=trading_expires_at,
                created_at=now,
                last_activity=now,
            )
        )
        await self._states.put(
            _state_key(session_id),
            {"user_id": user.id, _GENERATION: "1"},
            self._trading_ttl_s,
        )
        await self._put_live(user.id, user.email, session_id, claims.token_id, ip)
        view = await self._accounts.account_view(user.id)
        await self._trading.put(
            token_hash,
            TradingEntry(
                user_id=user.id,
                email=user.email,
                role=user.role,
                session_id=session_id,
                expires_at=trading_expires_at,
                balance_cents=view.cash_cents if view else 0,
                positions={s: shares for s, (shares, _held) in view.positions.items()}
                if view
                else {},
            ),
            self._trading_ttl_s,
        )
        await self._audit.record(
            AuditEntry(
                at=now,
                action="auth.login",
                user_id=user.id,
                ip_address=ip,
                detail={"session_id": session_id},
            )
        )
        return IssuedTokens(
            session_id, token, trading_token, self._access.ttl_s, self._trading_ttl_s
        )

    async def authenticate(self, access_token: str) -> Principal:
        """The caller of a live access token; TOKEN_INVALID/EXPIRED/REVOKED otherwise."""
        claims = self._access.verify(access_token)
        state = await self._states.get(_state_key(claims.session_id))
        entry = await self._live.get(claims.token_id)
        if (
            state is None
            or state["user_id"] != claims.user_id
            or state[_GENERATION] != str(claims.generation)
            or entry is None
            or entry.user_id != claims.user_id
        ):
            raise AuthError(AuthCode.TOKEN_REVOKED, "access token is no longer valid")
        now = self._clock()
        if (now - entry.last_activity).total_seconds() >= ACTIVITY_WRITE_INTERVAL_S:
            await self._live.touch(claims.token_id, now)
            await self._repo.touch(claims.session_id, now)
        return Principal(
            claims.user_id, entry.email, claims.role, claims.session_id, claims.token_id
        )

    async def authenticate_trading(self, trading_token: str) -> Principal:
        """The caller of a live trading token (gRPC, TCP, refresh)."""
        entry = await self._trading.get(trading_token_hash(trading_token))
        if entry is None or await self._states.get(_state_key(entry.session_id)) is None:
            raise AuthError(AuthCode.TOKEN_REVOKED, "trading token is not valid")
        if entry.expires_at <= self._clock():
            raise AuthError(AuthCode.TOKEN_EXPIRED, "trading token has expired; log in again")
        return Principal(entry.user_id, entry.email, entry.role, entry.session_id)

    async def refresh(self, trading_token: str) -> IssuedTokens:
        """A new access token for the trading token's session; every earlier one stops working."""
        principal = await self.authenticate_trading(trading_token)
        session = await self._repo.get(principal.session_id)
        if session is None or session.revoked_at is not None:
            raise AuthError(AuthCode.TOKEN_REVOKED, "trading token is not valid")
        # Atomic, and 0 once the session record is gone: a refresh racing a logout
        # can never bring the session back.
        generation = await self._states.increment(_state_key(session.id), _GENERATION)
        if generation == 0:
            raise AuthError(AuthCode.TOKEN_REVOKED, "trading token is not valid")
        await self._live.delete(session.session_token)
        token, claims = self._access.issue(
            principal.user_id, session.id, principal.role, generation
        )
        await self._put_live(
            principal.user_id,
            principal.email,
            session.id,
            claims.token_id,
            session.ip_address or "",
        )
        await self._repo.rotate(session.id, claims.token_id, claims.expires_at, self._clock())
        remaining = (session.trading_expires_at - self._clock()).total_seconds()
        return IssuedTokens(
            session.id, token, trading_token, self._access.ttl_s, max(0, math.floor(remaining))
        )

    async def revoke(self, user_id: str, session_id: str, by: str = "user") -> None:
        """End one of the user's sessions (logout or revocation); NOT_FOUND if not theirs."""
        session = await self._repo.get(session_id)
        if session is None or session.user_id != user_id:
            raise AuthError(AuthCode.NOT_FOUND, "no such session")
        await self._end(session)
        if await self._repo.revoke(session_id, self._clock()):
            await self._record(
                "auth.session_revoked", user_id, {"session_id": session_id, "by": by}
            )

    async def revoke_all(self, user_id: str, by: str = "user") -> int:
        """End every session of the user ("log out everywhere"); returns how many."""
        revoked = await self._repo.revoke_all(user_id, self._clock())
        for session in revoked:
            await self._end(session)
        await self._record("auth.sessions_revoked_all", user_id, {"count": len(revoked), "by": by})
        return len(revoked)

    async def list_active(self, user_id: str) -> Sequence[SessionRecord]:
        return await self._repo.list_active(user_id, self._clock())

    async def _put_live(
        self, user_id: str, email: str, session_id: str, token_id: str, ip: str
    ) -> None:
        now = self._clock()
        entry = SessionEntry(
            user_id=user_id,
            email=email,
            session_id=session_id,
            ip_address=ip,
            created_at=now,
            last_activity=now,
        )
        await self._live.put(token_id, entry, self._access.ttl_s)

    async def _end(self, session: SessionRecord) -> None:
        await self._states.delete(_state_key(session.id))
        await self._live.delete(session.session_token)
        await self._trading.delete(session.trading_token_hash)

    async def _record(self, action: str, user_id: str, detail: dict[str, str | int]) -> None:
        await self._audit.record(
            AuditEntry(at=self._clock(), action=action, user_id=user_id, detail=dict(detail))
        )


def _state_key(session_id: str) -> str:
    return f"session-state:{session_id}"
