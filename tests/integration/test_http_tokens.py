"""Access tokens over HTTP: forged, tampered, expired, foreign-key and revoked JWTs are all
refused; browser cookies carry the right flags and cookie-authenticated state changes
need the CSRF token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from aurex.auth import KeyRing

from .test_http_harness import Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


@pytest.fixture
async def token(h: Harness) -> str:
    await h.signup("ada@example.com")
    return str((await h.login_with_email_code("ada@example.com"))["sessionToken"])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    header_b64, payload_b64, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (
        json.loads(base64.urlsafe_b64decode(pad(header_b64))),
        json.loads(base64.urlsafe_b64decode(pad(payload_b64))),
    )


def assemble(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(signature)}"


async def refused(h: Harness, token: str) -> dict[str, Any]:
    response = await h.client.get("/api/account", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    return dict(response.json())


async def test_genuine_token_is_an_ed25519_jwt_with_pinned_claims(h: Harness, token: str) -> None:
    header, payload = parts(token)
    assert header["alg"] == "EdDSA" and header["kid"]
    assert payload["iss"] == "aurex" and payload["aud"] == "aurex-api"
    assert payload["exp"] - payload["iat"] == 900
    assert (await h.client.get("/api/account", headers=bearer(token))).status_code == 200


async def test_alg_none_token_is_refused(h: Harness, token: str) -> None:
    header, payload = parts(token)
    forged = assemble({**header, "alg": "none"}, payload)
    assert (await refused(h, forged))["code"] == 1031
    assert (await refused(h, forged.rstrip(".") + "."))["code"] == 1031


async def test_tampered_payload_is_refused(h: Harness, token: str) -> None:
    header, payload = parts(token)
    signature = token.rsplit(".", 1)[1]
    promoted = assemble(header, {**payload, "role": "admin"}).rsplit(".", 1)[0]
    assert (await refused(h, f"{promoted}.{signature}"))["code"] == 1031
    longer = assemble(header, {**payload, "exp": payload["exp"] + 86400}).rsplit(".", 1)[0]
    assert (await refused(h, f"{longer}.{signature}"))["code"] == 1031


async def test_token_signed_by_another_key_is_refused(h: Harness, token: str) -> None:
    _header, payload = parts(token)
    other = KeyRing.generate()
    forged = jwt.encode(
        payload, other.signing_key, algorithm="EdDSA", headers={"kid": h.auth.keys.key_id}
    )
    assert (await refused(h, forged))["code"] == 1031
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert (await refused(h, jwt.encode(payload, rsa_key, algorithm="RS256")))["code"] == 1031


async def test_hmac_signed_with_the_public_key_is_refused(h: Harness, token: str) -> None:
    header, payload = parts(token)
    public_pem = h.auth.keys.verify_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    unsigned = assemble({**header, "alg": "HS256"}, payload).rsplit(".", 1)[0]
    signature = hmac.new(public_pem, unsigned.encode(), hashlib.sha256).digest()
    assert (await refused(h, f"{unsigned}.{b64(signature)}"))["code"] == 1031


@pytest.mark.parametrize("exp", [9223372036854775808, 10**30, 1e308, -(2**63)])
async def test_genuinely_signed_token_with_an_absurd_expiry_is_refused_not_a_500(
    h: Harness, token: str, exp: float
) -> None:
    _header, payload = parts(token)
    forged = jwt.encode(
        {**payload, "exp": exp},
        h.auth.keys.signing_key,
        algorithm="EdDSA",
        headers={"kid": h.auth.keys.key_id},
    )
    assert (await refused(h, forged))["code"] == 1031


async def test_expired_token_is_refused(h: Harness, token: str) -> None:
    h.clock.advance(899)
    assert (await h.client.get("/api/account", headers=bearer(token))).status_code == 200
    h.clock.advance(1)
    assert await refused(h, token) == {
        "code": 1032,
        "message": "access token has expired; refresh it",
    }


async def test_revoked_token_is_refused(h: Harness, token: str) -> None:
    assert (await h.client.post("/api/auth/logout", headers=bearer(token))).status_code == 200
    assert (await refused(h, token))["code"] == 1033


async def test_garbage_and_missing_credentials_are_refused(h: Harness, token: str) -> None:
    assert (await refused(h, "not.a.jwt"))["code"] == 1031
    assert (await refused(h, token + "x"))["code"] == 1031
    basic = await h.client.get("/api/account", headers={"Authorization": "Basic YTpi"})
    assert basic.status_code == 401 and basic.json()["code"] == 1030
    h.client.cookies.clear()
    anonymous = await h.client.get("/api/account")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == 1030


async def test_signing_key_is_private_to_the_server(h: Harness) -> None:
    mode = stat.S_IMODE((h.data_dir / "keys" / "jwt-ed25519.pem").stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE((h.data_dir / "keys" / "master.key").stat().st_mode) == 0o600
    again = KeyRing.load_or_create(h.data_dir / "keys")
    assert again.key_id == h.auth.keys.key_id  # a restart keeps tokens valid


# ----------------------------------------------------------------- browser cookies


def set_cookies(response: Any) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response.headers.get_list("set-cookie")}


async def test_login_sets_httponly_samesite_cookies(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.login("ada@example.com")
    response = await h.verify("ada@example.com", h.inbox.latest_code("ada@example.com"))
    cookies = set_cookies(response)
    session = cookies["sessionToken"].lower()
    assert "httponly" in session and "samesite=strict" in session and "path=/" in session
    assert "max-age=900" in session and "secure" not in session
    trading = cookies["tradingToken"].lower()
    assert "httponly" in trading and "path=/api/auth" in trading and "max-age=28800" in trading
    csrf = cookies["csrfToken"].lower()
    assert "httponly" not in csrf and "samesite=strict" in csrf


async def test_cookies_are_secure_and_hsts_is_sent_over_https(h: Harness) -> None:
    await h.signup("ada@example.com")
    async with h.client_from("192.0.2.1", scheme="https") as browser:
        body = {"email": "ada@example.com", "password": "Str0ng!Passw0rd"}
        await browser.post("/api/auth/login", json=body)
        code = h.inbox.latest_code("ada@example.com")
        response = await browser.post(
            "/api/auth/verify-2fa", json={"email": "ada@example.com", "code": code}
        )
    assert all("; secure" in c.lower() for c in set_cookies(response).values())
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = await h.client.get("/api/account")
    assert "Strict-Transport-Security" not in plain.headers


async def test_cookie_authenticated_state_change_needs_the_csrf_token(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.login_with_email_code("ada@example.com")  # the client now holds the cookies
    assert (await h.client.get("/api/account")).status_code == 200  # reads need no token

    missing = await h.client.post("/api/auth/logout")
    assert missing.status_code == 403 and missing.json()["code"] == 1034
    wrong = await h.client.post("/api/auth/logout", headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403 and wrong.json()["code"] == 1034
    setup = await h.client.post("/api/auth/2fa/totp/setup")
    assert setup.status_code == 403 and setup.json()["code"] == 1034

    csrf = {"X-CSRF-Token": h.client.cookies["csrfToken"]}
    assert (await h.client.post("/api/auth/logout", headers=csrf)).status_code == 200
    assert (await h.client.get("/api/account")).status_code == 401


async def test_refresh_by_cookie_needs_the_csrf_token_and_replaces_the_access_cookie(
    h: Harness,
) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    h.clock.advance(16 * 60)  # the access token (and its cookie) is past its 15 minutes
    refused = await h.client.post("/api/auth/refresh")
    assert refused.status_code == 403 and refused.json()["code"] == 1034
    csrf = {"X-CSRF-Token": h.client.cookies["csrfToken"]}
    refreshed = await h.client.post("/api/auth/refresh", headers=csrf)
    assert refreshed.status_code == 200
    assert refreshed.json()["tradingExpiresIn"] == 8 * 3600 - 16 * 60
    assert set_cookies(refreshed)["sessionToken"].startswith(
        f"sessionToken={refreshed.json()['sessionToken']};"
    )
    assert refreshed.json()["sessionToken"] != tokens["sessionToken"]


async def test_bearer_requests_need_no_csrf_token(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    h.client.cookies.clear()
    response = await h.client.post(
        "/api/auth/2fa/totp/setup", headers=bearer(tokens["sessionToken"])
    )
    assert response.status_code == 200


async def test_trading_token_expires_after_eight_hours(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    body = {"tradingToken": tokens["tradingToken"]}
    h.clock.advance(8 * 3600 - 60)
    assert (await h.client.post("/api/auth/refresh", json=body)).status_code == 200
    h.clock.advance(61)
    expired = await h.client.post("/api/auth/refresh", json=body)
    # 1032 while the store still holds the entry, 1033 once its 8-hour TTL dropped it.
    assert expired.status_code == 401 and expired.json()["code"] in (1032, 1033)
