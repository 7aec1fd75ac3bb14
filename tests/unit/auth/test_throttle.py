"""Failure slowdowns and rate limits on the in-process stores."""

from __future__ import annotations

import pytest

from aurex.auth import memory_stores
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.throttle import Attempt, Slowdown, Throttle, ThrottlePolicy

from .conftest import AuditTrail, Clock

ADA = Attempt("ada@example.com", "10.0.0.1")


@pytest.fixture
def throttle(clock: Clock, audit: AuditTrail) -> Throttle:
    stores = memory_stores(clock)
    return Throttle(stores.counters, stores.challenges, audit, clock, ThrottlePolicy())


async def wait_of(throttle: Throttle, attempt: Attempt, *, account_wide: bool = True) -> int:
    try:
        await throttle.check(attempt, account_wide=account_wide)
    except AuthError as exc:
        assert exc.code == AuthCode.LOCKED_OUT and exc.retry_after_s is not None
        return exc.retry_after_s
    return 0


def test_waits_double_past_the_free_allowance_up_to_the_cap() -> None:
    slowdown = Slowdown(free=5, base_s=1, cap_s=900)
    assert [slowdown.wait_s(n) for n in range(1, 11)] == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16]
    assert slowdown.wait_s(16) == 900 and slowdown.wait_s(10**6) == 900


async def test_failures_slow_the_pair_then_the_wait_lifts(
    throttle: Throttle, clock: Clock, audit: AuditTrail
) -> None:
    for _ in range(5):
        await throttle.failed(ADA, "password")
    assert await wait_of(throttle, ADA) == 0
    await throttle.failed(ADA, "totp")
    assert await wait_of(throttle, ADA) == 1
    # Another address is not slowed by this pair.
    assert await wait_of(throttle, Attempt("ada@example.com", "10.0.0.2")) == 0
    throttled = [e for e in audit.entries if e.action == "auth.throttled"]
    assert [e.detail["subject"] for e in throttled] == ["acct:ada@example.com|ip:10.0.0.1"]
    assert throttled[0].detail["step"] == "totp"
    clock.advance(1)
    assert await wait_of(throttle, ADA) == 0


async def test_one_address_adds_only_its_allowance_to_the_account_count(
    throttle: Throttle,
) -> None:
    for _ in range(40):
        await throttle.failed(ADA, "password")
    assert await wait_of(throttle, Attempt("ada@example.com", "10.9.9.9")) == 0


async def test_many_addresses_slow_the_account_except_known_devices_and_second_factors(
    throttle: Throttle,
) -> None:
    for i in range(11):
        await throttle.failed(Attempt("ada@example.com", f"10.1.0.{i}"), "password")
    stranger = Attempt("ada@example.com", "10.9.9.9")
    assert 0 < await wait_of(throttle, stranger) <= 60
    assert await wait_of(throttle, stranger, account_wide=False) == 0
    assert await wait_of(throttle, Attempt("ada@example.com", "10.9.9.9", "dev1")) == 0


async def test_failures_outside_the_window_do_not_add_up(throttle: Throttle, clock: Clock) -> None:
    for _ in range(5):
        await throttle.failed(ADA, "password")
    clock.advance(15 * 60)
    await throttle.failed(ADA, "password")
    assert await wait_of(throttle, ADA) == 0


async def test_success_clears_the_pair(throttle: Throttle) -> None:
    for _ in range(6):
        await throttle.failed(ADA, "password")
    await throttle.succeeded(ADA)
    assert await wait_of(throttle, ADA) == 0
    for _ in range(5):
        await throttle.failed(ADA, "password")
    assert await wait_of(throttle, ADA) == 0


async def test_counting_only_counts_refused_codes(throttle: Throttle, audit: AuditTrail) -> None:
    async def ok() -> str:
        return "fine"

    async def refused() -> str:
        raise AuthError(AuthCode.INVALID_CODE, "wrong")

    async def other() -> str:
        raise AuthError(AuthCode.TOTP_NOT_ENABLED, "no")

    assert await throttle.counting(ADA, "totp", "u1", ok) == "fine"
    with pytest.raises(AuthError):
        await throttle.counting(ADA, "totp", "u1", refused)
    with pytest.raises(AuthError):
        await throttle.counting(ADA, "totp", "u1", other)
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
