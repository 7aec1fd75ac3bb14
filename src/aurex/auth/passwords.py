"""Argon2id password hashing with OWASP parameters, off the event loop.

OWASP's first recommended configuration: 19 MiB of memory, 2 iterations, 1 lane.
Hashing takes tens of milliseconds by design, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


class PasswordHasher:
    """Hash and verify passwords; also answers whether a stored hash is outdated."""

    def __init__(
        self,
        *,
        memory_cost_kib: int = MEMORY_COST_KIB,
        time_cost: int = TIME_COST,
        parallelism: int = PARALLELISM,
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        # Verifying against this keeps unknown-e-mail logins as slow as real ones.
        self._dummy = self._argon2.hash("not a password of anyone")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, stored_hash: str, password: str) -> bool:
        return await asyncio.to_thread(self._verify, stored_hash, password)

    async def burn(self, password: str) -> None:
        """Spend the time of one verification (for logins with an unknown e-mail)."""
        await asyncio.to_thread(self._verify, self._dummy, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._argon2.check_needs_rehash(stored_hash)

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
