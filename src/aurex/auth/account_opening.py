"""Opening a user's exchange account, recoverably.

Sign-up cannot be one transaction: the user row lives in the database and the
account in the engine's journal. So the user is stored first with
``account_opened = false``, then the account is opened, then the flag is set. If
anything fails in between (engine down, disk full, a crash), the user is not left
half-created: ``ensure`` runs again at the next login and ``reconcile`` at start,
and both are idempotent - the engine's durable state decides whether the opening
deposit already happened, so it is never paid twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aurex.auth.ports import AccountGateway, UserRecord, UserRepository

log = logging.getLogger(__name__)


class AccountOpening:
    def __init__(
        self, users: UserRepository, accounts: AccountGateway, opening_cash_cents: int
    ) -> None:
        self._users = users
        self._accounts = accounts
        self.opening_cash_cents = opening_cash_cents
        self._locks: dict[str, asyncio.Lock] = {}

    async def ensure(self, user: UserRecord) -> None:
        """Open ``user``'s exchange account unless it is open; raises if the engine fails
        (the user stays marked unopened, so a later call retries)."""
        if user.account_opened:
            return
        # One opening at a time per user (only unopened users ever get a lock).
        async with self._locks.setdefault(user.id, asyncio.Lock()):
            fresh = await self._users.get(user.id)
            if fresh is None or fresh.account_opened:
                user.account_opened = fresh is not None
                return
            # The opening deposit may have been applied before a failure or crash that
            # kept the flag from being written: the engine's durable state says.
            if await self._accounts.account_view(user.id) is None:
                await self._accounts.open_account(user.id, self.opening_cash_cents)
            await self._users.mark_account_opened(user.id)
            user.account_opened = True
        self._locks.pop(user.id, None)

    async def try_ensure(self, user: UserRecord) -> bool:
        """``ensure``, logging instead of raising; True if the account is open."""
        try:
            await self.ensure(user)
        except Exception:
            log.warning("opening the exchange account of user %s failed; will retry", user.id)
            return False
        return True

    async def reconcile(self) -> Sequence[str]:
        """Open the account of every user left unopened; returns the ids still unopened."""
        pending = await self._users.list_unopened()
        left = [user.id for user in pending if not await self.try_ensure(user)]
        if pending:
            log.info(
                "reconciled exchange accounts: %d opened, %d still pending",
                len(pending) - len(left),
                len(left),
            )
        return left
