"""Done-when 4: axe-core (from npm) finds no critical or serious violations on any
page, in either theme."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import Console, api_signup, new_context, ui_login_email
from .server import ROOT, Server

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = [
    "/",
    "/signup",
    "/login",
    "/app/dashboard",
    "/app/trade/AAPL",
    "/app/portfolio",
    "/app/settings",
    "/app/settings/totp",
]


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_no_serious_accessibility_violations(
    browser: Browser, server: Server, console: Console, theme: str
) -> None:
    assert AXE.exists(), "axe-core is missing: run `make web` (npm ci)"
    axe_source = AXE.read_text()
    api_signup(server, "alex@example.com", first="Alex")
    context = new_context(browser, server, color_scheme=theme)
    page = console.watch(context.new_page())
    problems: list[str] = []
    for path in PAGES:
        if path == "/app/dashboard":
            ui_login_email(page, server, "alex@example.com")
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if path.startswith("/app/trade"):
            expect(page.locator("#conn")).to_have_text("Live")
        page.evaluate(axe_source)  # evaluated by the test, so the page's CSP does not apply
        violations = page.evaluate(
            """async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                 .filter(v => v.impact === 'critical' || v.impact === 'serious')
                 .map(v => `${v.id} (${v.impact}): ` +
                           v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )
        problems += [f"{path} [{theme}] {v}" for v in violations]
    assert problems == []
    assert console.unexpected() == []
    context.close()
