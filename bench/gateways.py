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
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.client import AsyncAurexClient, Tokens, websocket_url
from gateway_load import Target, run_loader
from gateway_profile import profiled, summarize
from gateway_servers import (
    PASSWORD,
    ChildServer,
    deposit_shares,
    mailed_code,
    max_open_files,
    start_aurex,
    start_echo,
)
from gateway_ws import drive_market, subscriber_process

SYMBOL = "NVDA"
"""Symbol of the REST load (cheapest, so opening cash buys many resting orders)."""
ORDERS = "/api/trading/orders"
WS_SYMBOL = "AAPL"
"""Symbol the market driver trades and every WebSocket subscriber watches."""


@dataclass(frozen=True, slots=True)
class User:
    email: str
    user_id: str
    address: str
    access_token: str
    trading_token: str


def percentile(sorted_values: list[int], q: float) -> int:
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


# -- users ----------------------------------------------------------------------------


def _address(n: int) -> str:
    return f"127.0.{n // 250}.{n % 250 + 2}"


async def sign_up(server: ChildServer, count: int, prefix: str, first: int) -> list[User]:
    """``count`` new users, each from its own loopback address (sign-up, login and
    trading limits are per address and per user)."""
    users: list[User] = []
    for i in range(count):
        address, email = _address(first + i), f"{prefix}{i}@bench.example"
        async with AsyncAurexClient(server.url, local_address=address) as client:
            signed = await client.signup(email, PASSWORD, "Bench", "User")
        users.append(User(email, signed.user_id, address, "", ""))
    return users


async def log_in(server: ChildServer, users: list[User]) -> list[User]:
    """The users with tokens of a fresh login (second factor: the mailed code)."""
    done: list[User] = []
    for user in users:
        async with AsyncAurexClient(server.url, local_address=user.address) as client:
            code = lambda _kind, e=user.email: mailed_code(server.mail_dir, e)  # noqa: E731
            tokens = await client.login(user.email, PASSWORD, second_factor=code)
        done.append(
            User(user.email, user.user_id, user.address, tokens.session_token, tokens.trading_token)
        )
    return done


def client_for(url: str, user: User, connections: int) -> AsyncAurexClient:
    client = AsyncAurexClient(url, local_address=user.address, max_connections=connections)
    client.session.adopt(
        Tokens(
            success=True,
            session_token=user.access_token,
            trading_token=user.trading_token,
            expires_in=900,
            trading_expires_in=28_800,
        )
    )
    return client


# -- REST load --------------------------------------------------------------------------


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
        targets = [Target(host, int(port), "/echo", _address(n)) for n in range(in_flight)]
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


# -- WebSocket fan-out ----------------------------------------------------------------


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
            target=subscriber_process, args=(websocket_url(server.url), WS_SYMBOL, share, child)
        )
        process.start()
        links.append((process, parent))
    connected = sum(int(parent.recv()) for _, parent in links)
    start_at = time.time() + 3.0
    for _, parent in links:
        parent.send((start_at, start_at + seconds))
    # resting bids below the market, as fast as a lean loader can send them: book churn
    churn_prices = [str(price - Decimal(k) / 100) for k in range(1, 51)]
    jobs = raw_jobs(server.url, churners, churn, start_at, seconds, WS_SYMBOL, churn_prices, 1)
    churn_pool = ctx.Pool(1)
    churned = churn_pool.map_async(run_loader, jobs)
    time.sleep(max(0.0, start_at - 0.5 - time.time()))
    cpu, waited, wall = server.cpu_seconds(), server.cpu_wait_seconds(), time.monotonic()
    with profiled(server.process.pid, seconds + 1.0, profile):
        driven = asyncio.run(_drive(server.url, market, loops, seconds + 1.0, price))
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
        "latency_p50_ms": _histogram_percentile(latency, 0.50),
        "latency_p99_ms": _histogram_percentile(latency, 0.99),
        "driven": driven,
        "closed": closed,
        "server_cpu_share": cpu_share,
        "server_wait_share": wait_share,
        "churn": book_churn,
    }


async def _drive(
    url: str, market: list[User], loops: int, seconds: float, price: Decimal
) -> dict[str, int]:
    clients = [client_for(url, user, 8) for user in market]
    try:
        pairs = list(zip(clients[0::2], clients[1::2], strict=True))
        return await drive_market(pairs, WS_SYMBOL, price, loops, seconds)
    finally:
        for client in clients:
            await client.aclose()


def _histogram_percentile(histogram: dict[int, int], q: float) -> int:
    total = sum(histogram.values())
    if not total:
        return 0
    rank, seen = q * total, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


# -- main -----------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="REST measuring window")
    parser.add_argument("--clients", type=int, default=64, help="REST orders in flight")
    parser.add_argument("--loaders", type=int, default=2, help="REST loader processes")
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
        f"  market: trades via aurex.client {ws['driven']}; resting bids via the lean loader "
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
