"""``aurex.client`` market-data calls against the real app (harness, no socket): after
a trade, every call answers typed values with Decimal prices, and an unknown symbol
is a ``NotFound`` carrying the server's code."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from aurex.client import AsyncAurexClient, NotFound
from aurex.core.commands import Deposit

from .test_http_harness import BASE_URL, PASSWORD, Harness, running_app


def mailed_to(h: Harness, email: str) -> Callable[[str], str]:
    return lambda _kind: h.inbox.latest_code(email)


async def test_market_data_calls_answer_typed_values_after_a_trade(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        clients: list[AsyncAurexClient] = []
        for email in ("mia@example.com", "noa@example.com"):
            client = AsyncAurexClient(BASE_URL, transport=httpx.ASGITransport(app=h.app))
            user = await client.signup(email, PASSWORD, "M", "D")
            await client.login(email, PASSWORD, second_factor=mailed_to(h, email))
            assert (
                await h.submit(Deposit(account=user.user_id, symbol="MSFT", shares=50))
            ).rejection is None
            clients.append(client)
        seller, buyer = clients

        listed = {s.symbol: s for s in await buyer.symbols()}
        msft = listed["MSFT"]
        assert (
            msft.tick_size == Decimal("0.01")
            and msft.band_low < msft.reference_price < msft.band_high
        )
        price = msft.reference_price
        await seller.place_order("MSFT", "sell", 7, price=price)
        await seller.place_order("MSFT", "sell", 3, price=price + Decimal("0.05"))
        await buyer.place_order("MSFT", "buy", 4, price=price, time_in_force="ioc")

        depth = await buyer.depth("MSFT", levels=1)
        assert [(lv.price, lv.quantity) for lv in depth.asks] == [(price, 3)]
        ticker = await buyer.ticker("MSFT")
        assert (ticker.last, ticker.volume, ticker.ask) == (price, 4, price)
        assert "MSFT" in {t.symbol for t in await buyer.tickers()}
        (trade,) = await buyer.trades("MSFT", limit=10)
        assert (trade.price, trade.quantity, trade.aggressor) == (price, 4, "buy")
        (candle,) = await buyer.candles("MSFT", interval="1m")
        assert (candle.open, candle.close, candle.volume) == (price, price, 4)
        index = await buyer.index()
        assert index.constituents and isinstance(index.value, Decimal)
        assert (await buyer.index(index.name)).name == index.name
        history = await buyer.index_history(index.name)
        assert history.name == index.name

        with pytest.raises(NotFound) as unknown:
            await buyer.ticker("NOPE")
        assert (unknown.value.status, unknown.value.code) == (404, 2003)
        positions = {p.symbol: p for p in await buyer.positions()}
        assert positions["MSFT"].shares == 54
        for client in clients:
            await client.aclose()
