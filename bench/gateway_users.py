"""Benchmark users for the gateway benchmarks: signed up and logged in through
``aurex.client``, each from its own loopback address because sign-up, login and
trading limits count per address as well as per user; shares granted by an
administrator through the admin API."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from aurex.client import AsyncAurexClient, Tokens
from gateway_servers import PASSWORD, ChildServer, mailed_code


@dataclass(frozen=True, slots=True)
class User:
    """A benchmark trader: its own source address and, once logged in, tokens."""

    email: str
    user_id: str
    address: str
    access_token: str
    trading_token: str


def address(n: int) -> str:
    """The n-th loopback source address (127.0.0.2, 127.0.0.3, ...)."""
    return f"127.0.{n // 250}.{n % 250 + 2}"


async def sign_up(server: ChildServer, count: int, prefix: str, first: int) -> list[User]:
    """``count`` new users, each from its own loopback address (sign-up, login and
    trading limits are per address and per user)."""
    users: list[User] = []
    for i in range(count):
        source, email = address(first + i), f"{prefix}{i}@bench.example"
        async with AsyncAurexClient(server.url, local_address=source) as client:
            signed = await client.signup(email, PASSWORD, "Bench", "User")
        users.append(User(email, signed.user_id, source, "", ""))
    return users


async def log_in(server: ChildServer, users: list[User]) -> list[User]:
    """The users with tokens of a fresh login (second factor: the mailed code)."""
    done: list[User] = []
    for user in users:
        async with AsyncAurexClient(server.url, local_address=user.address) as client:
            code = lambda _kind, e=user.email: mailed_code(server.mail_dir, e)  # noqa: E731
            tokens = await client.login(user.email, PASSWORD, second_factor=code)
        done.append(
            User(user.email, user.user_id, user.address, tokens.session_token, tokens.trading_token)
        )
    return done


def client_for(url: str, user: User, connections: int) -> AsyncAurexClient:
    """An ``AsyncAurexClient`` using the user's tokens (no second login)."""
    client = AsyncAurexClient(url, local_address=user.address, max_connections=connections)
    client.session.adopt(
        Tokens(
            success=True,
            session_token=user.access_token,
            trading_token=user.trading_token,
            expires_in=900,
            trading_expires_in=28_800,
        )
    )
    return client


async def traders(server: ChildServer, count: int, prefix: str, first: int) -> list[User]:
    """``count`` new users, logged in (``first``: index of their first source address)."""
    return await log_in(server, await sign_up(server, count, prefix, first))


async def grant_shares(
    server: ChildServer, admin: User, grants: list[tuple[str, str, int]]
) -> None:
    """Deposit shares (account, symbol, shares) as the logged-in administrator ``admin``
    does: ``POST /api/admin/accounts/{id}/shares``."""
    headers = {"authorization": f"Bearer {admin.access_token}"}
    transport = httpx.AsyncHTTPTransport(local_address=admin.address)
    async with httpx.AsyncClient(base_url=server.url, headers=headers, transport=transport) as http:
        for account, symbol, shares in grants:
            answer = await http.post(
                f"/api/admin/accounts/{account}/shares", json={"symbol": symbol, "shares": shares}
            )
            if answer.status_code != 200:
                raise RuntimeError(f"share deposit refused: {answer.status_code} {answer.text}")
