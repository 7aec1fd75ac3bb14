"""Sessions over HTTP: listed with address, browser and activity; revoked one by one or
all at once, after which their tokens fail everywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .test_http_harness import Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


async def two_sessions(h: Harness) -> tuple[dict[str, str], dict[str, str]]:
    await h.signup("ada@example.com")
    laptop = await h.login_with_email_code("ada@example.com")
    async with h.client_from("203.0.113.5") as phone:
        await phone.post(
            "/api/auth/login",
            json={"email": "ada@example.com", "password": "Str0ng!Passw0rd"},
            headers={"User-Agent": "AurexPhone/1.0"},
        )
        code = h.inbox.latest_code("ada@example.com")
        mobile = await phone.post(
            "/api/auth/verify-2fa",
            json={"email": "ada@example.com", "code": code},
            headers={"User-Agent": "AurexPhone/1.0"},
        )
    return laptop, mobile.json()


async def test_sessions_are_listed_with_address_agent_and_activity(h: Harness) -> None:
    laptop, _mobile = await two_sessions(h)
    response = await h.client.get("/api/auth/sessions", headers=bearer(laptop["sessionToken"]))
    sessions = response.json()["sessions"]
    assert len(sessions) == 2
    by_ip = {s["ipAddress"]: s for s in sessions}
    assert by_ip["203.0.113.5"]["userAgent"] == "AurexPhone/1.0"
    assert by_ip["203.0.113.5"]["current"] is False
    assert by_ip["127.0.0.1"]["current"] is True
    for s in sessions:
        assert s["lastActivity"] and s["expiresAt"] and s["tradingExpiresAt"]


async def test_last_activity_moves_with_use(h: Harness) -> None:
    laptop, _ = await two_sessions(h)
    headers = bearer(laptop["sessionToken"])
    before = {
        s["sessionId"]: s
        for s in (await h.client.get("/api/auth/sessions", headers=headers)).json()["sessions"]
    }
    h.clock.advance(120)
    await h.client.get("/api/account", headers=headers)
    after = {
        s["sessionId"]: s
        for s in (await h.client.get("/api/auth/sessions", headers=headers)).json()["sessions"]
    }
    current = next(k for k, s in after.items() if s["current"])
    assert after[current]["lastActivity"] > before[current]["lastActivity"]


async def test_revoking_another_session_logs_that_device_out(h: Harness) -> None:
    laptop, mobile = await two_sessions(h)
    headers = bearer(laptop["sessionToken"])
    sessions = (await h.client.get("/api/auth/sessions", headers=headers)).json()["sessions"]
    phone_id = next(s["sessionId"] for s in sessions if not s["current"])
    revoked = await h.client.delete(f"/api/auth/sessions/{phone_id}", headers=headers)
    assert revoked.json() == {"success": True, "revoked": 1}
    gone = await h.client.get("/api/account", headers=bearer(mobile["sessionToken"]))
    assert gone.status_code == 401 and gone.json()["code"] == 1033
    refresh = await h.client.post(
        "/api/auth/refresh", json={"tradingToken": mobile["tradingToken"]}
    )
    assert refresh.status_code == 401
    assert (await h.client.get("/api/account", headers=headers)).status_code == 200
    remaining = (await h.client.get("/api/auth/sessions", headers=headers)).json()["sessions"]
    assert [s["current"] for s in remaining] == [True]


async def test_someone_elses_session_cannot_be_revoked(h: Harness) -> None:
    laptop, _ = await two_sessions(h)
    await h.signup("eve@example.com")
    eve = await h.login_with_email_code("eve@example.com")
    sessions = (
        await h.client.get("/api/auth/sessions", headers=bearer(laptop["sessionToken"]))
    ).json()["sessions"]
    attempt = await h.client.delete(
        f"/api/auth/sessions/{sessions[0]['sessionId']}", headers=bearer(eve["sessionToken"])
    )
    assert attempt.status_code == 404 and attempt.json()["code"] == 1041


async def test_log_out_everywhere_revokes_every_session(h: Harness) -> None:
    laptop, mobile = await two_sessions(h)
    response = await h.client.delete("/api/auth/sessions", headers=bearer(laptop["sessionToken"]))
    assert response.json() == {"success": True, "revoked": 2}
    for tokens in (laptop, mobile):
        refused = await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))
        assert refused.status_code == 401 and refused.json()["code"] == 1033
        with pytest.raises(Exception, match="not valid"):
            await h.auth.sessions.authenticate_trading(tokens["tradingToken"])


async def test_logout_with_the_trading_token_ends_the_session(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    h.client.cookies.clear()
    response = await h.client.post("/api/auth/logout", headers=bearer(tokens["tradingToken"]))
    assert response.status_code == 200
    after = await h.client.get("/api/account", headers=bearer(tokens["sessionToken"]))
    assert after.status_code == 401
