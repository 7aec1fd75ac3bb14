"""Brute-force protection that slows guessing down without handing out lockouts.

Every failed password, TOTP, backup-code or e-mail-code attempt is counted for
three subjects: the (account, address) pair - or (account, known device) -, the
address, and the account across all addresses. Past a subject's free allowance
within the window, each further failure makes that subject wait before its next
attempt, doubling up to a cap: a guesser is slowed to a crawl, nobody is locked
out for a fixed time, and the wait lifts by itself.

Who is slowed is chosen so that an attacker cannot stop the owner:

- the pair and address waits only hit the address that failed;
- the account-wide wait (against guessing spread over many addresses) counts at
  most the free allowance of each (account, address) pair, so one address cannot
  trigger it, and it does not apply to a known device (``aurex.auth.devices``) nor
  to a login that brings the second factor along; it is short (a minute at most).

Waits are stored as "not before" times compared with the service clock, so they
work the same on the in-process and Redis stores; the first wait of a subject in a
window is written to the audit log (``auth.throttled``).
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


@dataclass(frozen=True, slots=True)
class Slowdown:
    """``free`` failures in the window cost nothing; then waits of ``base_s``,
    doubling per failure, at most ``cap_s``."""

    free: int
    base_s: int
    cap_s: int

    def wait_s(self, failures: int) -> int:
        excess = failures - self.free
        if excess <= 0:
            return 0
        doubled: int = self.base_s << min(excess - 1, 32)
        return min(self.cap_s, doubled)


@dataclass(frozen=True, slots=True, kw_only=True)
class ThrottlePolicy:
    pair: Slowdown = Slowdown(free=5, base_s=1, cap_s=15 * 60)
    address: Slowdown = Slowdown(free=20, base_s=1, cap_s=15 * 60)
    account: Slowdown = Slowdown(free=10, base_s=1, cap_s=60)
    failure_window_s: int = 15 * 60
    signup_per_ip_per_minute: int = 10
    login_per_ip_per_minute: int = 30
    verify_per_ip_per_minute: int = 30


def account_subject(email: str) -> str:
    return f"acct:{email}"


def ip_subject(ip: str) -> str:
    return f"ip:{ip}"


def pair_subject(email: str, ip: str, device_id: str | None = None) -> str:
    """The (account, address) pair, or (account, device) for a known device."""
    return f"acct:{email}|dev:{device_id}" if device_id else f"acct:{email}|ip:{ip}"


@dataclass(frozen=True, slots=True)
class Attempt:
    """Who is trying: the account (e-mail), the address and, if known, the device."""

    email: str
    ip: str
    device_id: str | None = None

    def subjects(self, policy: ThrottlePolicy) -> list[tuple[str, Slowdown]]:
        """Every subject a failure counts against, with its slowdown."""
        return [
            (pair_subject(self.email, self.ip, self.device_id), policy.pair),
            (ip_subject(self.ip), policy.address),
            (account_subject(self.email), policy.account),
        ]


class Throttle:
    """Failure slowdowns and request rate limits over the counter and challenge stores."""

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

    async def check(self, attempt: Attempt, *, account_wide: bool = True) -> None:
        """Raise ``LOCKED_OUT`` with the seconds to wait if ``attempt`` must wait.

        A known device skips the address wait; ``account_wide=False`` (a known device,
        or a login carrying a valid second factor) skips the account-wide wait.
        """
        subjects = [pair_subject(attempt.email, attempt.ip, attempt.device_id)]
        if attempt.device_id is None:
            subjects.append(ip_subject(attempt.ip))
        if account_wide and attempt.device_id is None:
            subjects.append(account_subject(attempt.email))
        waits = [await self.wait_s(subject) for subject in subjects]
        if max(waits) > 0:
            raise AuthError(
                AuthCode.LOCKED_OUT,
                "too many failed attempts; wait before trying again",
                retry_after_s=max(waits),
            )

    async def wait_s(self, subject: str) -> int:
        """Seconds ``subject`` must still wait before its next attempt (0: none)."""
        record = await self._challenges.get(_wait_key(subject))
        if record is None:
            return 0
        left = (datetime.fromisoformat(record["until"]) - self._clock()).total_seconds()
        return max(0, math.ceil(left))

    async def failed(self, attempt: Attempt, step: str, user_id: str | None = None) -> None:
        """Count a failed attempt at ``step``; make its subjects wait past their allowance."""
        now = self._clock()
        await self._audit.record(
            AuditEntry(
                at=now,
                action="auth.failed",
                user_id=user_id,
                ip_address=attempt.ip,
                detail={"step": step},
            )
        )
        pair_count = 0
        for subject, slowdown in attempt.subjects(self.policy):
            if slowdown is self.policy.account and pair_count > self.policy.pair.free:
                continue  # one address adds at most its free allowance to the account's count
            count = await self._counters.hit(subject, FAILURES, self.policy.failure_window_s)
            if slowdown is self.policy.pair:
                pair_count = count
            wait = slowdown.wait_s(count)
            if wait:
                await self._slow(subject, now, wait, count, attempt, step, user_id)

    async def counting(
        self, attempt: Attempt, step: str, user_id: str | None, check: Callable[[], Awaitable[T]]
    ) -> T:
        """Run a code check; a refused code counts as a failed attempt at ``step``."""
        try:
            return await check()
        except AuthError as exc:
            if exc.code in COUNTED_FAILURES:
                await self.failed(attempt, step, user_id)
            raise

    async def succeeded(self, attempt: Attempt) -> None:
        """A completed login clears the failures of its (account, address or device) pair."""
        subject = pair_subject(attempt.email, attempt.ip, attempt.device_id)
        await self._counters.reset(subject, FAILURES)
        await self._challenges.delete(_wait_key(subject))

    async def limit(self, subject: str, endpoint: str, per_minute: int) -> None:
        """Raise ``RATE_LIMITED`` when ``subject`` exceeds ``per_minute`` calls of ``endpoint``."""
        if await self._counters.hit(subject, endpoint, 60) > per_minute:
            raise AuthError(AuthCode.RATE_LIMITED, "too many requests; slow down", retry_after_s=60)

    async def _slow(
        self,
        subject: str,
        now: datetime,
        wait_s: int,
        count: int,
        attempt: Attempt,
        step: str,
        user_id: str | None,
    ) -> None:
        until = now + timedelta(seconds=wait_s)
        # Kept for the rest of the failure window, so the audit entry is written once.
        keep_s = max(wait_s, self.policy.failure_window_s)
        first = await self._challenges.get(_wait_key(subject)) is None
        await self._challenges.put(_wait_key(subject), {"until": until.isoformat()}, keep_s)
        if first:
            await self._audit.record(
                AuditEntry(
                    at=now,
                    action="auth.throttled",
                    user_id=user_id,
                    ip_address=attempt.ip,
                    detail={"subject": subject, "step": step, "failures": count},
                )
            )


def _wait_key(subject: str) -> str:
    return f"throttle:{subject}"
