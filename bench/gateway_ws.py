"""WebSocket side of bench/gateways.py: subscriber processes counting what they receive,
and the market driver that makes the book and the tape move through REST.

Subscribers are plain ``websockets`` connections with msgspec decoding (no typed
client objects): the benchmark measures the server's fan-out, so the receiving side
must stay cheap. Each item inside a message counts as one update.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from decimal import Decimal
from typing import Any

import msgspec
import websockets

from aurex.client import AsyncAurexClient

_decoder = msgspec.json.Decoder()


class Tally:
    """What one subscriber process received inside the measuring window."""

    def __init__(self) -> None:
        self.start_at = float("inf")
        self.end_at = float("inf")
        self.updates = 0
        self.messages = 0
        self.latency_ms: Counter[int] = Counter()
        self.closed: Counter[str] = Counter()

    def count(self, raw: str | bytes) -> None:
        now = time.time()
        message = _decoder.decode(raw)
        if not self.start_at <= now < self.end_at:
            return
        kind = message.get("type")
        if kind == "book":
            items = len(message["changes"]) if message.get("kind") == "delta" else 1
        elif kind == "trades":
            trades = message["trades"]
            items = len(trades)
            now_ms = now * 1000
            for trade in trades:
                self.latency_ms[max(0, int(now_ms - trade["timestamp"]))] += 1
        elif kind == "ticker":
            items = 1
        else:
            return
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
    await asyncio.sleep(max(0.0, tally.end_at - time.time()) + 0.5)
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
