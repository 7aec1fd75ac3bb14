"""The security audit log in SQL: implements ``aurex.auth.ports.AuditLog``."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.auth.ports import AuditEntry
from aurex.store.tables import audit_log


class SqlAuditLog:
    """Append-only rows of (time, user, IP, action, JSON detail)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, entry: AuditEntry) -> None:
        values = {
            "ts": entry.at,
            "user_id": entry.user_id,
            "ip_address": entry.ip_address,
            "event_type": entry.action,
            "detail": dict(entry.detail),
        }
        async with self._engine.begin() as conn:
            await conn.execute(insert(audit_log).values(values))

    async def recent(
        self, *, user_id: str | None = None, action: str | None = None, limit: int = 50
    ) -> Sequence[AuditEntry]:
        stmt = select(audit_log).order_by(audit_log.c.ts.desc(), audit_log.c.id.desc())
        if user_id is not None:
            stmt = stmt.where(audit_log.c.user_id == user_id)
        if action is not None:
            stmt = stmt.where(audit_log.c.event_type == action)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt.limit(limit))).all()
        return [
            AuditEntry(
                at=row.ts,
                action=row.event_type,
                user_id=row.user_id,
                ip_address=row.ip_address,
                detail=row.detail,
            )
            for row in rows
        ]
