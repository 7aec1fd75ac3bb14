"""Brute-force protection over HTTP: guessing is slowed down per (account, address), per
address and account-wide, but nobody can lock the owner out - on in-process stores and
Redis. (The file keeps its name; there are no lockouts any more.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from .test_http_harness import PASSWORD, Harness, bearer, running_app

WRONG = "Wr0ng!Password"
PAIR_CAP_S = 15 * 60
ACCOUNT_CAP_S = 60


@pytest.fixture(params=["in-process", "redis"])
async def h(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    async with running_app(tmp_path, redis_url=redis_url) as harness:
        yield harness


async def login_from(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/login", json={"email": email, "password": password})


async def full_login(h: Harness, email: str) -> httpx.Response:
    """Both login steps; returns the answer of the second."""
    assert (await h.login(email)).status_code == 200
    finished = await h.verify(email, h.inbox.latest_code(email))
    assert finished.status_code == 200, finished.text
    return finished


async def fail_password(h: Harness, email: str, times: int) -> None:
    """``times`` wrong passwords from the test client's address, waiting out any slowdown."""
    for _ in range(times):
        response = await h.login(email, WRONG)
        if response.status_code == 429:
            h.clock.advance(int(response.headers["Retry-After"]))
            response = await h.login(email, WRONG)
        assert response.status_code == 401, response.text


async def test_wrong_passwords_slow_the_address_down_with_growing_waits(h: Harness) -> None:
    await h.signup("ada@example.com")
    for _ in range(5):
        assert (await h.login("ada@example.com", WRONG)).status_code == 401
    # Five failures are free; the sixth earns a 1 s wait, then 2 s, 4 s ...
    assert (await h.login("ada@example.com", WRONG)).status_code == 401
    waits = []
    for _ in range(4):
        slowed = await h.login("ada@example.com", PASSWORD)
        assert slowed.status_code == 429 and slowed.json()["code"] == 1020
        waits.append(int(slowed.headers["Retry-After"]))
        h.clock.advance(waits[-1])
        assert (await h.login("ada@example.com", WRONG)).status_code == 401
    assert waits == [1, 2, 4, 8]
    # The wait never becomes a fixed lockout: it lifts by itself (and is capped).
    await fail_password(h, "ada@example.com", 3)
    slowed = await h.login("ada@example.com", PASSWORD)
    assert slowed.status_code == 429 and int(slowed.headers["Retry-After"]) <= PAIR_CAP_S
    h.clock.advance(int(slowed.headers["Retry-After"]))
    assert (await h.login("ada@example.com", PASSWORD)).status_code == 200

    throttled = await h.auth.audit.recent(action="auth.throttled")
    assert "acct:ada@example.com|ip:127.0.0.1" in {e.detail["subject"] for e in throttled}


async def test_an_attacker_at_one_address_cannot_lock_the_owner_out(h: Harness) -> None:
    await h.signup("ada@example.com")
    failures = slowed = 0
    async with h.client_from("198.51.100.7") as attacker:
        for _ in range(40):  # guessing as fast as the server allows, waits included
            response = await login_from(attacker, "ada@example.com", WRONG)
            if response.status_code == 429:
                slowed += 1
                h.clock.advance(min(60, int(response.headers["Retry-After"])))
            else:
                assert response.status_code == 401
                failures += 1
    assert failures > 10 and slowed > 10  # the attacker is slowed down ...
    # ... while the owner, from her own address and a new browser, logs in at once.
    tokens = await h.login_with_email_code("ada@example.com")
    account = await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))
    assert account.status_code == 200


async def test_guessing_from_many_addresses_slows_only_unknown_devices(h: Harness) -> None:
    await h.signup("ada@example.com")
    first = await full_login(h, "ada@example.com")
    device = first.headers["Aurex-Device-Token"]
    assert first.cookies.get("deviceToken") == device

    for i in range(30):  # a botnet: 30 addresses, one guess each
        async with h.client_from(f"203.0.113.{i + 1}") as bot:
            assert (await login_from(bot, "ada@example.com", WRONG)).status_code in (401, 429)

    # A new address without a device token waits - briefly, the account-wide wait is capped.
    async with h.client_from("192.0.2.99") as stranger:
        slowed = await login_from(stranger, "ada@example.com", PASSWORD)
    assert slowed.status_code == 429 and slowed.json()["code"] == 1020
    assert 0 < int(slowed.headers["Retry-After"]) <= ACCOUNT_CAP_S

    # The owner's known device is let through at once, from any address.
    async with h.client_from("192.0.2.44") as phone:
        body = {"email": "ada@example.com", "password": PASSWORD, "deviceToken": device}
        started = await phone.post("/api/auth/login", json=body)
        assert started.status_code == 200 and started.json()["requiresTwoFactor"] is True
        code = h.inbox.latest_code("ada@example.com")
        finished = await phone.post(
            "/api/auth/verify-2fa", json={"email": "ada@example.com", "code": code}
        )
        assert finished.status_code == 200
    # The browser that logged in before sends its cookie by itself.
    assert h.client.cookies.get("deviceToken") == device
    assert (await h.login("ada@example.com")).status_code == 200


async def test_a_forged_or_foreign_device_token_does_not_help(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.signup("bob@example.com")
    bobs = (await full_login(h, "bob@example.com")).headers["Aurex-Device-Token"]
    h.client.cookies.clear()
    for i in range(30):
        async with h.client_from(f"203.0.113.{i + 1}") as bot:
            await login_from(bot, "ada@example.com", WRONG)
    device_id = bobs.split(".")[0]
    for token in (bobs, f"{device_id}.forged", "x" * 300):
        body = {"email": "ada@example.com", "password": PASSWORD, "deviceToken": token}
        response = await h.client.post("/api/auth/login", json=body)
        assert response.status_code in (422, 429), response.text


async def test_the_owner_gets_through_with_the_second_factor(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    secret, backup_codes = await h.enable_totp(tokens["sessionToken"])
    h.client.cookies.clear()  # a new device
    for i in range(30):
        async with h.client_from(f"203.0.113.{i + 1}") as bot:
            await login_from(bot, "ada@example.com", WRONG)
    assert (await h.login("ada@example.com")).status_code == 429

    # A wrong code is refused before the password is even looked at.
    body = {"email": "ada@example.com", "password": PASSWORD, "code": "ZZZZZ-ZZZZZ"}
    assert (await h.client.post("/api/auth/login", json=body)).status_code == 401
    # Password and a current TOTP code together open the session at once.
    body["code"] = h.totp(secret)
    with_totp = await h.client.post("/api/auth/login", json=body)
    assert with_totp.status_code == 200, with_totp.text
    session = with_totp.json()["sessionToken"]
    assert (await h.client.get("/api/account", headers=bearer(session))).status_code == 200
    # A backup code works the same way (and is used up).
    h.client.cookies.clear()
    body["code"] = backup_codes[0]
    assert (await h.client.post("/api/auth/login", json=body)).status_code == 200


async def test_an_email_code_user_asks_for_a_code_to_bring_along(h: Harness) -> None:
    await h.signup("ada@example.com")
    for i in range(30):
        async with h.client_from(f"203.0.113.{i + 1}") as bot:
            await login_from(bot, "ada@example.com", WRONG)
    assert (await h.login("ada@example.com")).status_code == 429

    asked = await h.client.post("/api/auth/login-code", json={"email": "ada@example.com"})
    assert asked.status_code == 200
    unknown = await h.client.post("/api/auth/login-code", json={"email": "nobody@example.com"})
    assert unknown.json() == asked.json()
    # Guesses at the login code from elsewhere cannot void the owner's code for long:
    # wrong codes at step one count as failures of the guesser.
    code = h.inbox.latest_code("ada@example.com")
    body = {"email": "ada@example.com", "password": PASSWORD, "code": code}
    response = await h.client.post("/api/auth/login", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["tradingExpiresIn"] == 8 * 3600


async def test_wrong_second_factor_codes_are_slowed_down_too(h: Harness) -> None:
    await h.signup("ada@example.com")
    await fail_password(h, "ada@example.com", 2)
    await h.login("ada@example.com")
    code = h.inbox.latest_code("ada@example.com")
    for _ in range(3):
        assert (await h.verify("ada@example.com", wrong(code))).status_code == 401
    await h.login("ada@example.com")
    # Six failures at this (account, address): the next attempt must wait a moment.
    assert (await h.verify("ada@example.com", wrong(code))).status_code == 401
    slowed = await h.verify("ada@example.com", h.inbox.latest_code("ada@example.com"))
    assert slowed.status_code == 429 and slowed.json()["code"] == 1020
    h.clock.advance(int(slowed.headers["Retry-After"]))
    ok = await h.verify("ada@example.com", h.inbox.latest_code("ada@example.com"))
    assert ok.status_code == 200, ok.text
    steps = [e.detail["step"] for e in await h.auth.audit.recent(action="auth.failed")]
    assert sorted(steps) == ["email-code"] * 4 + ["password"] * 2


async def test_many_accounts_guessed_from_one_address_slow_that_address(h: Harness) -> None:
    await h.signup("ada@example.com")
    async with h.client_from("198.51.100.7") as attacker:
        for i in range(21):
            body = {"email": f"guess{i}@example.com", "password": WRONG}
            assert (await attacker.post("/api/auth/login", json=body)).status_code == 401
        blocked = await login_from(attacker, "ada@example.com", PASSWORD)
    assert blocked.status_code == 429 and blocked.json()["code"] == 1020
    assert (await h.login("ada@example.com")).status_code == 200  # other addresses are fine
    subjects = {e.detail["subject"] for e in await h.auth.audit.recent(action="auth.throttled")}
    assert subjects == {"ip:198.51.100.7"}


async def test_admins_see_slowdowns_in_the_audit_log(h: Harness) -> None:
    await h.signup("ada@example.com")
    await fail_password(h, "ada@example.com", 6)
    admin = await h.make_admin("root@example.com")
    response = await h.client.get(
        "/api/admin/audit",
        params={"action": "auth.throttled"},
        headers=bearer(admin["sessionToken"]),
    )
    assert response.status_code == 200
    entries = response.json()["entries"]
    assert [e["detail"]["subject"] for e in entries] == ["acct:ada@example.com|ip:127.0.0.1"]


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"
