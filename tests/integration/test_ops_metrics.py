"""``/metrics`` is valid Prometheus exposition and its counters and histograms move
while people trade: the platform serves real sockets, orders go through REST."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import websockets

from aurex.bootstrap import Platform
from aurex.config import Settings
from aurex.core.commands import Deposit

from .ops_support import names, new_user, place, scrape, total, value
from .serve_process import free_port


@asynccontextmanager
async def running(tmp_path: Path, **settings: object) -> AsyncIterator[Platform]:
    platform = Platform(
        Settings(
            data_dir=tmp_path / "var",
            http_port=free_port(),
            grpc_port=free_port(),
            tcp_port=free_port(),
            snapshot_every=25,
            **settings,  # type: ignore[arg-type]
        )
    )
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


async def test_metrics_parse_and_move_while_trading(tmp_path: Path) -> None:
    async with running(tmp_path) as platform:
        url = platform.http_url
        mail_dir = tmp_path / "var" / "mail"
        with httpx.Client(base_url=url, timeout=10) as client:
            before = await asyncio.to_thread(scrape, client)
            seller = await asyncio.to_thread(new_user, client, mail_dir, "sal@example.com")
            buyer = await asyncio.to_thread(new_user, client, mail_dir, "bea@example.com")
            deposit = Deposit(account=seller.user_id, symbol="AAPL", shares=100)
            assert (await platform.engine.submit(deposit)).rejection is None

            async with websockets.connect(url.replace("http", "ws") + "/ws") as ws:

                def orders() -> list[int]:
                    codes = []
                    for _ in range(5):
                        sell = place(client, seller, side="sell", quantity=3, price="230.00")
                        buy = place(client, buyer, side="buy", quantity=3, price="230.00")
                        codes += [sell.status_code, buy.status_code]
                    market = place(client, buyer, type="market", quantity=1, price=None)
                    off_band = place(client, buyer, price="999.00")
                    too_big = place(client, buyer, quantity=10_000_000, price="230.00")
                    return [*codes, market.status_code, off_band.status_code, too_big.status_code]

                statuses = await asyncio.to_thread(orders)
                assert statuses[:10] == [201] * 10
                during = await asyncio.to_thread(scrape, client)
                assert value(during, "aurex_connected_clients", gateway="ws") == 1
                assert value(during, "aurex_connected_clients", gateway="http") >= 2
                await ws.close()
            after = await asyncio.to_thread(scrape, client)
            # A snapshot is written by a forked child in the background: its metrics
            # appear once the child is done, which a loaded machine may delay.
            for _ in range(100):
                if total(after, "aurex_snapshot_seconds_count") >= 1:
                    break
                await asyncio.sleep(0.1)
                after = await asyncio.to_thread(scrape, client)

    assert {
        "aurex_orders",
        "aurex_rejections",
        "aurex_trades",
        "aurex_order_latency_seconds",
        "aurex_matching_latency_seconds",
        "aurex_sequencer_batch_size",
        "aurex_journal_commit_seconds",
        "aurex_snapshot_seconds",
        "aurex_snapshot_bytes",
        "aurex_projector_lag",
        "aurex_connected_clients",
        "aurex_client_drops",
        "aurex_index_value",
        "aurex_dependency_up",
        "process_resident_memory_bytes",
        "aurex_memory_limit_bytes",
        "aurex_data_dir_free_bytes",
    } <= names(after)

    def moved(name: str, **labels: str) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert moved("aurex_orders_total", type="limit", result="accepted") == 10
    assert moved("aurex_orders_total", type="market", result="accepted") == 1
    assert moved("aurex_orders_total", result="rejected") == 2
    assert moved("aurex_rejections_total", code="106") == 1  # price outside the band
    assert moved("aurex_trades_total") == 5
    assert moved("aurex_traded_shares_total") == 15
    assert moved("aurex_order_latency_seconds_count", command="PlaceOrder") == 13
    assert moved("aurex_matching_latency_seconds_count") >= 13
    assert moved("aurex_sequencer_batch_size_count") >= 1
    assert moved("aurex_journal_commit_seconds_count") >= 1
    assert moved("aurex_journal_commit_seconds_sum") > 0
    assert total(after, "aurex_snapshot_seconds_count") >= 1  # every 25 commands
    assert value(after, "aurex_snapshot_bytes") > 0
    assert value(after, "aurex_durable_seq") > value(before, "aurex_durable_seq")
    assert value(after, "aurex_index_value") > 0
    assert value(after, "aurex_dependency_up", check="database") == 1
    assert value(after, "aurex_dependency_up", check="stores") == 1
    assert value(after, "process_resident_memory_bytes") > 0


async def test_metrics_token_guards_the_endpoint(tmp_path: Path) -> None:
    async with (
        running(tmp_path, metrics_token="scrape-secret") as platform,
        httpx.AsyncClient(base_url=platform.http_url) as client,
    ):
        missing = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        right = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert missing.status_code == wrong.status_code == 401
    assert missing.json()["code"] == 1030
    assert right.status_code == 200 and "aurex_orders" in right.text
