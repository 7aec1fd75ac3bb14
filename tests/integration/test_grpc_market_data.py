"""gRPC market data against a real server: the streams push what trades change."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TypeVar

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurex.gateways.grpc import stock_service_pb2 as pb

from .grpc_harness import GrpcHarness, aurex_code, metadata, running_grpc

T = TypeVar("T")


async def next_of(stream: AsyncIterator[T], timeout: float = 10.0) -> T:
    return await asyncio.wait_for(anext(stream), timeout)


async def trade(g: GrpcHarness, price: float, quantity: int = 3) -> None:
    seller = await g.trader(f"s{price}@example.com", {"AAPL": 100})
    buyer = await g.trader(f"b{price}@example.com")
    sell = pb.OrderRequest(
        order_id="s", symbol="AAPL", side=pb.SELL, type=pb.LIMIT, quantity=quantity, price=price
    )
    await g.stub.SubmitOrder(sell, metadata=metadata(seller))
    buy = pb.OrderRequest(
        order_id="b", symbol="AAPL", side=pb.BUY, type=pb.LIMIT, quantity=quantity, price=price
    )
    await g.stub.SubmitOrder(buy, metadata=metadata(buyer))


async def test_market_data_stream_starts_with_the_book_then_pushes_changes(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        maker = await g.trader("maker@example.com", {"AAPL": 100})
        resting = pb.OrderRequest(
            order_id="r1", symbol="AAPL", side=pb.SELL, type=pb.LIMIT, quantity=7, price=240.25
        )
        await g.stub.SubmitOrder(resting, metadata=metadata(maker))
        call = g.stub.StreamMarketData(pb.MarketDataRequest(symbols=["aapl"], depth=5))
        stream = aiter(call)
        first = await next_of(stream)
        assert first.symbol == "AAPL"
        assert [(a.price, a.price_ticks, a.quantity) for a in first.asks] == [(240.25, 24025, 7)]
        assert first.ask_price_ticks == 24025 and first.ask_price == 240.25
        await trade(g, 240.25, 3)
        update = await next_of(stream)
        while not update.trades:
            update = await next_of(stream)
        assert [(t.price_ticks, t.quantity, t.aggressor) for t in update.trades] == [
            (24025, 3, pb.BUY)
        ]
        assert update.last_price_ticks == 24025 and update.book_seq > first.book_seq
        assert update.asks == [] or update.asks[0].price_ticks == 24025
        call.cancel()


async def test_all_stocks_snapshot_then_changed_quotes(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        call = g.stub.StreamAllStocks(pb.AllStocksRequest())
        stream = aiter(call)
        snapshot = await next_of(stream)
        assert snapshot.snapshot and len(snapshot.stocks) == 10
        assert {s.symbol for s in snapshot.stocks} >= {"AAPL", "MSFT", "NVDA"}
        await trade(g, 234.00, 2)
        changed = await next_of(stream)
        while not any(s.last_price_ticks == 23400 for s in changed.stocks):
            changed = await next_of(stream)
        assert not changed.snapshot and {s.symbol for s in changed.stocks} == {"AAPL"}
        call.cancel()


async def test_index_streams_and_get_market_index(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        got = await g.stub.GetMarketIndex(pb.MarketIndexRequest())
        assert got.index_name == "TOP10" and len(got.constituents) == 10
        assert got.index_value == float(got.index_value_exact)
        assert sum(float(c.weight_exact) for c in got.constituents) == pytest.approx(1, abs=1e-3)
        named = await g.stub.GetMarketIndex(pb.MarketIndexRequest(index_name="top10"))
        assert named.index_value_exact == got.index_value_exact

        full = g.stub.StreamMarketIndex(pb.MarketIndexRequest(index_name="TOP10"))
        top = g.stub.StreamTopIndex(pb.IndexRequest(top=3))
        full_stream, top_stream = aiter(full), aiter(top)
        assert (await next_of(full_stream)).index_value_exact == got.index_value_exact
        heaviest = await next_of(top_stream)
        assert len(heaviest.top) == 3
        weights = [float(c.weight_exact) for c in heaviest.top]
        assert weights == sorted(weights, reverse=True)
        assert weights[0] == max(float(c.weight_exact) for c in got.constituents)

        await trade(g, 250.00, 5)  # AAPL well above its reference: the index moves
        moved = await next_of(full_stream)
        assert moved.index_value_exact != got.index_value_exact
        aapl = next(c for c in moved.constituents if c.symbol == "AAPL")
        assert aapl.last_price_ticks == 25000
        assert (await next_of(top_stream)).index_value_exact != got.index_value_exact
        full.cancel()
        top.cancel()


async def test_bad_market_data_requests_get_precise_errors(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        cases = [
            (pb.MarketDataRequest(symbols=["NOPE"]), grpc.StatusCode.NOT_FOUND, 2003),
            (pb.MarketDataRequest(), grpc.StatusCode.INVALID_ARGUMENT, 2001),
            (
                pb.MarketDataRequest(symbols=["AAPL"], depth=5000),
                grpc.StatusCode.INVALID_ARGUMENT,
                2001,
            ),
            (pb.MarketDataRequest(symbols=["X" * 40]), grpc.StatusCode.INVALID_ARGUMENT, 2001),
        ]
        for request, status, code in cases:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                _ = [u async for u in g.stub.StreamMarketData(request)]
            assert (refused.value.code(), aurex_code(refused.value)) == (status, code)
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await g.stub.GetMarketIndex(pb.MarketIndexRequest(index_name="DOW30"))
        assert refused.value.code() == grpc.StatusCode.NOT_FOUND
        assert aurex_code(refused.value) == 2003 and "DOW30" in (refused.value.details() or "")
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            _ = [u async for u in g.stub.StreamTopIndex(pb.IndexRequest(top=-1))]
        assert aurex_code(refused.value) == 2001
        assert (await g.stub.GetMarketIndex(pb.MarketIndexRequest())).index_name == "TOP10"


async def test_health_reports_serving(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        health = health_pb2_grpc.HealthStub(g.channel)
        for service in ("", "aurex.v1.StockService"):
            answer = await health.Check(health_pb2.HealthCheckRequest(service=service))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
