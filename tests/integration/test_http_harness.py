"""A running Aurex HTTP app for the HTTP tests, on embedded defaults or real services.

``running_app`` builds the whole platform through ``aurex.bootstrap`` (real engine
with its journal in a temporary directory, SQL repositories after real migrations,
the in-process or Redis stores, the Maildir or SMTP mailer, keys on disk) without
binding a socket, and yields an httpx client talking to the ASGI app. The auth
services' time comes from a settable clock so tests can step past expiries and
lockouts instead of sleeping.

The few tests at the bottom check the harness itself.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
import pyotp
import redis.asyncio as aioredis
from fastapi import FastAPI

from aurex.auth import AuthServices, memory_stores, redis_stores
from aurex.auth.mail import MaildirMailer, SmtpMailer
from aurex.auth.ports import Mailer, Role
from aurex.bootstrap import Adapters, Platform
from aurex.config import Durability, Settings
from aurex.core.codes import RejectCode
from aurex.core.commands import Command
from aurex.core.exchange import Exchange
from aurex.engine.local import LocalEngine
from aurex.engine.port import Outcome

from .services import SmtpServer

PASSWORD = "Str0ng!Passw0rd"
OPENING_CASH_CENTS = 10_000_000
BASE_URL = "http://testserver"


class SettableClock:
    """The services' clock: real time at creation, then moved only by the test."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Inbox:
    """Reads what the app mailed: from the Maildir, or from the capturing SMTP server."""

    def __init__(self, maildir: Path | None, smtp: SmtpServer | None) -> None:
        self._maildir = maildir
        self._smtp = smtp

    def messages_to(self, address: str) -> list[Message]:
        if self._smtp is not None:
            return list(self._smtp.messages_to(address))
        assert self._maildir is not None
        if not self._maildir.exists():
            return []
        box = mailbox.Maildir(self._maildir, create=False)
        found = [m for m in box if str(m["To"]).lower() == address.lower()]
        return sorted(found, key=lambda m: m.get_date())

    def latest_body(self, address: str) -> str:
        messages = self.messages_to(address)
        assert messages, f"no mail to {address}"
        payload = messages[-1].get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode()

    def latest_code(self, address: str) -> str:
        match = re.search(r"code is (\d{6})", self.latest_body(address))
        assert match, "no login code in the mail"
        return match.group(1)

    def latest_verification_token(self, address: str) -> str:
        match = re.search(r"token=([A-Za-z0-9_\-]+)", self.latest_body(address))
        assert match, "no verification link in the mail"
        return match.group(1)


@dataclass
class Harness:
    app: FastAPI
    client: httpx.AsyncClient
    auth: AuthServices
    clock: SettableClock
    engine: LocalEngine
    inbox: Inbox
    database_url: str
    data_dir: Path
    platform: Platform

    @property
    def exchange(self) -> Exchange:
        """The engine's live exchange, for tests that inspect or damage it on purpose."""
        return self.engine.sequencer.exchange

    async def submit(self, command: Command) -> Outcome:
        return await self.engine.submit(command)

    def client_from(self, ip: str, scheme: str = "http") -> httpx.AsyncClient:
        """Another client of the same app, seen as coming from ``ip``."""
        transport = httpx.ASGITransport(app=self.app, client=(ip, 40000))
        return httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver")

    # ------------------------------------------------------------------ flows

    async def signup(self, email: str, password: str = PASSWORD) -> str:
        response = await self.client.post(
            "/api/auth/signup",
            json={
                "email": email,
                "password": password,
                "firstName": "Ada",
                "lastName": "Lovelace",
                "country": "GB",
            },
        )
        assert response.status_code == 201, response.text
        return str(response.json()["userId"])

    async def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        body = {"email": email, "password": password}
        return await self.client.post("/api/auth/login", json=body)

    async def verify(self, email: str, code: str) -> httpx.Response:
        return await self.client.post("/api/auth/verify-2fa", json={"email": email, "code": code})

    async def login_with_email_code(self, email: str) -> dict[str, Any]:
        started = await self.login(email)
        assert started.json() == {
            "success": True,
            "requiresTwoFactor": True,
            "twoFactorType": "email",
        }
        finished = await self.verify(email, self.inbox.latest_code(email))
        assert finished.status_code == 200, finished.text
        return dict(finished.json())

    async def login_with_totp(self, email: str, secret: str) -> dict[str, Any]:
        started = await self.login(email)
        assert started.json()["twoFactorType"] == "totp", started.text
        finished = await self.verify(email, self.totp(secret))
        assert finished.status_code == 200, finished.text
        return dict(finished.json())

    async def enable_totp(self, access_token: str) -> tuple[str, list[str]]:
        """Set up and confirm TOTP; returns the secret and the backup codes."""
        headers = bearer(access_token)
        setup = await self.client.post("/api/auth/2fa/totp/setup", headers=headers)
        assert setup.status_code == 200, setup.text
        secret = str(setup.json()["secret"])
        confirm = await self.client.post(
            "/api/auth/2fa/totp/confirm", json={"code": self.totp(secret)}, headers=headers
        )
        assert confirm.status_code == 200, confirm.text
        self.clock.advance(30)  # the confirming code is used up; later logins need the next
        return secret, list(confirm.json()["backupCodes"])

    def totp(self, secret: str) -> str:
        return pyotp.TOTP(secret).at(self.clock())

    async def make_admin(self, email: str) -> dict[str, Any]:
        """A user with the admin role (as the CLI creates them), logged in."""
        await self.auth.signup.create_user(
            email, PASSWORD, "Grace", "Hopper", "US", role=Role.ADMIN, email_verified=True
        )
        return await self.login_with_email_code(email)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _fresh_redis_url(redis_url: str) -> str:
    """A Redis database of these tests' own, emptied (counters are per IP and e-mail)."""
    url = redis_url.rsplit("/", 1)[0] + "/7"
    client = aioredis.from_url(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()
    return url


@asynccontextmanager
async def running_app(
    tmp_path: Path,
    *,
    database_url: str | None = None,
    redis_url: str | None = None,
    smtp: SmtpServer | None = None,
    serve_grpc: bool = False,
    serve_tcp: bool = False,
    durability: Durability = Durability.FSYNC,
) -> AsyncIterator[Harness]:
    """The app on SQLite + in-process stores + Maildir, or on the given real services;
    with ``serve_grpc``/``serve_tcp`` also those gateways on free ports."""
    clock = SettableClock()
    url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'aurex.db'}"
    stores = redis_stores(await _fresh_redis_url(redis_url)) if redis_url else memory_stores(clock)
    maildir = tmp_path / "mail"
    mailer: Mailer = SmtpMailer(smtp.url) if smtp else MaildirMailer(maildir)
    settings = Settings(
        data_dir=tmp_path,
        database_url=url,
        opening_cash_cents=OPENING_CASH_CENTS,
        grpc_port=0,
        tcp_port=0,
        durability=durability,
    )
    platform = Platform(
        settings, Adapters(clock=clock, stores=stores, mailer=mailer, public_url=BASE_URL)
    )
    await platform.start(serve_http=False, serve_grpc=serve_grpc, serve_tcp=serve_tcp)
    transport = httpx.ASGITransport(app=platform.app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield Harness(
                app=platform.app,
                client=client,
                auth=platform.auth,
                clock=clock,
                engine=platform.engine,
                inbox=Inbox(None if smtp else maildir, smtp),
                database_url=url,
                data_dir=tmp_path,
                platform=platform,
            )
    finally:
        await platform.stop()


# ------------------------------------------------------------- the harness itself


async def test_harness_accounts_reach_the_real_engine(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        accounts = h.auth.accounts
        await accounts.open_account("u1", 5_000)
        assert await accounts.credit("u1", 1_000) is None
        assert await accounts.credit("u1", -1) == RejectCode.INVALID_AMOUNT
        view = await accounts.account_view("u1")
        assert view is not None and view.cash_cents == 6_000
        assert await accounts.halt("NOPE") == RejectCode.UNKNOWN_SYMBOL


async def test_harness_app_answers_on_embedded_defaults(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        response = await h.client.get("/api/account")
        assert response.status_code == 401
        assert response.json()["code"] == 1030
