"""Browser tests of the web platform: the system Chromium driven by Playwright
against a real ``aurex serve`` child process."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

from .server import ROOT, Server

CHROMIUM = os.environ.get("AUREX_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
PASSWORD = "Str0ng!Passw0rd"
DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for the e2e package. Package-scoped on purpose: Playwright's sync
    API keeps an event loop running in this thread while it is open, which would
    break every asyncio test collected after the e2e tests."""
    assert Path(CHROMIUM).exists(), (
        f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
    )
    built = ROOT / "src" / "aurex" / "web" / "static" / "js" / "pages" / "trade.js"
    assert built.exists(), "the front end is not built: run `make web`"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield instance
        instance.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    instance = Server(tmp_path / "var", tmp_path / "serve.log")
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()


@dataclass
class Console:
    """Console errors and uncaught exceptions of the pages it watches."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> Page:
        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.errors.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: uncaught {exc}"))
        return page

    def unexpected(self, *allowed: str) -> list[str]:
        """Errors not matching any of the ``allowed`` patterns."""
        return [e for e in self.errors if not any(re.search(a, e) for a in allowed)]


@pytest.fixture
def console() -> Console:
    return Console()


def new_context(browser: Browser, server: Server, **options: object) -> BrowserContext:
    context = browser.new_context(base_url=server.url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(15_000)
    return context


def api_signup(server: Server, email: str, first: str = "Bea") -> str:
    """A user created through the REST API (e-mail codes); their user id."""
    answer = httpx.post(
        f"{server.url}/api/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "firstName": first,
            "lastName": "Trader",
            "country": "US",
        },
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["userId"])


def ui_login_email(page: Page, server: Server, email: str, next_path: str = "") -> None:
    """Logs an e-mail-code user in through the login page."""
    before = server.mail_count(email)
    page.goto(f"/login?next={next_path}" if next_path else "/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.locator("#second-form").wait_for(state="visible")
    page.get_by_label("Code", exact=True).fill(server.mailed_code(email, after=before))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/app/"))


def save_shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
