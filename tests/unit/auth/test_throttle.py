"""Lockouts and rate limits on the in-process stores."""

from __future__ import annotations

import pytest

from aurex.auth import memory_stores
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.throttle import Throttle, ThrottlePolicy

from .conftest import AuditTrail, Clock


@pytest.fixture
def throttle(clock: Clock, audit: AuditTrail) -> Throttle:
    stores = memory_stores(clock)
    return Throttle(stores.counters, stores.challenges, audit, clock, ThrottlePolicy())


async def test_fifth_failure_locks_the_account_for_fifteen_minutes(
    throttle: Throttle, clock: Clock, audit: AuditTrail
) -> None:
    for _ in range(4):
        await throttle.failed("ada@example.com", "10.0.0.1", "password")
    await throttle.check("ada@example.com", "10.0.0.1")
    await throttle.failed("ada@example.com", "10.0.0.1", "totp")
    with pytest.raises(AuthError) as caught:
        await throttle.check("ada@example.com", "10.0.0.2")
    assert caught.value.code == AuthCode.LOCKED_OUT and caught.value.retry_after_s == 900
    lockouts = [e for e in audit.entries if e.action == "auth.lockout"]
    assert len(lockouts) == 1 and lockouts[0].detail["step"] == "totp"
    clock.advance(899)
    with pytest.raises(AuthError) as later:
        await throttle.check("ada@example.com", "10.0.0.1")
    assert later.value.retry_after_s == 1
    clock.advance(1)
    await throttle.check("ada@example.com", "10.0.0.1")


async def test_failures_outside_the_window_do_not_add_up(throttle: Throttle, clock: Clock) -> None:
    for _ in range(4):
        await throttle.failed("ada@example.com", "10.0.0.1", "password")
    clock.advance(15 * 60)
    await throttle.failed("ada@example.com", "10.0.0.1", "password")
    await throttle.check("ada@example.com", "10.0.0.1")


async def test_success_clears_the_account_count(throttle: Throttle) -> None:
    for _ in range(4):
        await throttle.failed("ada@example.com", "10.0.0.1", "password")
    await throttle.succeeded("ada@example.com")
    for _ in range(4):
        await throttle.failed("ada@example.com", "10.0.0.1", "password")
    await throttle.check("ada@example.com", "10.0.0.1")


async def test_counting_only_counts_refused_codes(throttle: Throttle, audit: AuditTrail) -> None:
    async def ok() -> str:
        return "fine"

    async def refused() -> str:
        raise AuthError(AuthCode.INVALID_CODE, "wrong")

    async def locked() -> str:
        raise AuthError(AuthCode.TOTP_NOT_ENABLED, "no")

    assert await throttle.counting("a@example.com", "ip", "totp", "u1", ok) == "fine"
    with pytest.raises(AuthError):
        await throttle.counting("a@example.com", "ip", "totp", "u1", refused)
    with pytest.raises(AuthError):
        await throttle.counting("a@example.com", "ip", "totp", "u1", locked)
    assert [e.action for e in audit.entries] == ["auth.failed"]


async def test_rate_limit_allows_the_quota_per_minute(throttle: Throttle, clock: Clock) -> None:
    for _ in range(3):
        await throttle.limit("ip:1", "signup", 3)
    with pytest.raises(AuthError) as caught:
        await throttle.limit("ip:1", "signup", 3)
    assert caught.value.code == AuthCode.RATE_LIMITED
    await throttle.limit("ip:2", "signup", 3)
    clock.advance(60)
    await throttle.limit("ip:1", "signup", 3)
