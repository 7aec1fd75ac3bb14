"""Administrator actions: list users, credit an account, halt/resume a symbol, set a role.

Callers check the admin role first (the HTTP gateway does it per route); every
action is written to the audit log with the acting admin. Engine refusals come
back as ``Rejected`` with the core's stable ``RejectCode``.
"""

from __future__ import annotations

from collections.abc import Sequence

from aurex.auth.account_opening import AccountOpening
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import (
    AccountGateway,
    AccountView,
    AuditEntry,
    AuditLog,
    Clock,
    Role,
    UserRecord,
    UserRepository,
)
from aurex.auth.sessions import SessionService
from aurex.core.codes import RejectCode, reason_for

MAX_CREDIT_CENTS = 10**13  # 100 billion: beyond any sane single credit


class Rejected(Exception):
    """The engine refused an administrative command."""

    def __init__(self, code: RejectCode) -> None:
        super().__init__(reason_for(code))
        self.code = code


class Admin:
    def __init__(
        self,
        users: UserRepository,
        accounts: AccountGateway,
        opening: AccountOpening,
        sessions: SessionService,
        audit: AuditLog,
        clock: Clock,
    ) -> None:
        self._users = users
        self._accounts = accounts
        self._opening = opening
        self._sessions = sessions
        self._audit = audit
        self._clock = clock

    async def list_users(self, limit: int, offset: int) -> Sequence[UserRecord]:
        return await self._users.list(limit=limit, offset=offset)

    async def credit(self, admin_id: str, user_id: str, cash_cents: int) -> AccountView:
        """Add cash to a user's exchange account; returns the account afterwards."""
        if not 0 < cash_cents <= MAX_CREDIT_CENTS:
            raise AuthError(AuthCode.INVALID_AMOUNT, "cashCents must be a positive amount")
        user = await self._users.get(user_id)
        if user is None:
            raise AuthError(AuthCode.NOT_FOUND, "no such user")
        # A credit must not stand in for the opening deposit of an unopened account.
        if not await self._opening.try_ensure(user):
            raise AuthError(AuthCode.ACCOUNT_UNAVAILABLE, "account is not available")
        code = await self._accounts.credit(user_id, cash_cents)
        if code is not None:
            raise Rejected(code)
        await self._record(admin_id, "admin.credit", {"user_id": user_id, "cash_cents": cash_cents})
        view = await self._accounts.account_view(user_id)
        if view is None:
            raise AuthError(AuthCode.ACCOUNT_UNAVAILABLE, "account is not available")
        return view

    async def halt(self, admin_id: str, symbol: str) -> None:
        code = await self._accounts.halt(symbol)
        if code is not None:
            raise Rejected(code)
        await self._record(admin_id, "admin.halt", {"symbol": symbol})

    async def resume(self, admin_id: str, symbol: str) -> None:
        code = await self._accounts.resume(symbol)
        if code is not None:
            raise Rejected(code)
        await self._record(admin_id, "admin.resume", {"symbol": symbol})

    async def set_role(self, admin_id: str, user_id: str, role: Role) -> UserRecord:
        """Change a user's role and end their sessions, so no token keeps the old role."""
        user = await self._users.get(user_id)
        if user is None:
            raise AuthError(AuthCode.NOT_FOUND, "no such user")
        if user.role != role:
            user.role = role
            user.updated_at = self._clock()
            await self._users.update(user)
            await self._sessions.revoke_all(user_id, by=f"admin:{admin_id}")
            await self._record(admin_id, "admin.set_role", {"user_id": user_id, "role": role})
        return user

    async def _record(
        self, admin_id: str, action: str, detail: dict[str, str | int | bool | None]
    ) -> None:
        await self._audit.record(
            AuditEntry(at=self._clock(), action=action, user_id=admin_id, detail=detail)
        )
