"""Second-factor refusals over HTTP: wrong, expired and replayed TOTP codes, used backup
codes, late or over-guessed e-mail codes, and the password step before them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .test_http_harness import PASSWORD, Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


async def totp_user(h: Harness, email: str) -> tuple[str, list[str]]:
    await h.signup(email)
    tokens = await h.login_with_email_code(email)
    return await h.enable_totp(tokens["sessionToken"])


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


async def test_wrong_password_and_unknown_email_get_the_same_answer(h: Harness) -> None:
    await h.signup("ada@example.com")
    bad_password = await h.login("ada@example.com", "Wr0ng!Password")
    unknown = await h.login("nobody@example.com", PASSWORD)
    for response in (bad_password, unknown):
        assert response.status_code == 401
        assert response.json() == {"code": 1001, "message": "wrong e-mail or password"}


async def test_second_step_without_the_password_step_is_refused(h: Harness) -> None:
    await h.signup("ada@example.com")
    response = await h.verify("ada@example.com", "123456")
    assert response.status_code == 401 and response.json()["code"] == 1010


async def test_wrong_totp_code_is_refused(h: Harness) -> None:
    secret, _ = await totp_user(h, "ada@example.com")
    await h.login("ada@example.com")
    response = await h.verify("ada@example.com", wrong(h.totp(secret)))
    assert response.status_code == 401 and response.json()["code"] == 1011


async def test_totp_code_from_two_minutes_ago_is_refused(h: Harness) -> None:
    secret, _ = await totp_user(h, "ada@example.com")
    old_code = h.totp(secret)
    h.clock.advance(120)
    await h.login("ada@example.com")
    response = await h.verify("ada@example.com", old_code)
    assert response.status_code == 401 and response.json()["code"] == 1011


async def test_totp_code_is_accepted_only_once(h: Harness) -> None:
    secret, _ = await totp_user(h, "ada@example.com")
    code = h.totp(secret)
    await h.login("ada@example.com")
    assert (await h.verify("ada@example.com", code)).status_code == 200
    await h.login("ada@example.com")
    replay = await h.verify("ada@example.com", code)
    assert replay.status_code == 401 and replay.json()["code"] == 1013
    h.clock.advance(30)
    assert (await h.verify("ada@example.com", h.totp(secret))).status_code == 200


async def test_backup_code_works_once(h: Harness) -> None:
    _secret, codes = await totp_user(h, "ada@example.com")
    await h.login("ada@example.com")
    first = await h.verify("ada@example.com", codes[0].lower().replace("-", " "))
    assert first.status_code == 200
    await h.login("ada@example.com")
    reused = await h.verify("ada@example.com", codes[0])
    assert reused.status_code == 401 and reused.json()["code"] == 1011
    assert (await h.verify("ada@example.com", codes[1])).status_code == 200
    status = await h.client.get("/api/auth/2fa", headers=bearer(first.json()["sessionToken"]))
    assert status.json()["backupCodesRemaining"] == 8


async def test_email_code_expires_after_five_minutes(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.login("ada@example.com")
    code = h.inbox.latest_code("ada@example.com")
    h.clock.advance(5 * 60 + 1)
    response = await h.verify("ada@example.com", code)
    assert response.status_code == 401 and response.json()["code"] == 1012


async def test_email_code_within_five_minutes_works(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.login("ada@example.com")
    h.clock.advance(5 * 60 - 1)
    response = await h.verify("ada@example.com", h.inbox.latest_code("ada@example.com"))
    assert response.status_code == 200


async def test_email_code_is_void_after_three_wrong_attempts(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.login("ada@example.com")
    code = h.inbox.latest_code("ada@example.com")
    answers = [(await h.verify("ada@example.com", wrong(code))).json() for _ in range(3)]
    assert [a["code"] for a in answers] == [1011, 1011, 1011]
    assert answers[-1]["message"] == "wrong code; the code is now void"
    late = await h.verify("ada@example.com", code)
    assert late.status_code == 401 and late.json()["code"] == 1014


async def test_email_code_resend_is_rate_limited_and_voids_the_old_code(h: Harness) -> None:
    await h.signup("ada@example.com")
    await h.login("ada@example.com")
    old = h.inbox.latest_code("ada@example.com")
    too_soon = await h.client.post("/api/auth/resend-code", json={"email": "ada@example.com"})
    assert too_soon.status_code == 429 and too_soon.json()["code"] == 1015
    assert too_soon.headers["Retry-After"] == "60"
    h.clock.advance(61)
    resent = await h.client.post("/api/auth/resend-code", json={"email": "ada@example.com"})
    assert resent.status_code == 200
    new = h.inbox.latest_code("ada@example.com")
    assert len(h.inbox.messages_to("ada@example.com")) == 3  # verification + two codes
    if new != old:
        refused = await h.verify("ada@example.com", old)
        assert refused.status_code == 401
    assert (await h.verify("ada@example.com", new)).status_code == 200


async def test_email_codes_are_six_digits_and_differ(h: Harness) -> None:
    await h.signup("ada@example.com")
    codes = set()
    for _ in range(4):
        await h.login("ada@example.com")
        code = h.inbox.latest_code("ada@example.com")
        assert len(code) == 6 and code.isdigit()
        codes.add(code)
        assert (await h.verify("ada@example.com", code)).status_code == 200
        h.clock.advance(61)
    assert len(codes) > 1


async def test_disabling_totp_needs_a_valid_code_and_returns_to_email_codes(h: Harness) -> None:
    secret, _ = await totp_user(h, "ada@example.com")
    tokens = await h.login_with_totp("ada@example.com", secret)
    headers = bearer(tokens["sessionToken"])
    h.clock.advance(30)
    refused = await h.client.post(
        "/api/auth/2fa/totp/disable", json={"code": wrong(h.totp(secret))}, headers=headers
    )
    assert refused.status_code == 401 and refused.json()["code"] == 1011
    done = await h.client.post(
        "/api/auth/2fa/totp/disable", json={"code": h.totp(secret)}, headers=headers
    )
    assert done.json() == {"success": True, "twoFactorType": "email"}
    assert (await h.login("ada@example.com")).json()["twoFactorType"] == "email"


async def test_regenerated_backup_codes_replace_the_old_ones(h: Harness) -> None:
    secret, old_codes = await totp_user(h, "ada@example.com")
    tokens = await h.login_with_totp("ada@example.com", secret)
    h.clock.advance(30)
    response = await h.client.post(
        "/api/auth/2fa/backup-codes",
        json={"code": h.totp(secret)},
        headers=bearer(tokens["sessionToken"]),
    )
    new_codes = response.json()["backupCodes"]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    await h.login("ada@example.com")
    assert (await h.verify("ada@example.com", old_codes[0])).status_code == 401
    assert (await h.verify("ada@example.com", new_codes[0])).status_code == 200


async def test_totp_setup_returns_uri_and_qr_svg_and_needs_a_correct_first_code(
    h: Harness,
) -> None:
    await h.signup("ada@example.com")
    headers = bearer((await h.login_with_email_code("ada@example.com"))["sessionToken"])
    early = await h.client.post(
        "/api/auth/2fa/totp/confirm", json={"code": "123456"}, headers=headers
    )
    assert early.status_code == 409 and early.json()["code"] == 1016
    setup = (await h.client.post("/api/auth/2fa/totp/setup", headers=headers)).json()
    assert setup["otpauthUri"].startswith("otpauth://totp/Aurex:ada%40example.com?secret=")
    assert "issuer=Aurex" in setup["otpauthUri"]
    assert setup["qrSvg"].startswith("<svg") and "</svg>" in setup["qrSvg"]
    bad = await h.client.post(
        "/api/auth/2fa/totp/confirm", json={"code": wrong(h.totp(setup["secret"]))}, headers=headers
    )
    assert bad.status_code == 401 and bad.json()["code"] == 1011
    assert (await h.login("ada@example.com")).json()["twoFactorType"] == "email"
