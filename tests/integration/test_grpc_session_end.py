"""A private gRPC stream lives as long as its login session: a logout ends it, even
while it is quiet; a stream that sent its trading token outlives access-token refreshes."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import pytest

from aurex.gateways.grpc import service
from aurex.gateways.grpc import stock_service_pb2 as pb

from .grpc_harness import GrpcHarness, aurex_code, metadata, running_grpc
from .trading_helpers import Trader

REVOKED = 1033
HANG_S = 60
"""Only a guard against a stream that never ends (the bug these tests catch)."""


@pytest.fixture(autouse=True)
def quick_recheck(monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-check tokens every 50 ms instead of 5 s, so a test need not wait."""
    monkeypatch.setattr(service, "REAUTH_INTERVAL_S", 0.05)


async def log_out(g: GrpcHarness, t: Trader) -> None:
    response = await g.h.client.post("/api/auth/logout", headers=t.read_headers)
    assert response.status_code == 200, response.text


def order(cid: str, price_ticks: int) -> pb.OrderRequest:
    return pb.OrderRequest(
        order_id=cid, symbol="AAPL", side=pb.BUY, type=pb.LIMIT, quantity=1, price_ticks=price_ticks
    )


async def test_logout_ends_a_quiet_order_update_stream(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        ann = await g.trader("ann@example.com")
        await g.stub.SubmitOrder(order("a1", 23000), metadata=metadata(ann))
        call = g.stub.StreamOrderUpdates(
            pb.OrderUpdatesRequest(), metadata=metadata(ann, trading=False)
        )
        first = await call.read()
        assert first.order.client_order_id == "a1" and first.order.status == pb.NEW

        await log_out(g, ann)
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            await asyncio.wait_for(call.read(), HANG_S)
        assert ended.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert aurex_code(ended.value) == REVOKED


async def test_logout_ends_an_idle_order_entry_stream(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        ann = await g.trader("ann@example.com")
        call = g.stub.OrderEntry(metadata=metadata(ann))
        entry = pb.OrderEntryRequest(request_id=7, submit=order("e1", 23000))
        await call.write(pb.OrderEntryBatch(requests=[entry]))
        answer = await call.read()
        assert [r.request_id for r in answer.responses] == [7]

        await log_out(g, ann)  # the stream stays open for writing but sends nothing
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            await asyncio.wait_for(call.read(), HANG_S)
        assert ended.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert aurex_code(ended.value) == REVOKED


async def test_a_stream_with_the_trading_token_outlives_a_refresh_not_a_logout(
    tmp_path: Path,
) -> None:
    async with running_grpc(tmp_path) as g:
        ann = await g.trader("ann@example.com")
        call = g.stub.StreamOrderUpdates(pb.OrderUpdatesRequest(), metadata=metadata(ann))
        await call.initial_metadata()

        refreshed = await g.h.client.post("/api/auth/refresh", json={"tradingToken": ann.trading})
        assert refreshed.status_code == 200, refreshed.text
        ann.access = refreshed.json()["sessionToken"]  # the stream's access token is now dead
        placed = await g.stub.SubmitOrder(order("r1", 23000), metadata=metadata(ann))
        update = await call.read()  # still flowing after the refresh
        assert update.order.order_id == placed.order_id

        await log_out(g, ann)
        with pytest.raises(grpc.aio.AioRpcError) as ended:
            await asyncio.wait_for(call.read(), HANG_S)
        assert ended.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert aurex_code(ended.value) == REVOKED
