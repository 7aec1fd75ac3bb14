"""Brute-force protection over HTTP: per-account and per-IP lockouts on every login step,
written to the audit log and lifted after the window - on in-process stores and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .test_http_harness import PASSWORD, Harness, bearer, running_app

LOCKOUT_S = 15 * 60


@pytest.fixture(params=["in-process", "redis"])
async def h(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    async with running_app(tmp_path, redis_url=redis_url) as harness:
        yield harness


async def fail_password(h: Harness, email: str, times: int) -> None:
    for _ in range(times):
        response = await h.login(email, "Wr0ng!Password")
        assert response.status_code == 401, response.text


async def test_five_wrong_passwords_lock_the_account_until_the_window_ends(h: Harness) -> None:
    await h.signup("ada@example.com")
    await fail_password(h, "ada@example.com", 5)

    locked = await h.login("ada@example.com", PASSWORD)
    assert locked.status_code == 429 and locked.json()["code"] == 1020
    assert 0 < int(locked.headers["Retry-After"]) <= LOCKOUT_S

    lockouts = await h.auth.audit.recent(action="auth.lockout")
    assert [e.detail["subject"] for e in lockouts] == ["acct:ada@example.com"]

    h.clock.advance(LOCKOUT_S - 10)
    assert (await h.login("ada@example.com", PASSWORD)).status_code == 429
    h.clock.advance(11)
    unlocked = await h.login("ada@example.com", PASSWORD)
    assert unlocked.status_code == 200 and unlocked.json()["requiresTwoFactor"] is True


async def test_account_lockout_applies_from_every_address(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.signup("bob@example.com")
    await fail_password(h, "ada@example.com", 5)
    async with h.client_from("203.0.113.9") as elsewhere:
        other_ip = await elsewhere.post(
            "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
    assert other_ip.status_code == 429 and other_ip.json()["code"] == 1020
    # The address itself is not locked: another account still logs in from it.
    assert (await h.login("bob@example.com")).status_code == 200


async def test_wrong_second_factor_codes_count_towards_the_lockout(h: Harness) -> None:
    await h.signup("ada@example.com")
    await fail_password(h, "ada@example.com", 2)
    await h.login("ada@example.com")
    code = h.inbox.latest_code("ada@example.com")
    for _ in range(3):
        assert (
            await h.verify("ada@example.com", "000000" if code != "000000" else "111111")
        ).status_code == 401
    # Five failures in all: even the right code is now refused.
    await h.login("ada@example.com")
    locked = await h.verify("ada@example.com", h.inbox.latest_code("ada@example.com"))
    assert locked.status_code == 429 and locked.json()["code"] == 1020
    steps = [e.detail["step"] for e in await h.auth.audit.recent(action="auth.failed")]
    assert sorted(steps) == ["email-code"] * 3 + ["password"] * 2


async def test_totp_and_backup_code_failures_lock_the_account(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    secret, codes = await h.enable_totp(tokens["sessionToken"])
    await h.login("ada@example.com")
    for _ in range(3):
        assert (await h.verify("ada@example.com", "ZZZZZ-ZZZZZ")).status_code == 401
    for _ in range(2):
        current = h.totp(secret)
        assert (
            await h.verify("ada@example.com", f"{(int(current) + 7) % 10**6:06d}")
        ).status_code == 401
    locked = await h.verify("ada@example.com", codes[0])
    assert locked.status_code == 429 and locked.json()["code"] == 1020
    h.clock.advance(LOCKOUT_S + 1)
    assert (await h.login("ada@example.com")).status_code == 200
    assert (await h.verify("ada@example.com", h.totp(secret))).status_code == 200


async def test_twenty_failures_from_one_address_lock_that_address(h: Harness) -> None:
    await h.signup("ada@example.com")
    async with h.client_from("198.51.100.7") as attacker:
        for i in range(20):
            body = {"email": f"guess{i % 5}@example.com", "password": "Wr0ng!Password"}
            assert (await attacker.post("/api/auth/login", json=body)).status_code == 401
        blocked = await attacker.post(
            "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
        )
    assert blocked.status_code == 429 and blocked.json()["code"] == 1020
    assert (await h.login("ada@example.com")).status_code == 200  # other addresses are fine
    subjects = [e.detail["subject"] for e in await h.auth.audit.recent(action="auth.lockout")]
    assert subjects == ["ip:198.51.100.7"]


async def test_admins_see_lockouts_in_the_audit_log(h: Harness) -> None:
    await h.signup("ada@example.com")
    await fail_password(h, "ada@example.com", 5)
    admin = await h.make_admin("root@example.com")
    response = await h.client.get(
        "/api/admin/audit", params={"action": "auth.lockout"}, headers=bearer(admin["sessionToken"])
    )
    assert response.status_code == 200
    entries = response.json()["entries"]
    assert len(entries) == 1 and entries[0]["detail"]["subject"] == "acct:ada@example.com"
