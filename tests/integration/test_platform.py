"""The whole platform as ``aurex serve`` wires it, over a real socket.

Sign-up opens an exchange account funded through the sequencer; login needs the
e-mailed code; the account's cash comes from the engine; the projector writes the
deposit to the database; and all of it survives a restart from the data directory.
"""

from __future__ import annotations

import asyncio
import mailbox
import re
import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from aurex.bootstrap import Platform
from aurex.config import Settings
from aurex.store.database import create_engine

PASSWORD = "Str0ng!Passw0rd"
EMAIL = "trader@example.com"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir, http_port=_free_port(), opening_cash_cents=5_000_000, snapshot_every=50
    )


def _latest_code(mail_dir: Path) -> str:
    box = mailbox.Maildir(mail_dir, create=False)
    bodies = [m.get_payload(decode=True).decode() for m in sorted(box, key=lambda m: m.get_date())]
    codes = [c for b in bodies for c in re.findall(r"code is (\d{6})", b)]
    assert codes, "no login code was mailed"
    return codes[-1]


async def _login(client: httpx.AsyncClient, mail_dir: Path) -> str:
    reply = await client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
    assert reply.json()["requiresTwoFactor"] is True
    code = _latest_code(mail_dir)
    verified = await client.post("/api/auth/verify-2fa", json={"email": EMAIL, "code": code})
    assert verified.status_code == 200, verified.text
    return str(verified.json()["sessionToken"])


async def _projected_cash(settings: Settings, user_id: str) -> int:
    engine = create_engine(settings.resolved_database_url)
    try:
        for _ in range(100):
            async with engine.connect() as conn:
                row = (
                    await conn.execute(
                        text("select cash_cents from accounts where user_id = :u"), {"u": user_id}
                    )
                ).first()
            if row is not None:
                return int(row[0])
            await asyncio.sleep(0.05)
    finally:
        await engine.dispose()
    pytest.fail("the projector never wrote the account")


async def test_signup_login_and_account_survive_a_restart(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "var")
    platform = Platform(settings)
    await platform.start()
    try:
        async with httpx.AsyncClient(base_url=platform.http_url) as client:
            signup = await client.post(
                "/api/auth/signup",
                json={
                    "email": EMAIL,
                    "password": PASSWORD,
                    "firstName": "Tess",
                    "lastName": "Trader",
                    "country": "US",
                },
            )
            assert signup.status_code in (200, 201), signup.text
            user_id = signup.json()["userId"]
            token = await _login(client, settings.mail_dir)
            account = await client.get("/api/account", headers={"Authorization": f"Bearer {token}"})
            assert account.status_code == 200, account.text
            assert account.json()["cashCents"] == 5_000_000
            assert account.json()["buyingPowerCents"] == 5_000_000
        assert await _projected_cash(settings, user_id) == 5_000_000
        async with httpx.AsyncClient(base_url=platform.http_url) as client:
            assert (await client.get("/healthz")).json()["status"] == "ok"
            ready = await client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["ready"] is True
            metrics = (await client.get("/metrics")).text
            durable = platform.engine.sequencer.durable_seq
            assert f"aurex_durable_seq {float(durable)}" in metrics
    finally:
        await platform.stop()

    again = Platform(settings)
    await again.start()
    try:
        exchange_account = again.engine.sequencer.exchange.account(user_id)
        assert exchange_account is not None and exchange_account.cash_cents == 5_000_000
        async with httpx.AsyncClient(base_url=again.http_url) as client:
            token = await _login(client, settings.mail_dir)
            account = await client.get("/api/account", headers={"Authorization": f"Bearer {token}"})
            assert account.json()["cashCents"] == 5_000_000
    finally:
        await again.stop()
