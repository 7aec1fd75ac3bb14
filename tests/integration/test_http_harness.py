"""A running Aurex HTTP app for the auth/account tests, on embedded defaults or real services.

``running_app`` builds the real services (SQL repositories after real migrations, the
in-process or Redis stores, the Maildir or SMTP mailer, keys on disk) around an
exchange account gateway that applies commands to a real ``aurex.core.Exchange``,
and yields an httpx client talking to the ASGI app. Time comes from a settable clock
so tests can step past expiries and lockouts instead of sleeping.

The few tests at the bottom check the harness itself.
"""

from __future__ import annotations

import mailbox
import re
import time
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

from aurex.adapters.engine_accounts import EngineAccounts
from aurex.auth import AuthServices, KeyRing, build_auth_services, memory_stores, redis_stores
from aurex.auth.mail import MaildirMailer, SmtpMailer
from aurex.auth.ports import Mailer, Role
from aurex.core.codes import RejectCode
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.core.exchange import Exchange
from aurex.gateways.http import AppServices, create_app
from aurex.listing import load_listings
from aurex.store.audit_log import SqlAuditLog
from aurex.store.database import create_engine
from aurex.store.migrate import upgrade_database
from aurex.store.session_repository import SqlBackupCodeRepository, SqlSessionRepository
from aurex.store.user_repository import SqlUserRepository

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


class ExchangeAccounts(EngineAccounts):
    """The production ``AccountGateway`` adapter over an in-memory ``Exchange`` with the
    shipped listings; commands are stamped and applied at once instead of sequenced."""

    def __init__(self) -> None:
        self.exchange = Exchange()
        self._seq = 0
        for listing in load_listings():
            self.apply(listing)
        super().__init__(self.exchange, self._submit)

    def apply(self, command: Command) -> list[Event]:
        self._seq += 1
        command.seq = self._seq
        command.ts_ns = time.time_ns()
        return self.exchange.apply(command)

    async def _submit(self, command: Command) -> list[Event]:
        return self.apply(command)


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
    accounts: ExchangeAccounts
    inbox: Inbox
    database_url: str
    data_dir: Path

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
) -> AsyncIterator[Harness]:
    """The app on SQLite + in-process stores + Maildir, or on the given real services."""
    clock = SettableClock()
    url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'aurex.db'}"
    await upgrade_database(url)
    engine = create_engine(url)
    stores = redis_stores(await _fresh_redis_url(redis_url)) if redis_url else memory_stores(clock)
    maildir = tmp_path / "mail"
    mailer: Mailer = SmtpMailer(smtp.url) if smtp else MaildirMailer(maildir)
    accounts = ExchangeAccounts()
    auth = build_auth_services(
        users=SqlUserRepository(engine),
        session_repo=SqlSessionRepository(engine),
        backup_codes=SqlBackupCodeRepository(engine),
        audit=SqlAuditLog(engine),
        stores=stores,
        mailer=mailer,
        accounts=accounts,
        keys=KeyRing.load_or_create(tmp_path / "keys"),
        opening_cash_cents=OPENING_CASH_CENTS,
        public_url=BASE_URL,
        clock=clock,
    )
    app = create_app(AppServices(auth=auth))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield Harness(
                app=app,
                client=client,
                auth=auth,
                clock=clock,
                accounts=accounts,
                inbox=Inbox(None if smtp else maildir, smtp),
                database_url=url,
                data_dir=tmp_path,
            )
    finally:
        await stores.close()
        await engine.dispose()


# ------------------------------------------------------------- the harness itself


async def test_harness_accounts_apply_commands_to_a_real_exchange() -> None:
    accounts = ExchangeAccounts()
    await accounts.open_account("u1", 5_000)
    assert await accounts.credit("u1", 1_000) is None
    assert await accounts.credit("u1", -1) == RejectCode.INVALID_AMOUNT
    view = accounts.account_view("u1")
    assert view is not None and view.cash_cents == 6_000
    assert await accounts.halt("NOPE") == RejectCode.UNKNOWN_SYMBOL


async def test_harness_app_answers_on_embedded_defaults(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        response = await h.client.get("/api/account")
        assert response.status_code == 401
        assert response.json()["code"] == 1030
