"""``AurexStream`` against a real ``aurex serve``: reconnecting by itself with its
subscriptions and login restored, a fresh book snapshot after each connection, and
refusals raised as typed errors; and the blocking client refreshing its token."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from aurex.client import (
    ApiError,
    AsyncAurexClient,
    AurexClient,
    AurexStream,
    BookEvent,
    ConnectionEvent,
    OrderEvent,
    StreamEvent,
    TickerEvent,
    websocket_url,
)

from .serve_process import PASSWORD, ServeProcess, free_port, latest_code, serve


def other_ports() -> dict[str, str]:
    """Free ports for the gateways besides HTTP, so parallel servers do not collide."""
    return {"AUREX_GRPC_PORT": str(free_port()), "AUREX_TCP_PORT": str(free_port())}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with serve(tmp_path_factory.mktemp("stream"), other_ports()) as running:
        yield running


async def until(
    stream: AurexStream, wanted: Callable[[StreamEvent], bool], timeout: float = 15.0
) -> StreamEvent:
    async with asyncio.timeout(timeout):
        while True:
            event = await stream.next_event()
            if wanted(event):
                return event


def is_snapshot(event: StreamEvent) -> bool:
    return isinstance(event, BookEvent) and event.snapshot


async def test_a_dropped_connection_is_restored_with_its_subscriptions(
    server: ServeProcess,
) -> None:
    async with AurexStream(websocket_url(server.url), max_backoff=0.2) as stream:
        await stream.subscribe("book", "MSFT")
        await stream.subscribe("ticker", "MSFT")
        await until(stream, is_snapshot)
        await until(stream, lambda e: isinstance(e, TickerEvent))

        await stream.drop_connection()

        back = await until(stream, lambda e: isinstance(e, ConnectionEvent) and e.reconnect)
        assert isinstance(back, ConnectionEvent) and back.state == "connected"
        await until(stream, is_snapshot)
        ticker = await until(stream, lambda e: isinstance(e, TickerEvent))
        assert isinstance(ticker, TickerEvent) and ticker.ticker.symbol == "MSFT"
        assert stream.connections == 2 and stream.book("MSFT").ready
        await stream.ping()


async def test_refused_requests_raise_the_servers_code(server: ServeProcess) -> None:
    async with AurexStream(websocket_url(server.url)) as stream:
        with pytest.raises(ApiError) as unknown_channel:
            await stream.subscribe("gossip")
        assert unknown_channel.value.code == 2010
        with pytest.raises(ApiError) as unknown_symbol:
            await stream.subscribe("book", "NOPE")
        assert unknown_symbol.value.code == 2003
        with pytest.raises(ApiError) as anonymous:
            await stream.subscribe("orders")
        assert anonymous.value.code == 2012
        await stream.drop_connection()
        await until(stream, lambda e: isinstance(e, ConnectionEvent) and e.reconnect)
        await stream.ping()  # refused subscriptions were not resent


async def test_the_private_channel_survives_a_reconnect(server: ServeProcess) -> None:
    email = "rita@example.com"
    async with AsyncAurexClient(server.url) as client:
        await client.signup(email, PASSWORD, "Rita", "Moe")
        await client.login(
            email, PASSWORD, second_factor=lambda _: latest_code(Path(server.data_dir) / "mail")
        )
        async with client.stream(max_backoff=0.2) as stream:
            await stream.subscribe("orders")
            await stream.drop_connection()
            await until(stream, lambda e: isinstance(e, ConnectionEvent) and e.reconnect)
            await stream.ping()
            jpm = next(s for s in await client.symbols() if s.symbol == "JPM")
            placed = await client.place_order("JPM", "buy", 3, price=jpm.band_low)
            seen = await until(stream, lambda e: isinstance(e, OrderEvent))
            assert isinstance(seen, OrderEvent)
            assert seen.order.order_id == placed.order.order_id
            assert seen.order.price == jpm.band_low and jpm.band_low > Decimal(0)


def test_the_blocking_client_refreshes_a_token_about_to_end(server: ServeProcess) -> None:
    email, now = "sid@example.com", [1000.0]
    mail = Path(server.data_dir) / "mail"
    with AurexClient(
        server.url, second_factor=lambda _: latest_code(mail), clock=lambda: now[0]
    ) as c:
        c.signup(email, PASSWORD, "Sid", "Lo")
        c.login(email, PASSWORD)
        assert c.session.credentials is not None
        first = c.session.credentials.access_token
        now[0] += 880  # 20 s before the 15 minutes end, on the client's clock
        assert c.account().email == email
        assert c.session.credentials.access_token != first
        with httpx.Client(base_url=server.url) as raw:
            stale = raw.get("/api/account", headers={"Authorization": f"Bearer {first}"})
        assert stale.status_code == 401 and stale.json()["code"] == 1033
