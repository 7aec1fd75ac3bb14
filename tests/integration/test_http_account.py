"""GET /api/account and /api/account/positions reflect the exchange account: cash,
cash held by open buys, buying power, and shares held by open sells."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aurex.core.commands import Deposit, PlaceOrder
from aurex.core.model import OrderType, Side

from .test_http_harness import OPENING_CASH_CENTS, Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


def limit(account: str, coid: str, side: Side, quantity: int, price_ticks: int) -> PlaceOrder:
    return PlaceOrder(
        account=account,
        client_order_id=coid,
        symbol="AAPL",
        side=side,
        order_type=OrderType.LIMIT,
        quantity=quantity,
        price_ticks=price_ticks,
    )


async def test_account_shows_holds_buying_power_and_positions(h: Harness) -> None:
    user_id = await h.signup("ada@example.com")
    headers = bearer((await h.login_with_email_code("ada@example.com"))["sessionToken"])
    reference = h.exchange.markets["AAPL"].reference_price_ticks
    await h.submit(Deposit(account=user_id, symbol="AAPL", shares=10))
    await h.submit(limit(user_id, "sell-1", Side.SELL, 4, reference + 1))
    await h.submit(limit(user_id, "buy-1", Side.BUY, 2, reference - 1))

    account = (await h.client.get("/api/account", headers=headers)).json()
    held_cash = 2 * (reference - 1)
    assert account["cashCents"] == OPENING_CASH_CENTS
    assert account["cashHeldCents"] == held_cash
    assert account["buyingPowerCents"] == OPENING_CASH_CENTS - held_cash
    expected = [{"symbol": "AAPL", "shares": 10, "heldShares": 4, "availableShares": 6}]
    assert account["positions"] == expected
    positions = await h.client.get("/api/account/positions", headers=headers)
    assert positions.json() == {"positions": expected}


async def test_account_without_an_exchange_account_is_reported_unavailable(h: Harness) -> None:
    await h.signup("ada@example.com")
    headers = bearer((await h.login_with_email_code("ada@example.com"))["sessionToken"])
    user = await h.auth.users.get_by_email("ada@example.com")
    assert user is not None
    h.exchange.registry.accounts.pop(user.id)
    response = await h.client.get("/api/account", headers=headers)
    assert response.status_code == 503 and response.json()["code"] == 1044
