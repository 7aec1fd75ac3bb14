"""Login sessions and backup codes in SQL: implements ``aurex.auth.ports``
``SessionRepository`` and ``BackupCodeRepository``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.auth.ports import SessionRecord
from aurex.store.tables import backup_codes, user_sessions


def _session(row: Row[Any]) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        user_id=row.user_id,
        session_token=row.session_token,
        trading_token_hash=row.trading_token_hash,
        ip_address=row.ip_address,
        user_agent=row.user_agent,
        expires_at=row.expires_at,
        trading_expires_at=row.trading_expires_at,
        created_at=row.created_at,
        last_activity=row.last_activity,
        revoked_at=row.revoked_at,
    )


class SqlSessionRepository:
    """The ``user_sessions`` table: one row per login, revocable server-side."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, session: SessionRecord) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(user_sessions).values(asdict(session)))

    async def get(self, session_id: str) -> SessionRecord | None:
        async with self._engine.connect() as conn:
            stmt = select(user_sessions).where(user_sessions.c.id == session_id)
            row = (await conn.execute(stmt)).first()
        return None if row is None else _session(row)

    async def list_active(self, user_id: str, now: datetime) -> Sequence[SessionRecord]:
        stmt = (
            select(user_sessions)
            .where(user_sessions.c.user_id == user_id)
            .where(user_sessions.c.revoked_at.is_(None))
            .where(user_sessions.c.trading_expires_at > now)
            .order_by(user_sessions.c.created_at.desc(), user_sessions.c.id.desc())
        )
        async with self._engine.connect() as conn:
            return [_session(row) for row in (await conn.execute(stmt)).all()]

    async def rotate(
        self, session_id: str, session_token: str, expires_at: datetime, at: datetime
    ) -> None:
        await self._set(
            session_id, session_token=session_token, expires_at=expires_at, last_activity=at
        )

    async def touch(self, session_id: str, at: datetime) -> None:
        await self._set(session_id, last_activity=at)

    async def _set(self, session_id: str, **values: Any) -> None:
        async with self._engine.begin() as conn:
            stmt = update(user_sessions).where(user_sessions.c.id == session_id).values(values)
            await conn.execute(stmt)

    async def revoke(self, session_id: str, at: datetime) -> bool:
        stmt = (
            update(user_sessions)
            .where(user_sessions.c.id == session_id)
            .where(user_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount == 1

    async def revoke_all(self, user_id: str, at: datetime) -> Sequence[SessionRecord]:
        stmt = (
            update(user_sessions)
            .where(user_sessions.c.user_id == user_id)
            .where(user_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
            .returning(*user_sessions.c)
        )
        async with self._engine.begin() as conn:
            rows = (await conn.execute(stmt)).all()
        return sorted((_session(r) for r in rows), key=lambda s: s.created_at, reverse=True)


class SqlBackupCodeRepository:
    """The ``backup_codes`` table: keyed hashes of single-use codes."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def replace(self, user_id: str, code_hashes: Sequence[str], at: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(backup_codes).where(backup_codes.c.user_id == user_id))
            if code_hashes:
                rows = [{"user_id": user_id, "code_hash": h, "created_at": at} for h in code_hashes]
                await conn.execute(insert(backup_codes), rows)

    async def consume(self, user_id: str, code_hash: str, at: datetime) -> bool:
        stmt = (
            update(backup_codes)
            .where(backup_codes.c.user_id == user_id)
            .where(backup_codes.c.code_hash == code_hash)
            .where(backup_codes.c.used_at.is_(None))
            .values(used_at=at)
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount > 0

    async def count_unused(self, user_id: str) -> int:
        stmt = (
            select(func.count())
            .select_from(backup_codes)
            .where(backup_codes.c.user_id == user_id)
            .where(backup_codes.c.used_at.is_(None))
        )
        async with self._engine.connect() as conn:
            return int((await conn.execute(stmt)).scalar_one())
