"""Users in SQL: implements ``aurex.auth.ports.UserRepository``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.auth.ports import EmailTakenError, Role, TwoFactorType, UserRecord
from aurex.store.tables import users


def _record(row: Row[Any]) -> UserRecord:
    return UserRecord(
        id=row.id,
        email=row.email,
        password_hash=row.password_hash,
        first_name=row.first_name,
        last_name=row.last_name,
        country=row.country,
        role=Role(row.role),
        email_verified=row.email_verified,
        two_factor_type=TwoFactorType(row.two_factor_type),
        two_factor_secret=row.two_factor_secret,
        totp_last_step=row.totp_last_used_step,
        account_opened=row.account_opened,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _mutable_values(user: UserRecord) -> dict[str, Any]:
    """Columns ``update`` writes; the TOTP step moves only through ``claim_totp_step``,
    ``account_opened`` only through ``mark_account_opened``."""
    return {
        "email": user.email,
        "password_hash": user.password_hash,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "country": user.country,
        "role": user.role.value,
        "email_verified": user.email_verified,
        "two_factor_type": user.two_factor_type.value,
        "two_factor_secret": user.two_factor_secret,
        "updated_at": user.updated_at,
    }


class SqlUserRepository:
    """The ``users`` table. E-mail uniqueness is enforced by the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, user: UserRecord) -> None:
        values = {
            "id": user.id,
            "created_at": user.created_at,
            "totp_last_used_step": user.totp_last_step,
            "account_opened": user.account_opened,
            **_mutable_values(user),
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(users).values(values))
        except IntegrityError as exc:
            if await self.get_by_email(user.email) is not None:
                raise EmailTakenError(user.email) from exc
            raise

    async def get(self, user_id: str) -> UserRecord | None:
        return await self._one(users.c.id == user_id)

    async def get_by_email(self, email: str) -> UserRecord | None:
        return await self._one(users.c.email == email)

    async def _one(self, condition: Any) -> UserRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(users).where(condition))).first()
        return None if row is None else _record(row)

    async def update(self, user: UserRecord) -> None:
        try:
            async with self._engine.begin() as conn:
                stmt = update(users).where(users.c.id == user.id).values(_mutable_values(user))
                await conn.execute(stmt)
        except IntegrityError as exc:
            holder = await self.get_by_email(user.email)
            if holder is not None and holder.id != user.id:
                raise EmailTakenError(user.email) from exc
            raise

    async def claim_totp_step(self, user_id: str, step: int) -> bool:
        stmt = (
            update(users)
            .where(users.c.id == user_id)
            .where(or_(users.c.totp_last_used_step.is_(None), users.c.totp_last_used_step < step))
            .values(totp_last_used_step=step)
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(stmt)
        return result.rowcount == 1

    async def list(self, *, limit: int, offset: int) -> Sequence[UserRecord]:
        stmt = select(users).order_by(users.c.created_at, users.c.id).limit(limit).offset(offset)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [_record(row) for row in rows]

    async def mark_account_opened(self, user_id: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(users).where(users.c.id == user_id).values(account_opened=True)
            )

    async def list_unopened(self) -> Sequence[UserRecord]:
        stmt = (
            select(users)
            .where(users.c.account_opened.is_(False))
            .order_by(users.c.created_at, users.c.id)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [_record(row) for row in rows]

    async def count(self) -> int:
        """How many users exist (for admin pages and first-user bootstrap)."""
        async with self._engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(users))).scalar_one())
