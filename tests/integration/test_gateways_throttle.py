"""A program flooding orders over gRPC or TCP is held to its per-user rate: the excess
is refused with code 2020 in each protocol's own way, its session stays up, its
cancels still go through, and other users are served as before."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest

from aurex.gateways.codes import GatewayCode
from aurex.gateways.grpc import stock_service_pb2 as pb

from .grpc_harness import aurex_code
from .tcp_reference_client import BUY, SELL, ServerError
from .test_gateways_agree import AAPL, grpc_place, members, one_exchange

RATE = 3
"""Orders per user and second (and the burst) the server is started with."""


class Clock:
    """The throttle's clock: it only moves when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


async def test_orders_past_the_rate_are_refused_on_both_gateways_and_nothing_else(
    tmp_path: Path,
) -> None:
    clock = Clock()
    async with (
        one_exchange(tmp_path, orders_per_user_per_second=RATE, monotonic=clock) as ex,
        members(ex, "flood@example.com", "calm@example.com") as (flood, calm),
    ):
        placed = [
            (await flood.tcp.submit("AAPL", SELL, 1, AAPL + 100 + i))["order_id"]
            for i in range(RATE)
        ]

        # the bucket is shared: the next order is refused over TCP and over gRPC alike
        with pytest.raises(ServerError) as tcp_refusal:
            await flood.tcp.submit("AAPL", SELL, 1, AAPL + 200)
        assert tcp_refusal.value.code == GatewayCode.RATE_LIMITED
        assert not tcp_refusal.value.fatal
        assert "at most 3 per second" in tcp_refusal.value.message
        with pytest.raises(grpc.aio.AioRpcError) as grpc_refusal:
            await grpc_place(flood, SELL, 1, AAPL + 201, "flood-grpc")
        assert grpc_refusal.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert aurex_code(grpc_refusal.value) == GatewayCode.RATE_LIMITED
        with pytest.raises(ServerError) as amend_refusal:
            await flood.tcp.amend(placed[0], quantity=2)
        assert amend_refusal.value.code == GatewayCode.RATE_LIMITED

        # cancels are never throttled; other users are not affected
        cancelled = await flood.tcp.cancel(order_id=placed[0])
        assert cancelled["status_name"] == "cancelled"
        other = await calm.tcp.submit("AAPL", BUY, 1, AAPL - 100)
        assert other["status_name"] == "new"
        calm_grpc = await grpc_place(calm, BUY, 1, AAPL - 101, "calm-grpc")
        assert calm_grpc.status == pb.NEW

        # nothing refused reached the exchange: two of the three orders are still open
        open_orders = await flood.rest.open_orders()
        assert sorted(o["orderId"] for o in open_orders) == sorted(placed[1:])

        # a second later the bucket holds RATE tokens again, on the same connection
        clock.now += 1.0
        for i in range(RATE):
            again = await flood.tcp.submit("AAPL", SELL, 1, AAPL + 300 + i)
            assert again["status_name"] == "new"
