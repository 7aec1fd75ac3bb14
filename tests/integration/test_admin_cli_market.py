"""``aurex admin`` market commands through the real command line against a running server:
the administrator logs in with password and e-mailed code, the server acts."""

from __future__ import annotations

import asyncio
import json
import mailbox
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aurex.auth.passwords import PasswordHasher
from aurex.auth.ports import Role
from aurex.auth.signup import NewUser, store_new_user
from aurex.bootstrap import Platform
from aurex.config import Durability, Settings
from aurex.engine.queries import GetAccount, GetSymbol, ListSymbols
from aurex.sim.accounts import create_totp_user

from .services import free_port

PASSWORD = "Adm1n-Passw0rd!"


@dataclass
class Admin:
    email: str
    mail_dir: Path
    password: str = PASSWORD


@asynccontextmanager
async def server(tmp_path: Path) -> AsyncIterator[tuple[Platform, Admin]]:
    settings = Settings(
        data_dir=tmp_path, http_port=free_port(), durability=Durability.BATCH, session_close="off"
    )
    platform = Platform(settings)
    await platform.start(serve_grpc=False, serve_tcp=False)
    try:
        auth = platform.auth
        new = NewUser(
            email="root@example.com",
            password=PASSWORD,
            first_name="Root",
            last_name="Admin",
            role=Role.ADMIN,
            email_verified=True,
        )
        user = await store_new_user(
            auth.users, PasswordHasher(), auth.audit, auth.clock, new, opening_cash_cents=0
        )
        await auth.account_opening.ensure(user)
        yield platform, Admin(user.email, settings.mail_dir)
    finally:
        await platform.stop()


def _codes(mail_dir: Path, address: str) -> list[str]:
    if not mail_dir.exists():
        return []
    box = mailbox.Maildir(mail_dir, create=False)
    found = sorted((m for m in box if m["To"] == address), key=lambda m: m.get_date())
    codes = []
    for message in found:
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        match = re.search(r"code is (\d{6})", payload.decode())
        if match:
            codes.append(match.group(1))
    return codes


def _run_cli(admin: Admin, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``aurex admin``, typing the password, then the e-mailed code once it arrives."""
    env = os.environ | {"AUREX_ADMIN_EMAIL": admin.email}
    seen = len(_codes(admin.mail_dir, admin.email))
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert process.stdin is not None
    process.stdin.write(admin.password + "\n")
    process.stdin.flush()
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        codes = _codes(admin.mail_dir, admin.email)
        if len(codes) > seen:
            process.stdin.write(codes[-1] + "\n")
            process.stdin.flush()
            break
        time.sleep(0.1)
    out, err = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


async def aurex_admin(
    platform: Platform, admin: Admin, *args: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "aurex.cli", "admin", *args, "--url", platform.http_url]
    return await asyncio.to_thread(_run_cli, admin, [*command, "--password-stdin"])


async def test_admin_moves_a_reference_price_and_lists_and_delists_from_the_command_line(
    tmp_path: Path,
) -> None:
    async with server(tmp_path) as (platform, admin):
        engine = platform.engine
        moved = await aurex_admin(platform, admin, "set-reference", "AAPL", "585.00")
        assert moved.returncode == 0, moved.stderr
        assert json.loads(moved.stdout)["referencePrice"] == "585.00"
        info = await engine.query(GetSymbol("AAPL"))
        assert info is not None and info.band_high_ticks == 70_200  # 585.00 + 20 %

        listed = await aurex_admin(
            platform,
            admin,
            "list-symbol",
            "IBM",
            "--name",
            "International Business Machines",
            "--reference-price",
            "190.00",
            "--shares-outstanding",
            "920000000",
        )
        assert listed.returncode == 0, listed.stderr
        assert "IBM" in [s.symbol for s in await engine.query(ListSymbols())]

        delisted = await aurex_admin(platform, admin, "delist", "IBM")
        assert delisted.returncode == 0, delisted.stderr
        assert json.loads(delisted.stdout) == {"symbol": "IBM", "cancelledOrders": 0}
        again = await aurex_admin(platform, admin, "delist", "IBM")
        assert again.returncode == 1
        assert "100: symbol is not listed" in again.stderr


async def test_admin_sets_limits_and_deposits_shares_by_email(tmp_path: Path) -> None:
    async with server(tmp_path) as (platform, admin):
        trader = await create_totp_user(platform.auth, "ann", "ann@example.com", "Ann")
        limits = await aurex_admin(
            platform,
            admin,
            "set-limits",
            "ann@example.com",
            "--max-order-quantity",
            "10",
            "--max-notional-cents",
            "100000",
            "--max-open-orders",
            "3",
            "--max-orders-per-day",
            "50",
        )
        assert limits.returncode == 0, limits.stderr
        shares = await aurex_admin(platform, admin, "deposit-shares", trader.user_id, "MSFT", "25")
        assert shares.returncode == 0, shares.stderr
        account = await platform.engine.query(GetAccount(trader.user_id))
        assert account is not None
        assert account.limits.max_open_orders == 3
        assert {p.symbol: p.shares for p in account.positions} == {"MSFT": 25}
        ended = await aurex_admin(platform, admin, "end-of-day")
        assert ended.returncode == 0, ended.stderr
        assert json.loads(ended.stdout)["closingPrices"]["MSFT"] == "512.25"


async def test_a_wrong_password_is_refused(tmp_path: Path) -> None:
    async with server(tmp_path) as (platform, admin):
        admin.password = "Wrong-password-1!"
        refused = await aurex_admin(platform, admin, "end-of-day")
        assert refused.returncode == 1
