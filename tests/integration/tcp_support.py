"""A platform serving the binary TCP protocol on a free port, with logged-in traders.

The platform is built through ``aurex.bootstrap`` as ``aurex serve`` builds it, with
the TCP server bound to port 0 and no HTTP or gRPC socket; sign-up and login go
through the REST app in process (``Harness``), as for the HTTP tests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from aurex.bootstrap import Platform
from aurex.config import Durability

from .test_http_harness import Harness, running_app
from .trading_helpers import Trader, trader


@dataclass
class TcpPlatform:
    h: Harness
    platform: Platform
    host: str
    port: int

    async def trader(self, email: str, shares: dict[str, int] | None = None) -> Trader:
        return await trader(self.h, email, shares)


@asynccontextmanager
async def tcp_platform(
    tmp_path: Path, durability: Durability = Durability.NONE
) -> AsyncIterator[TcpPlatform]:
    async with running_app(tmp_path, serve_tcp=True, durability=durability) as h:
        yield TcpPlatform(h, h.platform, h.platform.settings.host, h.platform.tcp_port)
