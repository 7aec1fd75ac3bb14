"""A lean HTTP/1.1 load generator for bench/gateways.py.

On this machine httpx spends about 1 ms of CPU per request, so a loader built on it
(or on ``aurex.client``) measures itself, not the server. This one writes each
request as bytes on a keep-alive connection and reads the answer's status line,
``content-length`` and body, nothing more (the way wrk does). ``run_loader`` runs in
a loader process; each connection has one request in flight.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from gateway_stats import percentile
from gateway_users import User, address

ORDERS = "/api/trading/orders"


@dataclass(frozen=True, slots=True)
class Target:
    """Who sends (tokens, source address) and what (orders, or echo bodies)."""

    host: str
    port: int
    path: str
    address: str
    access_token: str = ""
    trading_token: str = ""


def order_request(target: Target, client_order_id: str, symbol: str, price: str) -> bytes:
    body = (
        f'{{"clientOrderId":"{client_order_id}","symbol":"{symbol}","side":"buy",'
        f'"type":"limit","quantity":1,"price":"{price}"}}'
    ).encode()
    head = (
        f"POST {target.path} HTTP/1.1\r\nhost: {target.host}:{target.port}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
    )
    if target.access_token:
        head += f"authorization: Bearer {target.access_token}\r\n"
        head += f"x-trading-token: {target.trading_token}\r\n"
    return (head + "\r\n").encode() + body


async def _connection(
    target: Target,
    tag: str,
    symbol: str,
    prices: list[str],
    deadline: float,
    latencies: list[int],
    statuses: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection(
        target.host, target.port, local_addr=(target.address, 0)
    )
    n = 0
    try:
        while time.perf_counter() < deadline:
            n += 1
            request = order_request(target, f"{tag}-{n}", symbol, prices[n % len(prices)])
            t0 = time.perf_counter_ns()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append((time.perf_counter_ns() - t0) // 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if head[:12].endswith(b"429") or b"connection: close" in head.lower():
                break
    finally:
        writer.close()


def run_loader(args: tuple[list[Target], int, float, float, str, list[str], str]) -> dict[str, Any]:
    """Loader process: ``in_flight`` connections over ``targets`` (round robin), sending
    from ``start_at`` (epoch seconds) for ``seconds``."""
    targets, in_flight, start_at, seconds, symbol, prices, tag = args
    return asyncio.run(_load(targets, in_flight, start_at, seconds, symbol, prices, tag))


async def _load(
    targets: list[Target],
    in_flight: int,
    start_at: float,
    seconds: float,
    symbol: str,
    prices: list[str],
    tag: str,
) -> dict[str, Any]:
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    await asyncio.sleep(max(0.0, start_at - time.time()))
    deadline = time.perf_counter() + seconds
    cpu = time.process_time()
    results = await asyncio.gather(
        *(
            _connection(
                targets[i % len(targets)],
                f"{tag}{i}",
                symbol,
                prices,
                deadline,
                latencies,
                statuses,
            )
            for i in range(in_flight)
        ),
        return_exceptions=True,
    )
    failures = [repr(r)[:100] for r in results if isinstance(r, BaseException)]
    return {
        "latencies_us": latencies,
        "statuses": statuses,
        "failures": failures,
        "cpu_s": time.process_time() - cpu,
    }


# -- users ----------------------------------------------------------------------------


def raw_jobs(
    url: str,
    users: list[User],
    in_flight: int,
    start_at: float,
    seconds: float,
    symbol: str,
    prices: list[str],
    procs: int,
) -> list[tuple[Any, ...]]:
    """Work for ``procs`` lean loader processes: ``in_flight`` connections in all, each
    with one order (or, without users, one echo request) outstanding."""
    host, port = url.removeprefix("http://").split(":")
    if users:
        targets = [
            Target(host, int(port), ORDERS, u.address, u.access_token, u.trading_token)
            for u in users
        ]
    else:
        targets = [Target(host, int(port), "/echo", address(n)) for n in range(in_flight)]
    return [
        (targets[i::procs], in_flight // procs, start_at, seconds, symbol, prices, f"{symbol}{i}c")
        for i in range(procs)
    ]


def loaded(results: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """The loader processes' results as one: accepted/s, latency, statuses."""
    latencies = sorted(x for r in results for x in r["latencies_us"])
    statuses: dict[int, int] = {}
    for r in results:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    accepted = sum(n for status, n in statuses.items() if status in (200, 201))
    return {
        "per_s": accepted / seconds,
        "count": accepted,
        "p50_us": percentile(latencies, 0.50),
        "p99_us": percentile(latencies, 0.99),
        "statuses": statuses,
        "failures": [f for r in results for f in r["failures"]][:5],
        "loader_cpu_us": sum(r["cpu_s"] for r in results) / max(1, len(latencies)) * 1e6,
    }
