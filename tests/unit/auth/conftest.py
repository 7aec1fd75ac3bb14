"""Fakes for auth unit tests: a settable clock, a mailer and an audit log that remember."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from aurex.auth.ports import AuditEntry

START = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Outbox:
    """A mailer that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, to: str, subject: str, body: str) -> None:
        self.sent.append((to, subject, body))


class AuditTrail:
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    async def recent(
        self, *, user_id: str | None = None, action: str | None = None, limit: int = 50
    ) -> Sequence[AuditEntry]:
        found = [
            e
            for e in reversed(self.entries)
            if (user_id is None or e.user_id == user_id) and (action is None or e.action == action)
        ]
        return found[:limit]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def audit() -> AuditTrail:
    return AuditTrail()
