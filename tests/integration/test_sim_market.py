"""The market simulation on a real platform: simulated users trade through the public
client (REST + WebSocket), every symbol trades, cash and shares are conserved, no
account goes negative, and a restarted demo logs the same users in and trades again."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pyotp
import pytest

from aurex.bootstrap import Platform
from aurex.client import AsyncAurexClient
from aurex.config import Durability, Settings
from aurex.core.exchange import Exchange
from aurex.sim.accounts import AccountStore
from aurex.sim.demo import Demo, banner, demo_settings, start_platform_demo

from .services import free_port


def _settings(data_dir: Path, intensity: float) -> Settings:
    return demo_settings(
        Settings(
            data_dir=data_dir,
            http_port=free_port(),
            durability=Durability.BATCH,
            session_close="off",
            sim_intensity=intensity,
            sim_seed=7,
        )
    )


@asynccontextmanager
async def demo(data_dir: Path, intensity: float = 2.0) -> AsyncIterator[tuple[Platform, Demo]]:
    platform = Platform(_settings(data_dir, intensity))
    await platform.start(serve_grpc=False, serve_tcp=False)
    running: Demo | None = None
    try:
        running = await start_platform_demo(platform)
        await asyncio.wait_for(running.simulation.trading.wait(), 60)
        yield platform, running
    finally:
        if running is not None:
            await running.stop()
        await platform.stop()


def _totals(exchange: Exchange) -> tuple[int, Counter[str]]:
    cash = sum(a.cash_cents for a in exchange.accounts.values())
    shares: Counter[str] = Counter()
    for account in exchange.accounts.values():
        for symbol, position in account.positions.items():
            shares[symbol] += position.shares
    return cash, shares


def _negative_balances(exchange: Exchange) -> list[str]:
    problems = []
    for account in exchange.accounts.values():
        if not 0 <= account.cash_held_cents <= account.cash_cents:
            problems.append(f"{account.account_id} cash {account.cash_cents}")
        for symbol, p in account.positions.items():
            if not 0 <= p.held <= p.shares:
                problems.append(f"{account.account_id} {symbol} {p.shares}/{p.held}")
    return problems


def _untraded(platform: Platform) -> list[str]:
    return [t.symbol for t in platform.engine.market_data.tickers() if t.volume == 0]


async def _session(tmp_path: Path, seconds: float) -> None:
    async with demo(tmp_path) as (platform, running):
        exchange = platform.engine.sequencer.exchange
        before = _totals(exchange)  # every account is funded before the agents start
        started = time.monotonic()
        while time.monotonic() - started < seconds or (
            _untraded(platform) and time.monotonic() - started < 4 * seconds
        ):
            await asyncio.sleep(0.5)
            assert not running.task.done(), "the simulation stopped"
        await running.stop()
        assert _untraded(platform) == []
        stats = running.simulation.stats()
        assert stats["orders"] > 0 and stats["fills"] > 0
        assert _totals(exchange) == before
        assert _negative_balances(exchange) == []
        assert len(platform.engine.market_data.tickers()) == 10
        index = platform.engine.market_data.index()
        assert index is not None and index.value != index.day_open


async def test_simulated_session_trades_every_symbol_and_conserves_cash_and_shares(
    tmp_path: Path,
) -> None:
    await _session(tmp_path, 15)


@pytest.mark.slow
async def test_sixty_second_simulated_session_keeps_the_invariants(tmp_path: Path) -> None:
    await _session(tmp_path, 60)


async def test_restarted_demo_logs_the_same_users_in_and_trades_again(tmp_path: Path) -> None:
    async with demo(tmp_path) as (platform, running):
        first_users = {c.email: c.user_id for c in AccountStore(tmp_path).accounts.values()}
        while running.simulation.stats()["fills"] == 0:
            await asyncio.sleep(0.2)
        trades_before = sum(t.trade_count for t in platform.engine.market_data.tickers())
    async with demo(tmp_path) as (platform, running):
        again = {c.email: c.user_id for c in AccountStore(tmp_path).accounts.values()}
        assert again == first_users  # logged in again, not re-created
        assert running.trader.email == "demo@aurex.example.com"
        recovered = sum(t.trade_count for t in platform.engine.market_data.tickers())
        assert recovered >= trades_before
        deadline = time.monotonic() + 60
        while running.simulation.stats()["fills"] == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert running.simulation.stats()["fills"] > 0
        assert sum(t.trade_count for t in platform.engine.market_data.tickers()) > recovered


async def test_printed_demo_credentials_log_in_with_an_authenticator_code(
    tmp_path: Path,
) -> None:
    async with demo(tmp_path, intensity=0.5) as (platform, running):
        text = banner(running.trader, platform.http_url)
        email = _field(text, "e-mail")
        password = _field(text, "password")
        secret = _field(text, "TOTP secret")
        async with AsyncAurexClient(platform.http_url) as client:
            await client.login(email, password, second_factor=lambda kind: pyotp.TOTP(secret).now())
            account = await client.account()
            assert account.email == email
            assert {p.symbol for p in account.positions} == {
                t.symbol for t in platform.engine.market_data.tickers()
            }
            placed = await client.place_order("AAPL", "buy", 1, price="200.00")
            assert placed.created


def _field(text: str, label: str) -> str:
    for line in text.splitlines():
        name, sep, value = line.strip().partition(":")
        if sep and name == label:
            return value.strip()
    raise AssertionError(f"{label} not printed")
