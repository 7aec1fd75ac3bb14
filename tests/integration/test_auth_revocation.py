"""Revocation covers every access token a session ever issued, and role changes apply at once.

The attack: many parallel ``POST /api/auth/refresh`` calls with one trading token each
mint an access token. Logging out, logging out everywhere or being demoted must make
every one of them useless, on the in-process stores and on Redis.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from .test_http_harness import Harness, bearer, running_app

PARALLEL = 8


@pytest.fixture(params=["in-process", "redis"])
async def h(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Harness]:
    redis_url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    async with running_app(tmp_path, redis_url=redis_url) as harness:
        yield harness


async def parallel_refreshes(h: Harness, trading_token: str) -> list[str]:
    """Access tokens minted by ``PARALLEL`` simultaneous refreshes of one session."""
    responses = await asyncio.gather(
        *(
            h.client.post("/api/auth/refresh", json={"tradingToken": trading_token})
            for _ in range(PARALLEL)
        )
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    return [str(r.json()["sessionToken"]) for r in responses]


async def working(h: Harness, tokens: list[str], path: str = "/api/account") -> list[str]:
    """The tokens that still reach ``path``."""
    responses = await asyncio.gather(*(h.client.get(path, headers=bearer(t)) for t in tokens))
    return [t for t, r in zip(tokens, responses, strict=True) if r.status_code == 200]


async def test_logout_revokes_every_token_parallel_refreshes_minted(h: Harness) -> None:
    await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    minted = await parallel_refreshes(h, tokens["tradingToken"])
    # A refresh replaces the session's access token: at most the newest one works.
    assert len(await working(h, [tokens["sessionToken"], *minted])) <= 1

    newest = (
        await h.client.post("/api/auth/refresh", json={"tradingToken": tokens["tradingToken"]})
    ).json()["sessionToken"]
    assert await working(h, [newest]) == [newest]
    logout = await h.client.post("/api/auth/logout", headers=bearer(newest))
    assert logout.status_code == 200

    assert await working(h, [tokens["sessionToken"], *minted, newest]) == []
    again = await h.client.post("/api/auth/refresh", json={"tradingToken": tokens["tradingToken"]})
    assert again.status_code == 401


async def test_log_out_everywhere_revokes_every_token_of_every_session(h: Harness) -> None:
    await h.signup("ada@example.com")
    laptop = await h.login_with_email_code("ada@example.com")
    phone = await h.login_with_email_code("ada@example.com")
    minted = await parallel_refreshes(h, laptop["tradingToken"])
    minted += await parallel_refreshes(h, phone["tradingToken"])
    current = (
        await h.client.post("/api/auth/refresh", json={"tradingToken": phone["tradingToken"]})
    ).json()["sessionToken"]

    everywhere = await h.client.delete("/api/auth/sessions", headers=bearer(current))
    assert everywhere.status_code == 200 and everywhere.json()["revoked"] == 2

    assert await working(h, [*minted, current]) == []


async def test_a_demoted_admin_loses_admin_rights_with_every_token_at_once(h: Harness) -> None:
    root = await h.make_admin("root@example.com")
    eve = await h.make_admin("eve@example.com")
    eve_id = (await h.auth.users.get_by_email("eve@example.com")).id  # type: ignore[union-attr]
    minted = await parallel_refreshes(h, eve["tradingToken"])
    assert await working(h, [eve["sessionToken"], *minted], "/api/admin/users")

    demote = await h.client.put(
        f"/api/admin/users/{eve_id}/role",
        json={"role": "trader"},
        headers=bearer(root["sessionToken"]),
    )
    assert demote.status_code == 200 and demote.json()["role"] == "trader"

    assert await working(h, [eve["sessionToken"], *minted], "/api/admin/users") == []
    for token in [eve["sessionToken"], *minted]:
        credit = await h.client.post(
            f"/api/admin/accounts/{eve_id}/credit",
            json={"cashCents": 100},
            headers=bearer(token),
        )
        assert credit.status_code in (401, 403)
        promote = await h.client.put(
            f"/api/admin/users/{eve_id}/role", json={"role": "admin"}, headers=bearer(token)
        )
        assert promote.status_code in (401, 403)
    user = await h.auth.users.get(eve_id)
    assert user is not None and user.role.value == "trader"


async def test_a_fresh_login_after_demotion_has_no_admin_rights(h: Harness) -> None:
    root = await h.make_admin("root@example.com")
    await h.make_admin("eve@example.com")
    eve_id = (await h.auth.users.get_by_email("eve@example.com")).id  # type: ignore[union-attr]
    await h.client.put(
        f"/api/admin/users/{eve_id}/role",
        json={"role": "trader"},
        headers=bearer(root["sessionToken"]),
    )
    eve = await h.login_with_email_code("eve@example.com")
    listed = await h.client.get("/api/admin/users", headers=bearer(eve["sessionToken"]))
    assert listed.status_code == 403 and listed.json()["code"] == 1035
