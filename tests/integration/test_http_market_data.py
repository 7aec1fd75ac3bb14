"""REST market data over the real platform: public, from the engine's durable state."""

from __future__ import annotations

import asyncio
from pathlib import Path

from .test_http_harness import running_app
from .trading_helpers import trader


async def test_symbols_list_the_trading_rules(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        symbols = (await h.client.get("/api/market-data/symbols")).json()["symbols"]
        assert len(symbols) == 10
        aapl = next(s for s in symbols if s["symbol"] == "AAPL")
        assert (aapl["tickSize"], aapl["lotSize"], aapl["referencePrice"]) == ("0.01", 1, "234.50")
        assert aapl["status"] == "trading"
        assert aapl["bandLow"] < aapl["referencePrice"] < aapl["bandHigh"]


async def test_a_trade_shows_in_ticker_depth_trades_and_candles(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        seller = await trader(h, "sam@example.com", {"AAPL": 100})
        buyer = await trader(h, "bea@example.com")
        await seller.placed(side="sell", quantity=10, price="234.50")
        await seller.placed(side="sell", quantity=5, price="235.00")
        await buyer.placed(quantity=4, price="234.50")
        get = h.client.get
        ticker = (await get("/api/market-data/ticker/aapl")).json()
        assert (ticker["last"], ticker["volume"], ticker["ask"]) == ("234.50", 4, "234.50")
        tickers = (await get("/api/market-data/ticker")).json()["tickers"]
        assert next(t for t in tickers if t["symbol"] == "AAPL") == ticker
        depth = (await get("/api/market-data/depth/AAPL", params={"levels": 1})).json()
        assert depth["asks"] == [{"price": "234.50", "quantity": 6}] and depth["bids"] == []
        full = (await get("/api/market-data/depth/AAPL")).json()
        assert [a["price"] for a in full["asks"]] == ["234.50", "235.00"]
        trades = (await get("/api/market-data/trades/AAPL")).json()
        assert [(t["price"], t["quantity"], t["aggressor"]) for t in trades["trades"]] == [
            ("234.50", 4, "buy")
        ]
        candles = (await get("/api/market-data/candles/AAPL", params={"interval": "1m"})).json()
        assert candles["interval"] == "1m"
        assert [(c["open"], c["close"], c["volume"]) for c in candles["candles"]] == [
            ("234.50", "234.50", 4)
        ]


async def test_unknown_symbol_and_bad_parameters(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        for path in ("ticker/NOPE", "depth/NOPE", "trades/NOPE", "candles/NOPE"):
            response = await h.client.get(f"/api/market-data/{path}")
            assert (response.status_code, response.json()["code"]) == (404, 2003), path
        for path, params in (
            ("depth/AAPL", {"levels": 0}),
            ("depth/AAPL", {"levels": 1001}),
            ("trades/AAPL", {"limit": "x"}),
            ("candles/AAPL", {"interval": "7m"}),
        ):
            response = await h.client.get(f"/api/market-data/{path}", params=params)
            assert response.status_code == 422, (path, params)
            assert response.json()["code"] in (2000, 2001)


async def test_index_and_its_history(tmp_path: Path) -> None:
    async with running_app(tmp_path) as h:
        index = (await h.client.get("/api/market-data/index")).json()
        assert index["name"] == "TOP10" and len(index["constituents"]) == 10
        weights = sum(float(c["weight"]) for c in index["constituents"])
        assert abs(weights - 1) < 0.001
        assert (await h.client.get("/api/market-data/index/top10")).json()["name"] == "TOP10"
        missing = await h.client.get("/api/market-data/index/DAX")
        assert (missing.status_code, missing.json()["code"]) == (404, 2003)
        for _ in range(100):  # the index is sampled every 100 ms
            history = (await h.client.get("/api/market-data/index/TOP10/history")).json()
            if history["points"]:
                break
            await asyncio.sleep(0.05)
        assert history["name"] == "TOP10"
        assert history["points"][-1]["value"] == index["value"]
