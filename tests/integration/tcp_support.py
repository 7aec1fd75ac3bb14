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

import httpx

from aurex.auth import memory_stores
from aurex.auth.mail import MaildirMailer
from aurex.bootstrap import Adapters, Platform
from aurex.config import Durability, Settings

from .test_http_harness import BASE_URL, OPENING_CASH_CENTS, Harness, Inbox, SettableClock
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
    clock = SettableClock()
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'aurex.db'}",
        opening_cash_cents=OPENING_CASH_CENTS,
        tcp_port=0,
        durability=durability,
    )
    adapters = Adapters(
        clock=clock,
        stores=memory_stores(clock),
        mailer=MaildirMailer(tmp_path / "mail"),
        public_url=BASE_URL,
    )
    platform = Platform(settings, adapters)
    await platform.start(serve_http=False, serve_grpc=False, serve_tcp=True)
    try:
        transport = httpx.ASGITransport(app=platform.app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            h = Harness(
                app=platform.app,
                client=client,
                auth=platform.auth,
                clock=clock,
                engine=platform.engine,
                inbox=Inbox(tmp_path / "mail", None),
                database_url=settings.resolved_database_url,
                data_dir=tmp_path,
            )
            yield TcpPlatform(h, platform, settings.host, platform.tcp_port)
    finally:
        await platform.stop()
