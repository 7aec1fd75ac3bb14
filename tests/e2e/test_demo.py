"""Issue 11, done-when 1: ``aurex demo`` on a fresh data directory shows a living
market: the dashboard's prices and TOP10 index move within 10 seconds, the printed
demo trader logs in (password and an authenticator code from the printed secret),
and after a restart on the same data directory the simulation trades again."""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import Console, new_context
from .server import Server

MOVE_WITHIN_MS = 10_000
"""Done-when 1: the market visibly moves within 10 seconds."""

# Every value the dashboard shows live: the index and each symbol's last price.
READ_DASHBOARD = """() => ({
    index: document.querySelector('#idx-value').textContent,
    prices: Object.fromEntries([...document.querySelectorAll('#symbols tbody tr[data-symbol]')]
        .map((row) => [row.dataset.symbol, row.querySelector('td.num').textContent])),
})"""

# True once the index and at least one symbol's price differ from ``before``.
MOVED = (
    "(before) => { const now = ("
    + READ_DASHBOARD
    + """)();
    return now.index !== before.index
        && Object.entries(now.prices).some(([symbol, price]) => before.prices[symbol] !== price);
}"""
)


@dataclass(frozen=True)
class DemoTrader:
    email: str
    password: str
    totp_secret: str


def printed_trader(output: str) -> DemoTrader:
    """The demo trader's credentials as ``aurex demo`` printed them."""

    def field(label: str) -> str:
        found = re.search(rf"^\s*{label}:\s+(\S+)\s*$", output, re.MULTILINE)
        assert found, f"`aurex demo` printed no {label}: {output[-2000:]}"
        return found.group(1)

    return DemoTrader(field("e-mail"), field("password"), field("TOTP secret"))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Server]:
    instance = Server(
        tmp_path / "var",
        tmp_path / "demo.log",
        {"AUREX_GRPC_PORT": "0", "AUREX_TCP_PORT": "0"},
        command="demo",
        ready_text="Aurex is running",
    )
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


def ui_login_totp(page: Page, trader: DemoTrader, code: str) -> None:
    """Logs the demo trader in through the login page with an authenticator code."""
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill(trader.email)
    page.get_by_label("Password", exact=True).fill(trader.password)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#second-title")).to_have_text("Authenticator code")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/app/dashboard")


def assert_dashboard_moves(page: Page) -> None:
    """The dashboard shows the index and prices, then both change within 10 s."""
    expect(page.locator("#idx-value")).not_to_have_text("—")
    expect(page.locator("#symbols tbody tr[data-symbol]").first).to_be_visible()
    before = page.evaluate(READ_DASHBOARD)
    assert before["prices"], "the dashboard lists no symbols"
    page.wait_for_function(MOVED, arg=before, timeout=MOVE_WITHIN_MS)


def newest_trade_ids(server: Server) -> dict[str, int]:
    """Each symbol's newest trade id over REST (0 when it has not traded)."""
    listed = httpx.get(f"{server.url}/api/market-data/symbols").json()["symbols"]
    symbols = [info["symbol"] for info in listed]
    newest: dict[str, int] = {}
    for symbol in symbols:
        trades = httpx.get(f"{server.url}/api/market-data/trades/{symbol}?limit=1").json()
        newest[symbol] = max((t["tradeId"] for t in trades["trades"]), default=0)
    return newest


def trades_after(server: Server, before: dict[str, int]) -> list[str]:
    """Symbols with a trade newer than ``before``, polled for up to 10 s."""
    deadline = time.monotonic() + MOVE_WITHIN_MS / 1000
    while True:
        now = newest_trade_ids(server)
        moved = [s for s, newest in now.items() if newest > before.get(s, 0)]
        if moved or time.monotonic() > deadline:
            return moved
        time.sleep(0.2)


def unused_code(secret: str, used: set[int]) -> str:
    """An authenticator code of a step not used yet (each code is accepted once)."""
    step = int(time.time()) // 30
    while step in used:
        step += 1
    used.add(step)
    return pyotp.TOTP(secret).at(step * 30)


def test_demo_market_moves_logs_in_and_trades_after_restart(
    browser: Browser, demo: Server, console: Console
) -> None:
    trader = printed_trader(demo.output())
    used_steps: set[int] = set()

    # -- the printed credentials log in; the dashboard lives -------------------------------
    context = new_context(browser, demo)
    page = console.watch(context.new_page())
    ui_login_totp(page, trader, unused_code(trader.totp_secret, used_steps))
    assert_dashboard_moves(page)

    # The demo trader's portfolio holds the shares the demo gave it.
    page.get_by_role("link", name="Portfolio").first.click()
    page.wait_for_url("**/app/portfolio")
    expect(page.locator('#positions tr[data-symbol="AAPL"] [data-col=shares]')).to_have_text("100")
    context.close()

    # -- stopped like Ctrl-C, started again on the same data directory -----------------------
    traded_before = newest_trade_ids(demo)
    assert any(traded_before.values()), "the simulation made no trade before the restart"
    assert demo.stop(signal.SIGINT) == 0
    demo.start()
    assert printed_trader(demo.output()) == trader, "the restart printed another demo trader"

    assert trades_after(demo, traded_before), "the simulation did not trade after the restart"
    context = new_context(browser, demo)
    page = console.watch(context.new_page())
    ui_login_totp(page, trader, unused_code(trader.totp_secret, used_steps))
    assert_dashboard_moves(page)
    context.close()
    assert console.unexpected() == []
