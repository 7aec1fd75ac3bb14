"""Done-when 2: every page in both themes and at phone width (screenshots under
test-artifacts/e2e), no console errors anywhere, and a refused order shows the
engine's reason in plain words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import (
    DESKTOP,
    PHONE,
    Console,
    api_signup,
    new_context,
    save_shot,
    ui_login_email,
)
from .server import Server

SHOTS = {
    "landing": "/",
    "dashboard": "/app/dashboard",
    "trading": "/app/trade/AAPL",
    "portfolio": "/app/portfolio",
}
OTHER_PAGES = ["/signup", "/login", "/app/settings", "/app/settings/totp"]


def settle(page: Page, path: str) -> None:
    """Waits until the page shows live data (not just its empty shell)."""
    if path == "/":
        expect(page.locator("#movers tbody tr")).to_have_count(10)
    elif path == "/app/dashboard":
        expect(page.locator("#symbols tbody tr")).to_have_count(10)
        expect(page.locator("#idx-chart canvas").first).to_be_visible()
    elif path.startswith("/app/trade/"):
        expect(page.locator("#ladder")).to_have_attribute("data-seq", re.compile(r"^\d+$"))
        expect(page.locator("#price-chart canvas").first).to_be_visible()
    elif path == "/app/portfolio":
        expect(page.locator("#s-cash")).not_to_have_text("—")
    if path in SHOTS.values():
        expect(page.locator("#conn")).to_have_text("Live")


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_pages_in_both_themes_and_at_phone_width(
    browser: Browser, server: Server, console: Console, theme: str
) -> None:
    api_signup(server, "pat@example.com", first="Pat")
    context = new_context(browser, server, viewport=DESKTOP, color_scheme=theme)
    page = console.watch(context.new_page())
    ui_login_email(page, server, "pat@example.com")
    # A resting order so the book and the open orders have something to show.
    page.goto("/app/trade/AAPL")
    page.get_by_label("Limit price", exact=True).fill("231.25")
    page.get_by_role("button", name="Buy AAPL").click()
    expect(page.locator('#bids tr[data-price="231.25"]')).to_have_count(1)
    for name, path in SHOTS.items():
        page.goto(path)
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        settle(page, path)
        save_shot(page, f"{name}-{theme}")
    page.set_viewport_size(PHONE)
    for name, path in SHOTS.items():
        page.goto(path)
        settle(page, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at phone width ({width}px)"
        save_shot(page, f"{name}-{theme}-phone")
    page.set_viewport_size(DESKTOP)
    for path in OTHER_PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert console.unexpected() == []
    context.close()


def test_theme_switch_is_remembered(browser: Browser, server: Server, console: Console) -> None:
    context = new_context(browser, server, color_scheme="dark")
    page = console.watch(context.new_page())
    page.goto("/")
    page.get_by_role("button", name="Switch to light theme").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.goto("/login")
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    expect(page.get_by_role("button", name="Switch to dark theme")).to_be_visible()
    assert console.unexpected() == []
    context.close()


def test_refused_orders_show_the_engines_reason(
    browser: Browser, server: Server, console: Console
) -> None:
    api_signup(server, "rex@example.com", first="Rex")
    context = new_context(browser, server)
    page = console.watch(context.new_page())
    ui_login_email(page, server, "rex@example.com", "/app/trade/AAPL")
    expect(page.locator("#conn")).to_have_text("Live")
    error = page.locator("#ticket-error")

    page.get_by_label("Limit price", exact=True).fill("1.00")
    page.get_by_role("button", name="Buy AAPL").click()
    expect(error).to_contain_text("outside today's allowed price band")

    page.get_by_label("Quantity", exact=True).fill("100000")
    page.get_by_label("Limit price", exact=True).fill("230.00")
    expect(page.locator("#pv-cost")).to_have_text("23,000,000.00")
    page.get_by_role("button", name="Buy AAPL").click()
    expect(error).to_contain_text("Not enough buying power")

    page.get_by_role("radio", name="Sell").check()
    page.get_by_label("Quantity", exact=True).fill("5")
    page.get_by_role("button", name="Sell AAPL").click()
    expect(error).to_contain_text("You do not hold enough shares")
    expect(page.locator("#open-orders tbody tr[data-order-id]")).to_have_count(0)
    # Each refusal is an HTTP 4xx answer, which Chromium logs as a failed resource.
    assert console.unexpected(r"status of 4\d\d") == []
    context.close()
