"""WebSocket side of bench/gateways.py: subscriber processes counting what they receive,
and the market driver that makes the book and the tape move through REST.

Subscribers are plain ``websockets`` connections with msgspec decoding (no typed
client objects): the benchmark measures the server's fan-out, so the receiving side
must stay cheap. Each item inside a message counts as one update.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import websockets

from aurex.client import AsyncAurexClient, websocket_url
from gateway_load import loaded, raw_jobs, run_loader
from gateway_profile import profiled
from gateway_servers import ChildServer
from gateway_stats import histogram_percentile
from gateway_users import User, client_for

_decoder = msgspec.json.Decoder()


class Tally:
    """What one subscriber process received inside the measuring window."""

    def __init__(self) -> None:
        self.start_at = float("inf")
        self.end_at = float("inf")
        self.updates = 0
        self.messages = 0
        self.latency_ms: Counter[int] = Counter()
        self.trades_seen = 0
        self.closed: Counter[str] = Counter()

    def count(self, raw: str | bytes) -> None:
        """Count the items of a message received inside the window, and the latency of
        every trade made inside the window (even if it arrives after it)."""
        now = time.time()
        message = _decoder.decode(raw)
        kind = message.get("type")
        if kind == "trades":
            trades = message["trades"]
            now_ms = now * 1000
            start_ms, end_ms = self.start_at * 1000, self.end_at * 1000
            self.trades_seen += len(trades)
            for trade in trades:
                if start_ms <= trade["timestamp"] < end_ms:
                    self.latency_ms[max(0, int(now_ms - trade["timestamp"]))] += 1
            items = len(trades)
        elif kind == "book":
            items = len(message["changes"]) if message.get("kind") == "delta" else 1
        elif kind == "ticker":
            items = 1
        else:
            return
        if self.start_at <= now < self.end_at:
            self.messages += 1
            self.updates += items


async def _subscriber(
    url: str, symbol: str, tally: Tally, ready: asyncio.Queue[bool], gate: asyncio.Semaphore
) -> None:
    try:
        async with gate:  # a bounded number of handshakes at a time
            ws = await websockets.connect(url, max_size=2**24, open_timeout=120)
            for n, channel in enumerate(("book", "trades", "ticker"), 1):
                request = {"op": "subscribe", "channel": channel, "symbol": symbol, "id": n}
                await ws.send(msgspec.json.encode(request).decode())
            acks = 0
            while acks < 3:
                acks += _decoder.decode(await ws.recv()).get("type") == "subscribed"
        ready.put_nowait(True)
        async with ws:
            async for raw in ws:
                tally.count(raw)
        tally.closed[f"{ws.close_code} {ws.close_reason}"] += 1
    except (OSError, websockets.WebSocketException, TimeoutError) as exc:
        tally.closed[f"{type(exc).__name__}: {str(exc)[:60]}"] += 1
        ready.put_nowait(False)


def subscriber_process(url: str, symbol: str, clients: int, pipe: Any) -> None:
    """Open ``clients`` subscribers, report readiness, count between the start and end
    times the parent sends, then send back the tally (runs in a child process)."""
    asyncio.run(_subscriber_main(url, symbol, clients, pipe))


async def _subscriber_main(url: str, symbol: str, clients: int, pipe: Any) -> None:
    tally = Tally()
    ready: asyncio.Queue[bool] = asyncio.Queue()
    gate = asyncio.Semaphore(32)
    tasks = [
        asyncio.create_task(_subscriber(url, symbol, tally, ready, gate)) for _ in range(clients)
    ]
    connected = 0
    for _ in range(clients):
        connected += await ready.get()
    pipe.send(connected)
    tally.start_at, tally.end_at = await asyncio.to_thread(pipe.recv)
    await asyncio.sleep(max(0.0, tally.end_at - time.time()) + 2.0)  # late trades' latency
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    pipe.send(
        {
            "updates": tally.updates,
            "messages": tally.messages,
            "latency_ms": dict(tally.latency_ms),
            "trades_seen": tally.trades_seen,
            "closed": dict(tally.closed),
        }
    )


async def drive_market(
    pairs: list[tuple[AsyncAurexClient, AsyncAurexClient]],
    symbol: str,
    price: Decimal,
    loops: int,
    seconds: float,
    levels: int = 5,
) -> dict[str, int]:
    """``loops`` concurrent loops, each step: one account rests a 1-share sell on each of
    ``levels`` price levels (concurrently), the other sweeps them with one IOC buy. The
    roles alternate so cash and shares flow back and forth."""
    done = Counter[str]()
    deadline = time.monotonic() + seconds

    async def loop(a: AsyncAurexClient, b: AsyncAurexClient) -> None:
        step = 0
        while time.monotonic() < deadline:
            maker, taker = (a, b) if step % 2 == 0 else (b, a)
            step += 1
            prices = [price + Decimal(n) / 100 for n in range(levels)]
            try:
                await asyncio.gather(
                    *(maker.place_order(symbol, "sell", 1, price=p) for p in prices)
                )
                taken = await taker.place_order(
                    symbol, "buy", levels, price=prices[-1], time_in_force="ioc"
                )
                done["trades"] += len(taken.fills)
                done["orders"] += levels + 1
            except Exception as exc:  # counted and shown, not fatal to the benchmark
                done[f"error {type(exc).__name__}"] += 1

    await asyncio.gather(*(loop(*pairs[n % len(pairs)]) for n in range(loops)))
    return dict(done)


def run_ws(
    server: ChildServer,
    market: list[User],
    clients: int,
    procs: int,
    loops: int,
    seconds: float,
    price: Decimal,
    churners: list[User],
    churn: int,
    profile: Path | None,
    symbol: str,
    lead: float = 3.0,
) -> dict[str, Any]:
    """Fan-out to ``clients`` subscribers while the market moves: ``market`` users trade
    (``loops`` steps at a time, through ``aurex.client``) and ``churn`` lean-loader
    connections of ``churners`` add resting bids. The CPU time and the profile cover
    the measuring window only (not the connection set-up)."""
    ctx = mp.get_context("spawn")
    links = []
    for i in range(procs):
        parent, child = ctx.Pipe()
        share = clients // procs + (1 if i < clients % procs else 0)
        process = ctx.Process(
            target=subscriber_process, args=(websocket_url(server.url), symbol, share, child)
        )
        process.start()
        links.append((process, parent))
    connected = sum(int(parent.recv()) for _, parent in links)
    start_at = time.time() + lead  # time for the churn loader process to start
    for _, parent in links:
        parent.send((start_at, start_at + seconds))
    # resting bids below the market, as fast as a lean loader can send them: book churn
    churn_prices = [str(price - Decimal(k) / 100) for k in range(1, 51)]
    jobs = raw_jobs(server.url, churners, churn, start_at, seconds, symbol, churn_prices, 1)
    churn_pool = ctx.Pool(1)
    churned = churn_pool.map_async(run_loader, jobs)
    time.sleep(max(0.0, start_at - 0.5 - time.time()))
    cpu, waited, wall = server.cpu_seconds(), server.cpu_wait_seconds(), time.monotonic()
    with profiled(server.process.pid, seconds + 1.0, profile):
        driven = asyncio.run(_drive(server.url, market, loops, seconds + 1.0, price, symbol))
    wall = time.monotonic() - wall
    cpu_share = (server.cpu_seconds() - cpu) / wall
    wait_share = (server.cpu_wait_seconds() - waited) / wall
    tallies = [parent.recv() for _, parent in links]
    book_churn = loaded(churned.get(), seconds)
    churn_pool.close()
    for process, _ in links:
        process.join(timeout=30)
    latency: dict[int, int] = {}
    closed: dict[str, int] = {}
    for tally in tallies:
        for ms, n in tally["latency_ms"].items():
            latency[int(ms)] = latency.get(int(ms), 0) + n
        for why, n in tally["closed"].items():
            closed[why] = closed.get(why, 0) + n
    updates = sum(t["updates"] for t in tallies)
    return {
        "clients": connected,
        "updates": updates,
        "messages": sum(t["messages"] for t in tallies),
        "per_s": updates / seconds,
        "latency_p50_ms": histogram_percentile(latency, 0.50),
        "latency_p99_ms": histogram_percentile(latency, 0.99),
        "driven": driven,
        "closed": closed,
        "server_cpu_share": cpu_share,
        "trades_received": sum(t["trades_seen"] for t in tallies),
        "server_wait_share": wait_share,
        "churn": book_churn,
    }


async def _drive(
    url: str, market: list[User], loops: int, seconds: float, price: Decimal, symbol: str
) -> dict[str, int]:
    clients = [client_for(url, user, 8) for user in market]
    try:
        pairs = list(zip(clients[0::2], clients[1::2], strict=True))
        return await drive_market(pairs, symbol, price, loops, seconds)
    finally:
        for client in clients:
            await client.aclose()
