"""``aurex.client`` logging in against the real app (harness, no socket): the second
factor comes from a callback, expired access tokens are refreshed without the caller
noticing, refusals arrive as typed errors with the server's code and HTTP status."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from aurex.client import (
    AsyncAurexClient,
    AuthenticationError,
    Conflict,
    InvalidRequest,
    NotFound,
)

from .test_http_harness import BASE_URL, OPENING_CASH_CENTS, PASSWORD, Harness, running_app


class ClientClock:
    """The client's own monotonic clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def client_of(
    h: Harness, clock: ClientClock | None = None
) -> AsyncIterator[AsyncAurexClient]:
    transport = httpx.ASGITransport(app=h.app)
    client = AsyncAurexClient(BASE_URL, transport=transport, clock=clock or ClientClock())
    async with client:
        yield client


async def _logged_in(h: Harness, client: AsyncAurexClient, email: str) -> list[str]:
    await client.signup(email, PASSWORD, "Ann", "Lee", "GB")
    kinds: list[str] = []

    def code(kind: str) -> str:
        kinds.append(kind)
        return h.inbox.latest_code(email)

    await client.login(email, PASSWORD, second_factor=code)
    return kinds


async def test_login_asks_the_callback_for_the_emailed_code(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h, client_of(h) as client:
        kinds = await _logged_in(h, client, "ann@example.com")
        assert kinds == ["email"]
        account = await client.account()
        assert account.email == "ann@example.com"
        assert account.cash_cents == OPENING_CASH_CENTS
        assert account.cash == Decimal("100000.00")


async def test_an_async_callback_gives_the_authenticator_code(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h, client_of(h) as client:
        await _logged_in(h, client, "tia@example.com")
        assert client.session.credentials is not None
        secret, _ = await h.enable_totp(client.session.credentials.access_token)

        async def authenticator(kind: str) -> str:
            assert kind == "totp"
            return h.totp(secret)

        await client.login("tia@example.com", PASSWORD, second_factor=authenticator)
        assert (await client.account()).two_factor_type == "totp"


async def test_an_expired_access_token_is_refreshed_and_the_call_repeated(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h, client_of(h) as client:
        await _logged_in(h, client, "ben@example.com")
        assert client.session.credentials is not None
        old_token = client.session.credentials.access_token
        h.clock.advance(16 * 60)  # the server now sees the 15-minute token as expired

        account = await client.account()

        assert account.email == "ben@example.com"
        assert client.session.credentials.access_token != old_token
        stale = await h.client.get("/api/account", headers={"Authorization": f"Bearer {old_token}"})
        assert stale.status_code == 401


async def test_a_token_about_to_end_is_refreshed_before_the_call(tmp_path: Path) -> None:
    clock = ClientClock()
    async with running_app(tmp_path) as h, client_of(h, clock) as client:
        await _logged_in(h, client, "cy@example.com")
        generation = client.session.generation
        clock.now += 890  # 10 s before the end on the client's clock
        await client.positions()
        assert client.session.generation == generation + 1


async def test_many_concurrent_calls_share_one_refresh(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h, client_of(h) as client:
        await _logged_in(h, client, "dee@example.com")
        generation = client.session.generation
        h.clock.advance(16 * 60)
        accounts = await asyncio.gather(*(client.account() for _ in range(8)))
        assert {a.email for a in accounts} == {"dee@example.com"}
        assert client.session.generation == generation + 1


async def test_refusals_are_typed_errors_with_code_message_and_status(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h, client_of(h) as client:
        await _logged_in(h, client, "eve@example.com")
        with pytest.raises(Conflict) as taken:
            await client.signup("eve@example.com", PASSWORD, "Eve", "Lee")
        assert (taken.value.code, taken.value.status) == (1002, 409)
        with pytest.raises(InvalidRequest) as weak:
            await client.signup("weak@example.com", "short", "W", "K")
        assert weak.value.status == 422 and weak.value.message
        with pytest.raises(AuthenticationError) as wrong:
            await client.login("eve@example.com", "Wr0ng!Password", second_factor=lambda _: "0")
        assert (wrong.value.code, wrong.value.status) == (1001, 401)
        with pytest.raises(AuthenticationError) as bad_code:
            await client.login("eve@example.com", PASSWORD, second_factor=lambda _: "000000")
        assert bad_code.value.code == 1011
        with pytest.raises(NotFound):
            await client.get_order(123456789)


async def test_after_logout_calls_need_a_new_login(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h, client_of(h) as client:
        await _logged_in(h, client, "flo@example.com")
        tokens = client.session.credentials
        assert tokens is not None
        await client.logout()
        with pytest.raises(AuthenticationError):
            await client.account()
        again = await h.client.get(
            "/api/account", headers={"Authorization": f"Bearer {tokens.access_token}"}
        )
        assert again.status_code == 401
