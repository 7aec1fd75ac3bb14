"""The whole account life cycle over HTTP, on embedded defaults and on PostgreSQL+Redis+SMTP.

sign-up -> e-mail verification -> first login with an e-mailed code -> TOTP set-up with
a code computed here -> login with TOTP -> authenticated calls -> refresh -> logout,
after which every old token is refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .test_http_harness import OPENING_CASH_CENTS, Harness, bearer, running_app


@pytest.fixture(params=["embedded", "postgres-redis-smtp"])
async def h(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    if request.param == "embedded":
        async with running_app(tmp_path) as h:
            yield h
        return
    postgres = request.getfixturevalue("postgres_server")
    redis_url = request.getfixturevalue("redis_url")
    smtp = request.getfixturevalue("smtp_server")
    async with running_app(
        tmp_path, database_url=postgres.create_database(), redis_url=redis_url, smtp=smtp
    ) as h:
        yield h


async def test_signup_verify_totp_login_refresh_logout_refuses_old_tokens(h: Harness) -> None:
    email = "ada@example.com"
    signup = await h.client.post(
        "/api/auth/signup",
        json={
            "email": email,
            "password": "SecurePass123!",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "country": "US",
        },
    )
    assert signup.status_code == 201
    body = signup.json()
    assert body["success"] is True and body["message"] == "Account created successfully"
    user_id = body["userId"]

    token = h.inbox.latest_verification_token(email)
    verified = await h.client.get("/api/auth/verify-email", params={"token": token})
    assert verified.status_code == 200 and "verified" in verified.text

    # New users get e-mailed codes until they set up TOTP.
    login = await h.login(email, "SecurePass123!")
    assert login.json() == {"success": True, "requiresTwoFactor": True, "twoFactorType": "email"}
    first = await h.verify(email, h.inbox.latest_code(email))
    assert first.status_code == 200
    tokens = first.json()
    assert set(tokens) == {
        "success",
        "sessionToken",
        "tradingToken",
        "expiresIn",
        "tradingExpiresIn",
    }
    assert tokens["expiresIn"] == 900 and tokens["tradingExpiresIn"] == 28800

    account = await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))
    assert account.status_code == 200
    profile = account.json()
    assert profile["userId"] == user_id and profile["emailVerified"] is True
    assert profile["cashCents"] == OPENING_CASH_CENTS == profile["buyingPowerCents"]

    secret, backup_codes = await h.enable_totp(tokens["sessionToken"])
    assert len(backup_codes) == 10 and len(set(backup_codes)) == 10

    # From now on the second factor is the authenticator app.
    login = await h.login(email, "SecurePass123!")
    assert login.json()["twoFactorType"] == "totp"
    second = await h.verify(email, h.totp(secret))
    assert second.status_code == 200
    session_token = second.json()["sessionToken"]
    trading_token = second.json()["tradingToken"]

    positions = await h.client.get("/api/account/positions", headers=bearer(session_token))
    assert positions.status_code == 200 and positions.json() == {"positions": []}

    refreshed = await h.client.post("/api/auth/refresh", json={"tradingToken": trading_token})
    assert refreshed.status_code == 200
    new_token = refreshed.json()["sessionToken"]
    assert new_token != session_token
    assert refreshed.json()["tradingToken"] == trading_token

    old = await h.client.get("/api/account", headers=bearer(session_token))
    assert old.status_code == 401 and old.json()["code"] == 1033
    assert (await h.client.get("/api/account", headers=bearer(new_token))).status_code == 200

    logout = await h.client.post("/api/auth/logout", headers=bearer(new_token))
    assert logout.json() == {"success": True, "message": "Logged out successfully"}

    after = await h.client.get("/api/account", headers=bearer(new_token))
    assert after.status_code == 401 and after.json()["code"] == 1033
    again = await h.client.post("/api/auth/refresh", json={"tradingToken": trading_token})
    assert again.status_code == 401 and again.json()["code"] == 1033
    # The first (e-mail code) session is still live: logout ends one session only.
    still = await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))
    assert still.status_code == 200


async def test_trading_token_identifies_the_user_for_other_gateways(h: Harness) -> None:
    user_id = await h.signup("grace@example.com")
    tokens = await h.login_with_email_code("grace@example.com")
    principal = await h.auth.sessions.authenticate_trading(tokens["tradingToken"])
    assert principal.user_id == user_id and principal.email == "grace@example.com"
