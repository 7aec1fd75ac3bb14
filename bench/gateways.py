"""Gateway benchmark: REST, WebSocket, gRPC and binary TCP against ONE real ``aurex serve``.

Starts ``aurex serve`` as a child process (fsync durability, a temporary data dir,
HTTP, gRPC and TCP on free ports), creates users through the Python client
(``aurex.client``) and an administrator through ``aurex admin create-user``, then
runs these phases against it, one after the other:

* rest: ``--clients`` orders in flight (lean loader processes, many users), each a
  ``POST /api/trading/orders`` answered only once the order is durable (fsync):
  orders/s and p50/p99 latency as the client sees it; the same through
  ``AsyncAurexClient``; the baseline: a bare FastAPI/uvicorn JSON echo endpoint with
  the same loader, after the server stops.
* ws: ``--ws-clients`` subscribers (in subscriber processes) on the book, trades and
  ticker of one symbol while market users trade it through REST. Every item inside a
  message counts as one update (a book change, a trade, a ticker, a snapshot).
  Latency: trade time (engine timestamp, ms resolution) to receipt by a subscriber.
* grpc: ``SubmitOrder`` one at a time (p50/p99) and OrderEntry streams (orders/s),
  see bench/gateway_grpc.py.
* tcp: one order at a time (round trip p50/p99) and pipelined (orders/s) over one
  connection, see bench/gateway_tcp.py.

``fsync_p50_us`` (append + fdatasync in the server's data dir: the floor under a
durable round trip) is measured before and after the phases, in the same run.
``--only rest,tcp`` runs a subset (the other keys are null); ``--quick`` uses small
sizes (a smoke run, well under a minute). Prints one table and ends with one JSON
line. Never asserts timings.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.client import AsyncAurexClient
from gateway_grpc import run_grpc
from gateway_load import loaded, raw_jobs, run_loader
from gateway_profile import profiled, summarize
from gateway_report import report
from gateway_servers import ChildServer, create_admin, max_open_files, start_aurex, start_echo
from gateway_stats import fsync_p50_us, percentile
from gateway_tcp import run_tcp
from gateway_users import User, address, client_for, grant_shares, log_in, traders
from gateway_ws import run_ws

SYMBOL = "NVDA"
"""Symbol of the REST load (cheapest, so opening cash buys many resting orders)."""
WS_SYMBOL = "AAPL"
"""Symbol the market driver trades and every WebSocket subscriber watches."""
ADMIN = "admin@bench.example"
PHASES = ("rest", "ws", "grpc", "tcp")

FULL: dict[str, Any] = {
    "seconds": 5.0,
    "clients": 64,
    "loaders": 1,
    "client_in_flight": 32,
    "users": 32,
    "ws_clients": 1000,
    "ws_procs": 2,
    "ws_seconds": 5.0,
    "market_users": 8,
    "market_loops": 8,
    "ws_churn": 32,
    "grpc_unary": 2000,
    "grpc_streams": 4,
    "grpc_users": 4,
    "tcp_rtt": 2000,
    "tcp_pipelined": 100_000,
    "tcp_window": 1000,
    "lead": 3.0,
}
QUICK: dict[str, Any] = FULL | {
    "seconds": 1.0,
    "clients": 8,
    "client_in_flight": 4,
    "users": 4,
    "ws_clients": 20,
    "ws_procs": 1,
    "ws_seconds": 1.0,
    "market_users": 2,
    "market_loops": 2,
    "ws_churn": 4,
    "grpc_unary": 100,
    "grpc_streams": 1,
    "grpc_users": 1,
    "tcp_rtt": 100,
    "tcp_pipelined": 2000,
    "tcp_window": 100,
    "lead": 1.5,
}


# -- REST load --------------------------------------------------------------------------


def run_raw(
    url: str,
    users: list[User],
    in_flight: int,
    seconds: float,
    prices: list[str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Orders (or, without users, echo requests) from the lean loader processes."""
    procs = args.loaders
    start_at = time.time() + args.lead  # the loader processes start meanwhile
    jobs = raw_jobs(url, users, in_flight, start_at, seconds, SYMBOL, prices, procs)
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(PHASES), help="phases: rest,ws,grpc,tcp")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    helps = {
        "seconds": "measuring window of REST and gRPC streams",
        "clients": "REST orders in flight",
        "loaders": "REST loader processes",
        "client_in_flight": "orders in flight via aurex.client",
        "users": "REST trading users",
        "ws_procs": "subscriber processes",
        "market_loops": "concurrent market steps",
        "ws_churn": "book-churn connections",
        "grpc_unary": "unary SubmitOrder calls, one at a time",
        "grpc_streams": "OrderEntry streams",
        "tcp_rtt": "TCP orders one at a time",
        "tcp_pipelined": "TCP pipelined orders",
        "tcp_window": "TCP orders in flight",
        "lead": "seconds for loader processes to start before a window opens",
    }
    for name, default in FULL.items():
        flag = "--" + name.replace("_", "-")
        help_text = f"{helps.get(name, '')} (default {default}; --quick {QUICK[name]})"
        parser.add_argument(flag, type=type(default), default=None, help=help_text.strip())
    parser.add_argument("--uvloop", action="store_true", help="run aurex serve on uvloop")
    parser.add_argument("--profile", type=Path, help="py-spy the server's phases into DIR")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    for name, default in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    args.phases = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases {sorted(unknown)}; choose from {','.join(PHASES)}")
    return args


def main() -> None:
    args = parse_args()
    max_open_files()
    results: dict[str, Any] = {"phases": args.phases, "wall_s": {}}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="aurex-bench-") as tmp:
        data = Path(tmp) / "aurex"
        create_admin(data, ADMIN)
        with start_aurex(data, uvloop=args.uvloop) as server:
            results["wall_s"]["start"] = time.monotonic() - started
            fsync_before = fsync_p50_us(data)
            run_phases(server, args, results)
            fsync_after = fsync_p50_us(data)
        results["fsync"] = {"before": fsync_before, "after": fsync_after}
        if "rest" in args.phases:
            began = time.monotonic()
            prices = [str(Decimal(100) + Decimal(k) / 100) for k in range(50)]
            with start_echo(Path(tmp) / "echo") as echo:
                results["echo"] = run_raw(echo.url, [], args.clients, args.seconds, prices, args)
            results["wall_s"]["echo"] = time.monotonic() - began
    results["wall_s"]["total"] = time.monotonic() - started
    if args.profile:
        for phase in args.phases:
            print(f"server profile, {phase} phase:")
            print(summarize(args.profile / f"{phase}.txt"))
    report(args, results)


def run_phases(server: ChildServer, args: argparse.Namespace, results: dict[str, Any]) -> None:
    """The chosen phases against ``server``, each with the server CPU it took."""
    pid = server.process.pid
    phases = args.phases
    low, ws_price = asyncio.run(_prices(server.url))
    rest_users: list[User] = []
    if "rest" in phases or "ws" in phases:
        rest_users = asyncio.run(traders(server, args.users, "rest", 0))

    def profile(phase: str) -> Path | None:
        return args.profile / f"{phase}.txt" if args.profile else None

    def server_cpu(phase: str, began: tuple[float, float, float]) -> None:
        cpu, waited, wall = began
        wall = time.monotonic() - wall
        results["wall_s"][phase] = wall
        results[f"{phase}_server"] = {
            "cpu_s": server.cpu_seconds() - cpu,
            "waited_s": server.cpu_wait_seconds() - waited,
            "wall_s": wall,
        }

    def now() -> tuple[float, float, float]:
        return server.cpu_seconds(), server.cpu_wait_seconds(), time.monotonic()

    if "rest" in phases:
        prices = [str(low + Decimal(k) / 100) for k in range(50)]
        began = now()
        with profiled(pid, args.seconds + args.lead, profile("rest")):
            results["rest"] = run_raw(
                server.url, rest_users, args.clients, args.seconds, prices, args
            )
        server_cpu("rest", began)
        results["client"] = run_client(
            server.url, rest_users, args.client_in_flight, args.seconds, low
        )
    if "ws" in phases:
        began = now()
        market = asyncio.run(traders(server, args.market_users, "market", 1000))
        [admin] = asyncio.run(log_in(server, [User(ADMIN, "", address(999), "", "")]))
        grants = [(u.user_id, WS_SYMBOL, 1_000_000) for u in market]
        asyncio.run(grant_shares(server, admin, grants))
        results["ws"] = run_ws(
            server,
            market,
            args.ws_clients,
            args.ws_procs,
            args.market_loops,
            args.ws_seconds,
            ws_price,
            rest_users,
            args.ws_churn,
            profile("ws"),
            WS_SYMBOL,
            args.lead,
        )
        results["wall_s"]["ws"] = time.monotonic() - began[2]
    if "grpc" in phases:
        grpc_users = asyncio.run(traders(server, args.grpc_users, "grpc", 2000))
        began = now()
        with profiled(pid, args.seconds + 2, profile("grpc")):
            results["grpc"] = run_grpc(
                server.grpc_target,
                grpc_users,
                unary_orders=args.grpc_unary,
                seconds=args.seconds,
                streams=args.grpc_streams,
            )
        server_cpu("grpc", began)
    if "tcp" in phases:
        [tcp_user] = asyncio.run(traders(server, 1, "tcp", 3000))
        began = now()
        with profiled(pid, args.seconds + 2, profile("tcp")):
            results["tcp"] = run_tcp(
                server,
                tcp_user,
                rtt=args.tcp_rtt,
                pipelined=args.tcp_pipelined,
                window=args.tcp_window,
            )
        server_cpu("tcp", began)


async def _prices(url: str) -> tuple[Decimal, Decimal]:
    async with AsyncAurexClient(url) as client:
        listed = {s.symbol: s for s in await client.symbols()}
    return listed[SYMBOL].band_low, listed[WS_SYMBOL].reference_price


if __name__ == "__main__":
    main()
