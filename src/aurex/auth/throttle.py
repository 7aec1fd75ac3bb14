"""Brute-force protection: failure counting with lockouts, and request rate limits.

Every failed password, TOTP, backup-code or e-mail-code attempt counts against the
account (by e-mail) and the client IP. Reaching the threshold within the window
locks that subject for ``lockout_s``; the lockout is written to the audit log and
lifts by itself. The lockout end is stored as a time and compared with the
service clock, so it works the same on the in-process and Redis stores.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import AuditEntry, AuditLog, ChallengeStore, Clock, CounterStore

FAILURES = "auth-failures"
COUNTED_FAILURES = frozenset(
    {
        AuthCode.INVALID_CREDENTIALS,
        AuthCode.INVALID_CODE,
        AuthCode.CODE_EXPIRED,
        AuthCode.CODE_ALREADY_USED,
        AuthCode.CODE_ATTEMPTS_EXHAUSTED,
    }
)
T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottlePolicy:
    account_failures: int = 5
    ip_failures: int = 20
    failure_window_s: int = 15 * 60
    lockout_s: int = 15 * 60
    signup_per_ip_per_minute: int = 10
    login_per_ip_per_minute: int = 30
    verify_per_ip_per_minute: int = 30


def account_subject(email: str) -> str:
    return f"acct:{email}"


def ip_subject(ip: str) -> str:
    return f"ip:{ip}"


class Throttle:
    """Lockouts and rate limits over the counter and challenge stores."""

    def __init__(
        self,
        counters: CounterStore,
        challenges: ChallengeStore,
        audit: AuditLog,
        clock: Clock,
        policy: ThrottlePolicy | None = None,
    ) -> None:
        self._counters = counters
        self._challenges = challenges
        self._audit = audit
        self._clock = clock
        self.policy = policy or ThrottlePolicy()

    async def check(self, email: str, ip: str) -> None:
        """Raise ``LOCKED_OUT`` (with the seconds left) if the account or IP is locked."""
        now = self._clock()
        for subject in (account_subject(email), ip_subject(ip)):
            record = await self._challenges.get(f"lockout:{subject}")
            if record is None:
                continue
            until = datetime.fromisoformat(record["until"])
            if until > now:
                raise AuthError(
                    AuthCode.LOCKED_OUT,
                    "too many failed attempts; try again later",
                    retry_after_s=max(1, math.ceil((until - now).total_seconds())),
                )

    async def failed(self, email: str, ip: str, step: str, user_id: str | None = None) -> None:
        """Count a failed attempt at ``step``; lock the account or IP at the threshold."""
        now = self._clock()
        await self._audit.record(
            AuditEntry(
                at=now, action="auth.failed", user_id=user_id, ip_address=ip, detail={"step": step}
            )
        )
        limits = (
            (account_subject(email), self.policy.account_failures),
            (ip_subject(ip), self.policy.ip_failures),
        )
        for subject, limit in limits:
            count = await self._counters.hit(subject, FAILURES, self.policy.failure_window_s)
            if count >= limit:
                await self._lock(subject, now, user_id, ip, step, count)

    async def counting(
        self,
        email: str,
        ip: str,
        step: str,
        user_id: str | None,
        attempt: Callable[[], Awaitable[T]],
    ) -> T:
        """Run a code check; a refused code counts as a failed attempt at ``step``."""
        try:
            return await attempt()
        except AuthError as exc:
            if exc.code in COUNTED_FAILURES:
                await self.failed(email, ip, step, user_id)
            raise

    async def succeeded(self, email: str) -> None:
        """A completed login clears the account's failure count."""
        await self._counters.reset(account_subject(email), FAILURES)

    async def limit(self, subject: str, endpoint: str, per_minute: int) -> None:
        """Raise ``RATE_LIMITED`` when ``subject`` exceeds ``per_minute`` calls of ``endpoint``."""
        if await self._counters.hit(subject, endpoint, 60) > per_minute:
            raise AuthError(AuthCode.RATE_LIMITED, "too many requests; slow down", retry_after_s=60)

    async def _lock(
        self, subject: str, now: datetime, user_id: str | None, ip: str, step: str, count: int
    ) -> None:
        until = now + timedelta(seconds=self.policy.lockout_s)
        await self._challenges.put(
            f"lockout:{subject}", {"until": until.isoformat()}, self.policy.lockout_s
        )
        await self._counters.reset(subject, FAILURES)
        await self._audit.record(
            AuditEntry(
                at=now,
                action="auth.lockout",
                user_id=user_id,
                ip_address=ip,
                detail={
                    "subject": subject,
                    "step": step,
                    "failures": count,
                    "until": until.isoformat(),
                },
            )
        )
