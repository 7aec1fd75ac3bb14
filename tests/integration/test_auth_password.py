"""Password change (logged in, with the second factor) and reset by e-mail over HTTP:
the old password and the other sessions stop working at once."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .test_http_harness import PASSWORD, Harness, bearer, running_app

NEW_PASSWORD = "N3w!Passw0rd-2026"


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


def reset_token(h: Harness, email: str) -> str:
    match = re.search(
        r"Reset token \(valid 30 minutes, works once\): (\S+)", h.inbox.latest_body(email)
    )
    assert match, "no reset token in the mail"
    return match.group(1)


def notified(h: Harness, email: str) -> bool:
    """Whether the user was told by e-mail that the password changed."""
    return any(
        m["Subject"] == "Your Aurex password was changed" for m in h.inbox.messages_to(email)
    )


async def works(h: Harness, token: str) -> bool:
    return (await h.client.get("/api/account", headers=bearer(token))).status_code == 200


async def test_changing_the_password_needs_the_old_one_and_the_second_factor(h: Harness) -> None:
    await h.signup("ada@example.com")
    laptop = await h.login_with_email_code("ada@example.com")
    phone = await h.login_with_email_code("ada@example.com")
    headers = bearer(laptop["sessionToken"])

    h.clock.advance(60)  # at most one e-mailed code a minute, and one was sent at login
    asked = await h.client.post("/api/auth/password/code", headers=headers)
    assert asked.status_code == 200
    code = h.inbox.latest_code("ada@example.com")
    change = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "code": code}

    wrong_old = await h.client.post(
        "/api/auth/password", json={**change, "currentPassword": "Wr0ng!Password"}, headers=headers
    )
    assert wrong_old.status_code == 401 and wrong_old.json()["code"] == 1001
    # The code is checked (and used up) before the password, so ask for another.
    h.clock.advance(60)
    assert (await h.client.post("/api/auth/password/code", headers=headers)).status_code == 200
    code = h.inbox.latest_code("ada@example.com")
    change["code"] = code
    weak = await h.client.post(
        "/api/auth/password", json={**change, "newPassword": "short"}, headers=headers
    )
    assert weak.status_code == 422 and weak.json()["code"] == 1003
    wrong_code = await h.client.post(
        "/api/auth/password",
        json={**change, "code": "000000" if code != "000000" else "111111"},
        headers=headers,
    )
    assert wrong_code.status_code == 401 and wrong_code.json()["code"] == 1011

    changed = await h.client.post("/api/auth/password", json=change, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["revoked"] == 1

    assert await works(h, laptop["sessionToken"])  # this session stays
    assert not await works(h, phone["sessionToken"])  # every other one ends
    old = await h.login("ada@example.com", PASSWORD)
    assert old.status_code == 401
    assert (await h.login("ada@example.com", NEW_PASSWORD)).status_code == 200
    assert notified(h, "ada@example.com")
    audit = await h.auth.audit.recent(action="auth.password_changed")
    assert len(audit) == 1


async def test_a_totp_user_changes_the_password_with_an_authenticator_code(h: Harness) -> None:
    await h.signup("ada@example.com")
    first = await h.login_with_email_code("ada@example.com")
    secret, _backup_codes = await h.enable_totp(first["sessionToken"])
    tokens = await h.login_with_totp("ada@example.com", secret)
    h.clock.advance(30)
    headers = bearer(tokens["sessionToken"])
    no_mail_code = await h.client.post("/api/auth/password/code", headers=headers)
    assert no_mail_code.status_code == 409
    change = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD, "code": h.totp(secret)}
    changed = await h.client.post("/api/auth/password", json=change, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["revoked"] == 1  # the first session
    h.clock.advance(30)
    assert (await h.login("ada@example.com", NEW_PASSWORD)).status_code == 200


async def test_reset_by_email_sets_a_new_password_and_ends_every_session(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")

    asked = await h.client.post("/api/auth/password/forgot", json={"email": "ada@example.com"})
    unknown = await h.client.post("/api/auth/password/forgot", json={"email": "nobody@example.com"})
    assert asked.status_code == unknown.status_code == 200
    assert asked.json() == unknown.json()
    token = reset_token(h, "ada@example.com")

    bad = await h.client.post(
        "/api/auth/password/reset", json={"token": "not-a-token", "newPassword": NEW_PASSWORD}
    )
    assert bad.status_code == 400 and bad.json()["code"] == 1040
    reset = await h.client.post(
        "/api/auth/password/reset", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert reset.status_code == 200, reset.text

    assert not await works(h, tokens["sessionToken"])
    refresh = await h.client.post(
        "/api/auth/refresh", json={"tradingToken": tokens["tradingToken"]}
    )
    assert refresh.status_code == 401
    assert (await h.login("ada@example.com", PASSWORD)).status_code == 401
    assert notified(h, "ada@example.com")
    assert (await h.login("ada@example.com", NEW_PASSWORD)).status_code == 200
    finished = await h.verify("ada@example.com", h.inbox.latest_code("ada@example.com"))
    assert finished.status_code == 200
    again = await h.client.post(
        "/api/auth/password/reset", json={"token": token, "newPassword": PASSWORD}
    )
    assert again.status_code == 400  # a reset token works once


async def test_reset_tokens_expire_after_thirty_minutes(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.client.post("/api/auth/password/forgot", json={"email": "ada@example.com"})
    token = reset_token(h, "ada@example.com")
    h.clock.advance(30 * 60)
    late = await h.client.post(
        "/api/auth/password/reset", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert late.status_code == 400


async def test_a_totp_user_needs_the_authenticator_to_reset(h: Harness) -> None:
    await h.signup("ada@example.com")
    first = await h.login_with_email_code("ada@example.com")
    secret, _codes = await h.enable_totp(first["sessionToken"])
    await h.client.post("/api/auth/password/forgot", json={"email": "ada@example.com"})
    token = reset_token(h, "ada@example.com")
    body = {"token": token, "newPassword": NEW_PASSWORD}
    without = await h.client.post("/api/auth/password/reset", json=body)
    assert without.status_code == 401
    with_code = await h.client.post(
        "/api/auth/password/reset", json={**body, "code": h.totp(secret)}
    )
    assert with_code.status_code == 200, with_code.text
    assert not await works(h, first["sessionToken"])
