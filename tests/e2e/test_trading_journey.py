"""Done-when 1: a new user signs up, sets up TOTP, logs out and in with it, rests a
limit order that shows in the book; a second user fills it and both portfolios
update without a page reload."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Browser, Locator, Page, expect

from .conftest import PASSWORD, Console, api_signup, new_context, ui_login_email
from .server import Server, deposit_shares


def mark_page(page: Page) -> None:
    """Leaves a value in the page's memory: still there later means no reload."""
    page.evaluate("window.__aurexMark = 'kept'")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.__aurexMark") == "kept"


def shares(page: Page, symbol: str) -> Locator:
    return page.locator(f'#positions tr[data-symbol="{symbol}"] [data-col=shares]')


def test_signup_totp_login_rest_and_fill(
    browser: Browser, server: Server, console: Console
) -> None:
    seller_email = "seller@example.com"
    seller_id = api_signup(server, seller_email, first="Sol")
    deposit_shares(server, seller_id, "AAPL", 100)

    # -- the buyer signs up in the browser and picks the authenticator app ----------------
    buyer = new_context(browser, server)
    page = console.watch(buyer.new_page())
    page.goto("/")
    page.get_by_role("link", name="Open an account").click()
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("E-mail", exact=True).fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill("weak")
    expect(page.locator("[data-rule=length]")).not_to_have_class(re.compile("met"))
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    expect(page.locator("#pw-rules .met")).to_have_count(5)
    page.get_by_label("Authenticator app (TOTP)").check()
    page.get_by_role("button", name="Create account").click()
    page.locator("#code-form").wait_for(state="visible")
    page.get_by_label("Code", exact=True).fill(server.mailed_code("ada@example.com"))
    page.get_by_role("button", name="Verify and continue").click()

    # -- TOTP set-up: QR code, the key as text, then backup codes -------------------------
    page.wait_for_url("**/app/settings/totp")
    expect(page.locator("#totp-qr")).to_have_attribute("src", re.compile("^data:image/svg"))
    expect(page.locator("#totp-secret")).not_to_have_text("…")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    page.get_by_role("link", name="I saved them — continue").click()
    page.wait_for_url("**/app/dashboard")

    # -- log out, then in again with the password and an authenticator code -----------------
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login")
    page.goto("/app/portfolio")
    page.wait_for_url(re.compile(r"/login\?next=/app/portfolio"))
    page.get_by_label("E-mail", exact=True).fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#second-title")).to_have_text("Authenticator code")
    # The set-up used this window's code; codes are single-use, the next window's is accepted.
    page.get_by_label("Code", exact=True).fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/app/portfolio")
    expect(page.locator("#s-cash")).to_have_text("100,000.00")

    # -- the buyer's portfolio in one tab, the trading page in another ----------------------
    buyer_portfolio = page
    mark_page(buyer_portfolio)
    trade = console.watch(buyer.new_page())
    trade.goto("/app/trade/AAPL")
    expect(trade.locator("#conn")).to_have_text("Live")
    mark_page(trade)
    trade.get_by_label("Quantity", exact=True).fill("10")
    trade.get_by_label("Limit price", exact=True).fill("230.00")
    expect(trade.locator("#pv-cost")).to_have_text("2,300.00")
    expect(trade.locator("#pv-hold")).to_have_text("2,300.00")
    trade.get_by_role("button", name="Buy AAPL").click()
    expect(trade.locator("#ticket-ok")).to_contain_text("new")
    bid = trade.locator('#bids tr[data-price="230.00"]')
    expect(bid).to_have_attribute("data-quantity", "10")
    expect(trade.locator("#open-orders tbody tr[data-order-id]")).to_have_count(1)
    expect(buyer_portfolio.locator("#s-bp")).to_have_text("97,700.00")

    # -- the seller logs in (e-mail code), sees the bid and sells into it -------------------
    seller = new_context(browser, server)
    seller_portfolio = console.watch(seller.new_page())
    ui_login_email(seller_portfolio, server, seller_email, "/app/portfolio")
    expect(shares(seller_portfolio, "AAPL")).to_have_text("100")
    mark_page(seller_portfolio)
    sell = console.watch(seller.new_page())
    sell.goto("/app/trade/AAPL")
    expect(sell.locator('#bids tr[data-price="230.00"]')).to_have_attribute("data-quantity", "10")
    sell.get_by_role("radio", name="Sell").check()
    sell.get_by_role("button", name="Use price 230.00").first.click()
    expect(sell.get_by_label("Limit price", exact=True)).to_have_value("230.00")
    sell.get_by_label("Quantity", exact=True).fill("10")
    sell.get_by_role("button", name="Sell AAPL").click()
    expect(sell.locator("#ticket-ok")).to_contain_text("filled")

    # -- everyone sees it without reloading ---------------------------------------------------
    expect(trade.locator('#bids tr[data-price="230.00"]')).to_have_count(0)
    expect(trade.locator("#open-orders tbody tr[data-order-id]")).to_have_count(0)
    expect(trade.locator("#fills tbody tr").first).to_contain_text("230.00")
    expect(shares(buyer_portfolio, "AAPL")).to_have_text("10")
    expect(buyer_portfolio.locator("#s-cash")).to_have_text("97,700.00")
    expect(buyer_portfolio.locator("#fill-history tbody tr").first).to_contain_text("buy")
    expect(shares(seller_portfolio, "AAPL")).to_have_text("90")
    expect(seller_portfolio.locator("#s-cash")).to_have_text("102,300.00")
    for tab in (buyer_portfolio, trade, seller_portfolio):
        assert_not_reloaded(tab)
    assert console.unexpected() == []
    buyer.close()
    seller.close()
