"""Sign-up over HTTP: the spec's fields and password rules, unique e-mails, Argon2id
hashes with OWASP parameters, the opening cash and e-mail verification."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import argon2
import pytest
from sqlalchemy import select

from aurex.store.database import create_engine
from aurex.store.tables import users

from .test_http_harness import OPENING_CASH_CENTS, PASSWORD, Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


def form(**overrides: Any) -> dict[str, Any]:
    body = {
        "email": "ada@example.com",
        "password": PASSWORD,
        "firstName": "Ada",
        "lastName": "Lovelace",
        "country": "US",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


async def stored_hash(h: Harness, email: str) -> str:
    engine = create_engine(h.database_url)
    try:
        async with engine.connect() as conn:
            query = select(users.c.password_hash).where(users.c.email == email)
            return str((await conn.execute(query)).scalar_one())
    finally:
        await engine.dispose()


async def test_password_is_stored_as_argon2id_with_owasp_parameters(h: Harness) -> None:
    await h.signup("ada@example.com")
    stored = await stored_hash(h, "ada@example.com")
    assert PASSWORD not in stored
    params = argon2.extract_parameters(stored)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19 * 1024  # KiB
    assert params.time_cost >= 2
    assert stored.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("Sh0rt!", "at least 8 characters"),
        ("alllower1!", "an uppercase letter"),
        ("ALLUPPER1!", "a lowercase letter"),
        ("NoDigits!!", "a digit"),
        ("NoSpecial12", "a special character"),
    ],
)
async def test_password_rules_are_enforced(h: Harness, password: str, missing: str) -> None:
    response = await h.client.post("/api/auth/signup", json=form(password=password))
    assert response.status_code == 422
    assert response.json()["code"] == 1003 and missing in response.json()["message"]


@pytest.mark.parametrize(
    "email", ["plainaddress", "a@b", "ada@@example.com", "ada@exa mple.com", "@example.com"]
)
async def test_invalid_email_is_refused(h: Harness, email: str) -> None:
    response = await h.client.post("/api/auth/signup", json=form(email=email))
    assert response.status_code == 422 and response.json()["code"] == 1004


async def test_missing_and_mistyped_fields_get_the_error_shape(h: Harness) -> None:
    missing = await h.client.post("/api/auth/signup", json=form(firstName=None))
    assert missing.status_code == 422
    assert missing.json() == {"code": 1000, "message": "firstName: Field required"}
    typed = await h.client.post("/api/auth/signup", json=form(lastName=42))
    assert typed.status_code == 422 and typed.json()["code"] == 1000
    assert "lastName" in typed.json()["message"]
    broken = await h.client.post(
        "/api/auth/signup", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["code"] == 1000
    country = await h.client.post("/api/auth/signup", json=form(country="United States"))
    assert country.status_code == 422 and country.json()["code"] == 1000


async def test_email_is_unique_regardless_of_case(h: Harness) -> None:
    await h.signup("ada@example.com")
    again = await h.client.post("/api/auth/signup", json=form(email=" ADA@Example.com "))
    assert again.status_code == 409
    assert again.json() == {"code": 1002, "message": "an account with this e-mail exists"}


async def test_new_account_gets_the_opening_cash_and_email_codes(h: Harness) -> None:
    user_id = await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ADA@example.com")
    account = (await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))).json()
    assert account["userId"] == user_id
    assert account["cashCents"] == OPENING_CASH_CENTS
    assert account["cashHeldCents"] == 0 and account["buyingPowerCents"] == OPENING_CASH_CENTS
    assert account["role"] == "trader" and account["twoFactorType"] == "email"
    assert account["firstName"] == "Ada" and account["country"] == "GB"


async def test_verification_link_marks_the_address_verified_once(h: Harness) -> None:
    await h.signup("ada@example.com")
    token = h.inbox.latest_verification_token("ada@example.com")
    assert "http://testserver/api/auth/verify-email?token=" in h.inbox.latest_body(
        "ada@example.com"
    )
    first = await h.client.post("/api/auth/verify-email", json={"token": token})
    assert first.json() == {"success": True, "message": "E-mail address verified"}
    again = await h.client.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.json()["code"] == 1040
    user = await h.auth.users.get_by_email("ada@example.com")
    assert user is not None and user.email_verified


async def test_verification_link_expires_after_a_day(h: Harness) -> None:
    await h.signup("ada@example.com")
    token = h.inbox.latest_verification_token("ada@example.com")
    h.clock.advance(24 * 3600 + 1)
    late = await h.client.get("/api/auth/verify-email", params={"token": token})
    assert late.status_code == 400 and late.json()["code"] == 1040


async def test_verification_resend_does_not_reveal_accounts(h: Harness) -> None:
    await h.signup("ada@example.com")
    known = await h.client.post("/api/auth/verify-email/resend", json={"email": "ada@example.com"})
    unknown = await h.client.post("/api/auth/verify-email/resend", json={"email": "x@example.com"})
    assert known.json() == unknown.json() and known.status_code == unknown.status_code == 200
    assert len(h.inbox.messages_to("ada@example.com")) == 2


async def test_signups_from_one_address_are_rate_limited(h: Harness) -> None:
    for i in range(10):
        assert (
            await h.client.post("/api/auth/signup", json=form(email=f"u{i}@example.com"))
        ).status_code == 201
    limited = await h.client.post("/api/auth/signup", json=form(email="u10@example.com"))
    assert limited.status_code == 429 and limited.json()["code"] == 1021
    assert limited.headers["Retry-After"] == "60"


async def test_verification_resend_is_limited_to_one_a_minute_without_telling(h: Harness) -> None:
    await h.signup("ada@example.com")
    for _ in range(3):
        response = await h.client.post(
            "/api/auth/verify-email/resend", json={"email": "ada@example.com"}
        )
        assert response.status_code == 200
    assert len(h.inbox.messages_to("ada@example.com")) == 2  # sign-up link + one resend
