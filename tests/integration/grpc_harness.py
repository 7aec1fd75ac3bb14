"""A running Aurex with its gRPC server on a free port, for the gRPC tests.

The platform is built by ``aurex.bootstrap`` exactly as ``aurex serve`` builds it;
HTTP is reached in-process (sign-up and login go through REST as a user's would)
and gRPC over a real socket with a real channel.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import grpc

from aurex.bootstrap import Platform
from aurex.gateways.grpc import stock_service_pb2_grpc as pb_grpc

from .test_http_harness import Harness, running_app
from .trading_helpers import Trader, trader


@dataclass
class GrpcHarness:
    h: Harness
    platform: Platform
    channel: grpc.aio.Channel
    stub: pb_grpc.StockServiceStub

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.platform.grpc_port}"

    async def trader(self, email: str, shares: dict[str, int] | None = None) -> Trader:
        return await trader(self.h, email, shares)


def metadata(t: Trader, *, trading: bool = True) -> tuple[tuple[str, str], ...]:
    """What a trading program sends: the access token and, for order entry, the trading token."""
    pairs = [("authorization", f"Bearer {t.access}")]
    if trading:
        pairs.append(("x-trading-token", t.trading))
    return tuple(pairs)


def aurex_code(error: grpc.aio.AioRpcError) -> int:
    """The numeric Aurex code from the trailing metadata of a failed call."""
    found = dict(error.trailing_metadata() or ())
    return int(found["aurex-code"])


@asynccontextmanager
async def running_grpc(tmp_path: Path) -> AsyncIterator[GrpcHarness]:
    async with running_app(tmp_path, serve_grpc=True) as h:
        platform = h.platform
        async with grpc.aio.insecure_channel(f"127.0.0.1:{platform.grpc_port}") as channel:
            yield GrpcHarness(h, platform, channel, pb_grpc.StockServiceStub(channel))
