"""Gateway benchmark: REST order entry and WebSocket fan-out of a real ``aurex serve``.

Starts ``aurex serve`` as a child process (fsync durability, a temporary data dir),
creates users through the Python client (``aurex.client``), then measures:

* REST: ``--clients`` orders in flight (spread over loader processes and users), each a
  ``POST /api/trading/orders`` answered only once the order is durable (fsync). Reports
  orders/s and p50/p99 latency as the client sees it.
* WebSocket: ``--ws-clients`` subscribers (in subscriber processes) on the book, trades
  and ticker of one symbol while a maker and a taker trade it through REST. Every item
  inside a message counts as one update: a book change, a trade, a ticker, a snapshot.
  Latency is trade time (engine timestamp, ms resolution) to receipt by a subscriber.
* Baseline, same run, same loader: a bare FastAPI/uvicorn JSON echo endpoint.

Prints a table and ends with one JSON line. Never asserts timings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.client import AsyncAurexClient
from gateway_load import loaded, percentile, raw_jobs, run_loader
from gateway_profile import profiled, summarize
from gateway_servers import deposit_shares, max_open_files, start_aurex, start_echo
from gateway_users import User, client_for, log_in, sign_up
from gateway_ws import run_ws

SYMBOL = "NVDA"
"""Symbol of the REST load (cheapest, so opening cash buys many resting orders)."""
WS_SYMBOL = "AAPL"
"""Symbol the market driver trades and every WebSocket subscriber watches."""


# -- REST load --------------------------------------------------------------------------


def run_raw(
    url: str, users: list[User], in_flight: int, seconds: float, prices: list[str], procs: int
) -> dict[str, Any]:
    jobs = raw_jobs(url, users, in_flight, time.time() + 3, seconds, SYMBOL, prices, procs)
    with mp.get_context("spawn").Pool(procs) as pool:
        return loaded(pool.map(run_loader, jobs), seconds)


def run_client(
    url: str, users: list[User], in_flight: int, seconds: float, low: Decimal
) -> dict[str, Any]:
    """The same orders through ``AsyncAurexClient`` (httpx), in this process."""
    return asyncio.run(_client_load(url, users, in_flight, seconds, low))


async def _client_load(
    url: str, users: list[User], in_flight: int, seconds: float, low: Decimal
) -> dict[str, Any]:
    clients = [client_for(url, u, max(1, in_flight // len(users))) for u in users]
    latencies: list[int] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds
    cpu = time.process_time()

    async def worker(n: int) -> None:
        client = clients[n % len(clients)]
        i = 0
        while time.perf_counter() < deadline:
            i += 1
            t0 = time.perf_counter_ns()
            try:
                await client.place_order(SYMBOL, "buy", 1, price=low + Decimal(i % 50) / 100)
            except Exception as exc:  # counted and shown, not fatal to the benchmark
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                continue
            latencies.append((time.perf_counter_ns() - t0) // 1000)

    await asyncio.gather(*(worker(n) for n in range(in_flight)))
    cpu = time.process_time() - cpu
    for client in clients:
        await client.aclose()
    latencies.sort()
    return {
        "per_s": len(latencies) / seconds,
        "p50_us": percentile(latencies, 0.50),
        "p99_us": percentile(latencies, 0.99),
        "errors": errors,
        "client_cpu_us": cpu / max(1, len(latencies)) * 1e6,
    }


# -- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="REST measuring window")
    parser.add_argument("--clients", type=int, default=64, help="REST orders in flight")
    parser.add_argument("--loaders", type=int, default=1, help="REST loader processes")
    parser.add_argument(
        "--client-in-flight", type=int, default=32, help="orders in flight via aurex.client"
    )
    parser.add_argument("--users", type=int, default=32, help="REST trading users")
    parser.add_argument("--ws-clients", type=int, default=1000)
    parser.add_argument("--ws-procs", type=int, default=2, help="subscriber processes")
    parser.add_argument("--ws-seconds", type=float, default=5.0)
    parser.add_argument("--market-loops", type=int, default=8, help="concurrent market steps")
    parser.add_argument("--ws-churn", type=int, default=32, help="book-churn connections")
    parser.add_argument("--profile", type=Path, help="py-spy the server's REST phase into DIR")
    args = parser.parse_args()
    max_open_files()

    with tempfile.TemporaryDirectory(prefix="aurex-bench-") as tmp:
        data = Path(tmp) / "aurex"
        with start_aurex(data) as server:
            rest_users = asyncio.run(sign_up(server, args.users, "rest", 0))
            market = asyncio.run(sign_up(server, 8, "market", 1000))
        grants = [(u.user_id, WS_SYMBOL, 1_000_000) for u in market]
        asyncio.run(deposit_shares(data, grants))

        with start_aurex(data) as server:
            rest_users = asyncio.run(log_in(server, rest_users))
            market = asyncio.run(log_in(server, market))
            low, ws_price = asyncio.run(_prices(server.url))
            pid = server.process.pid
            rest_profile = args.profile / "rest.txt" if args.profile else None
            ws_profile = args.profile / "ws.txt" if args.profile else None
            prices = [str(low + Decimal(k) / 100) for k in range(50)]
            cpu, waited = server.cpu_seconds(), server.cpu_wait_seconds()
            with profiled(pid, args.seconds + 3, rest_profile):
                rest = run_raw(
                    server.url, rest_users, args.clients, args.seconds, prices, args.loaders
                )
            rest_cpu = server.cpu_seconds() - cpu
            rest["server_waited_s"] = server.cpu_wait_seconds() - waited
            client = run_client(server.url, rest_users, args.client_in_flight, args.seconds, low)
            ws = run_ws(
                server,
                market,
                args.ws_clients,
                args.ws_procs,
                args.market_loops,
                args.ws_seconds,
                ws_price,
                rest_users,
                args.ws_churn,
                ws_profile,
                WS_SYMBOL,
            )
            ws_cpu = ws["server_cpu_share"]

        with start_echo(Path(tmp) / "echo") as echo:
            base = run_raw(echo.url, [], args.clients, args.seconds, prices, args.loaders)

    if args.profile:
        print("server profile, REST phase:")
        print(summarize(args.profile / "rest.txt"))
        print("server profile, WebSocket phase:")
        print(summarize(args.profile / "ws.txt"))
    report(args, rest, rest_cpu, client, ws, ws_cpu, base)


async def _prices(url: str) -> tuple[Decimal, Decimal]:
    async with AsyncAurexClient(url) as client:
        listed = {s.symbol: s for s in await client.symbols()}
    return listed[SYMBOL].band_low, listed[WS_SYMBOL].reference_price


def report(
    args: argparse.Namespace,
    rest: dict[str, Any],
    rest_cpu: float,
    client: dict[str, Any],
    ws: dict[str, Any],
    ws_cpu: float,
    base: dict[str, Any],
) -> None:
    ratio = rest["per_s"] / base["per_s"] if base["per_s"] else 0.0
    cpu_per_order = rest_cpu / rest["count"] * 1e6 if rest["count"] else 0.0
    cpu_per_update = ws_cpu / ws["per_s"] * 1e6 if ws["updates"] else 0.0
    rows = [
        (
            "REST place order (fsync)",
            f"{rest['per_s']:,.0f} orders/s",
            f"p50 {rest['p50_us']:,} us",
            f"p99 {rest['p99_us']:,} us",
        ),
        (
            "  server CPU",
            f"{cpu_per_order:,.0f} us/order",
            f"{rest_cpu / (args.seconds + 3):.0%} of a core",
            f"waited {rest['server_waited_s'] / (args.seconds + 3):.0%} for one",
        ),
        ("  loader CPU", f"{rest['loader_cpu_us']:,.0f} us/order", "", ""),
        (
            "baseline: FastAPI echo",
            f"{base['per_s']:,.0f} req/s",
            f"p50 {base['p50_us']:,} us",
            f"p99 {base['p99_us']:,} us",
        ),
        ("REST / baseline", f"{ratio:.2f}", "", ""),
        (
            "REST via AsyncAurexClient",
            f"{client['per_s']:,.0f} orders/s",
            f"p50 {client['p50_us']:,} us",
            f"p99 {client['p99_us']:,} us",
        ),
        ("  client CPU", f"{client['client_cpu_us']:,.0f} us/order", "(httpx + decoding)", ""),
        (
            "WS updates delivered",
            f"{ws['per_s']:,.0f} updates/s",
            f"{ws['clients']} clients",
            f"{ws['messages']:,} msgs",
        ),
        (
            "WS trade -> subscriber",
            f"p50 {ws['latency_p50_ms'] * 1000:,} us",
            f"p99 {ws['latency_p99_ms'] * 1000:,} us",
            "(ms resolution)",
        ),
        (
            "  server CPU",
            f"{cpu_per_update:,.1f} us/update",
            f"{ws_cpu:.0%} of a core",
            f"waited {ws['server_wait_share']:.0%} for one",
        ),
    ]
    print(
        f"Aurex gateways, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"REST: {args.clients} connections, one order in flight each, "
        f"from {args.loaders} loader processes"
    )
    for row in rows:
        print(f"  {row[0]:<26} {row[1]:>20} {row[2]:>22} {row[3]:>22}")
    print("  WS update = one item inside a message: a book change, a trade, a ticker, a snapshot")
    churn = ws["churn"]
    print(
        f"  market: trades via aurex.client {ws['driven']} (subscribers received "
        f"{ws['trades_received']:,}); resting bids via the lean loader "
        f"{churn['per_s']:,.0f}/s {churn['statuses']}"
    )
    print(f"  subscriber connections closed: {ws['closed'] or 'none'}")
    print(f"  REST statuses: {rest['statuses']}; echo statuses: {base['statuses']}")
    for failure in rest["failures"] + base["failures"]:
        print(f"  loader connection failed: {failure}")
    if client["errors"]:
        print(f"  client errors: {client['errors']}")
    print(
        json.dumps(
            {
                "rest_orders_per_s": round(rest["per_s"], 1),
                "rest_order_p50_us": rest["p50_us"],
                "rest_order_p99_us": rest["p99_us"],
                "rest_in_flight": args.clients,
                "rest_server_cpu_us_per_order": round(cpu_per_order, 1),
                "rest_orders_per_server_core_s": round(1e6 / cpu_per_order) if cpu_per_order else 0,
                "rest_client_orders_per_s": round(client["per_s"], 1),
                "ws_updates_per_s": round(ws["per_s"], 1),
                "ws_clients": ws["clients"],
                "ws_latency_p99_us": ws["latency_p99_ms"] * 1000,
                "ws_server_cpu_us_per_update": round(cpu_per_update, 2),
                "ws_updates_per_server_core_s": round(1e6 / cpu_per_update)
                if cpu_per_update
                else 0,
                "baseline_echo_per_s": round(base["per_s"], 1),
                "rest_vs_baseline": round(ratio, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
