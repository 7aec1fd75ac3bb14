"""Done-when 3: a page lives through a server restart: it reconnects by itself,
takes a fresh book snapshot and then shows exactly the REST depth; its book also
recovers from a sequence gap by asking for a new snapshot.

Logins live in the short-lived store; the restart test runs the server with Redis
(as deployed) so the session outlives the process, as it would in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.integration.services import RedisServer

from .conftest import Console, api_signup, new_context, ui_login_email
from .server import Server


def ladder(page: Page, side: str) -> list[tuple[str, int]]:
    rows = page.locator(f"#{side} tr").all()
    return [
        (r.get_attribute("data-price") or "", int(r.get_attribute("data-quantity") or 0))
        for r in rows
    ]


def rest_depth(server: Server, symbol: str) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    depth = httpx.get(f"{server.url}/api/market-data/depth/{symbol}?levels=10").json()
    bids = [(level["price"], level["quantity"]) for level in depth["bids"]]
    asks = [(level["price"], level["quantity"]) for level in depth["asks"]]
    return bids, asks


def place(page: Page, side: str, quantity: int, price: str) -> None:
    page.get_by_role("radio", name=side.capitalize()).check()
    page.get_by_label("Quantity", exact=True).fill(str(quantity))
    page.get_by_label("Limit price", exact=True).fill(price)
    page.get_by_role("button", name=f"{side.capitalize()} AAPL").click()
    expect(page.locator("#ticket-ok")).to_contain_text("new")


@pytest.fixture
def redis_backed_server(tmp_path: Path) -> Iterator[Server]:
    redis = RedisServer()
    redis.start()
    server = Server(tmp_path / "var", tmp_path / "serve.log", {"AUREX_REDIS_URL": redis.url})
    try:
        server.start()
        yield server
    finally:
        server.stop()
        redis.stop()


def test_page_survives_a_server_restart(
    browser: Browser, redis_backed_server: Server, console: Console
) -> None:
    server = redis_backed_server
    api_signup(server, "rita@example.com", first="Rita")
    context = new_context(browser, server)
    page = console.watch(context.new_page())
    ui_login_email(page, server, "rita@example.com", "/app/trade/AAPL")
    expect(page.locator("#conn")).to_have_text("Live")
    place(page, "buy", 7, "229.00")
    place(page, "buy", 3, "228.50")
    expect(page.locator("#bids tr")).to_have_count(2)
    page.evaluate("window.__aurexMark = 'kept'")

    server.stop()
    expect(page.locator("#conn")).to_have_text("Reconnecting…")
    server.start()
    expect(page.locator("#conn")).to_have_text("Live", timeout=30_000)

    # The page keeps trading after the restart (its session and tokens still work).
    place(page, "buy", 5, "229.00")
    expect(page.locator('#bids tr[data-price="229.00"]')).to_have_attribute("data-quantity", "12")
    bids, asks = rest_depth(server, "AAPL")
    assert bids == [("229.00", 12), ("228.50", 3)]
    assert ladder(page, "bids") == bids
    assert ladder(page, "asks") == asks
    expect(page.locator("#open-orders tbody tr[data-order-id]")).to_have_count(3)
    assert page.evaluate("window.__aurexMark") == "kept"
    # While the server was down the WebSocket and a few requests failed: that is expected.
    assert console.unexpected(r"WebSocket connection to .* failed", r"ERR_CONNECTION_REFUSED") == []
    context.close()


def test_book_gap_asks_for_a_new_snapshot(browser: Browser, server: Server) -> None:
    context = new_context(browser, server)
    page = context.new_page()
    page.goto("/")
    result = page.evaluate(
        """async () => {
            const { Book } = await import('/static/js/book.js');
            let asked = 0;
            const book = new Book(() => { asked += 1; });
            book.snapshot({ seq: 10, bids: [{ price: '10.00', quantity: 5 }], asks: [] });
            const inOrder = book.apply([{ seq: 11, side: 'buy', price: '10.00', quantity: 7 }]);
            const gap = book.apply([{ seq: 13, side: 'sell', price: '11.00', quantity: 1 }]);
            const whileStale = book.apply([{ seq: 14, side: 'sell', price: '12.00', quantity: 1 }]);
            const before = [...book.asks.keys()];
            book.snapshot({ seq: 20, bids: [], asks: [{ price: '11.00', quantity: 1 }] });
            const after = book.apply([{ seq: 21, side: 'sell', price: '11.00', quantity: 0 }]);
            const asks = book.asks.size;
            return { inOrder, gap, whileStale, asked, before, after, asks, seq: book.seq };
        }"""
    )
    assert result == {
        "inOrder": True,
        "gap": False,
        "whileStale": False,
        "asked": 1,
        "before": [],
        "after": True,
        "asks": 0,
        "seq": 21,
    }
    context.close()
