"""gRPC order-entry benchmark: unary round trips and the bidirectional OrderEntry stream.

Measures against a running ``aurex serve`` (fsync durability when started by
``start_aurex``): every answer is sent only once the order is durable.

* ``grpc_unary_p50_us`` / ``grpc_unary_p99_us``: one client, one ``SubmitOrder`` at a
  time (latency as the client sees it, client stack included).
* ``grpc_stream_orders_per_s``: ``streams`` OrderEntry streams in loader processes,
  each keeping ``window`` orders in flight, sent ``batch`` orders per stream message;
  acknowledged (durable) orders per second.

Orders are IOC buys of one share at the symbol's lowest allowed price: on an empty
book each is accepted, journalled and ends at once (nothing rests, no cash stays
held), so a run can send any number of them.

``bench/gateways.py`` runs it as its gRPC phase::

    grpc = run_grpc(server.grpc_target, users)   # users: logged-in gateway_users.User
    grpc["grpc_unary_p50_us"], grpc["grpc_unary_p99_us"], grpc["grpc_stream_orders_per_s"]

Alone: ``python bench/gateway_grpc.py`` starts its own server and prints one JSON line.
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
from pathlib import Path
from typing import Any

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.gateways.grpc import stock_service_pb2 as pb
from aurex.gateways.grpc import stock_service_pb2_grpc as pb_grpc
from gateway_servers import start_aurex
from gateway_stats import percentile
from gateway_users import User, traders

SYMBOL = "NVDA"


def metadata(user: User) -> tuple[tuple[str, str], ...]:
    """The call metadata that authenticates ``user``'s order entry."""
    return (
        ("authorization", f"Bearer {user.access_token}"),
        ("x-trading-token", user.trading_token),
    )


def _order(n: int, price_ticks: int) -> pb.OrderRequest:
    return pb.OrderRequest(
        order_id=f"g{n}",
        symbol=SYMBOL,
        side=pb.BUY,
        type=pb.IOC,
        quantity=1,
        price_ticks=price_ticks,
    )


async def lowest_price(target: str) -> int:
    """The symbol's band low in ticks, read from the public index snapshot's neighbour:
    the engine refuses prices outside the band, so the benchmark asks GetMarketIndex
    for the last price and stays 10% below it (inside a 20% band)."""
    async with grpc.aio.insecure_channel(target) as channel:
        index = await pb_grpc.StockServiceStub(channel).GetMarketIndex(pb.MarketIndexRequest())
    last = next(c.last_price_ticks for c in index.constituents if c.symbol == SYMBOL)
    return last * 9 // 10


async def measure_unary(target: str, user: User, count: int, price_ticks: int) -> dict[str, Any]:
    latencies: list[int] = []
    errors: dict[str, int] = {}
    async with grpc.aio.insecure_channel(target) as channel:
        stub = pb_grpc.StockServiceStub(channel)
        for n in range(count // 10):  # warm up the channel and the server's code paths
            await stub.SubmitOrder(_order(-n - 1, price_ticks), metadata=metadata(user))
        for n in range(count):
            request = _order(n, price_ticks)
            t0 = time.perf_counter_ns()
            try:
                await stub.SubmitOrder(request, metadata=metadata(user))
            except grpc.aio.AioRpcError as exc:
                errors[exc.code().name] = errors.get(exc.code().name, 0) + 1
                continue
            latencies.append((time.perf_counter_ns() - t0) // 1000)
    latencies.sort()
    return {
        "p50_us": percentile(latencies, 0.50),
        "p99_us": percentile(latencies, 0.99),
        "count": len(latencies),
        "errors": errors,
    }


async def _stream_load(
    target: str,
    users: list[User],
    streams: int,
    window: int,
    batch: int,
    seconds: float,
    price: int,
) -> dict[str, Any]:
    acked = 0
    rejected = 0
    measuring = False

    async def one(n: int) -> None:
        nonlocal acked, rejected
        user = users[n % len(users)]
        async with grpc.aio.insecure_channel(target) as channel:
            call = pb_grpc.StockServiceStub(channel).OrderEntry(metadata=metadata(user))
            room = asyncio.Semaphore(window // batch)  # batches in flight
            stop = asyncio.Event()

            async def write() -> None:
                i = 0
                while not stop.is_set():
                    await room.acquire()
                    requests = []
                    for _ in range(batch):
                        i += 1
                        submit = _order(n * 10**9 + i, price)
                        requests.append(pb.OrderEntryRequest(request_id=i, submit=submit))
                    await call.write(pb.OrderEntryBatch(requests=requests))
                await call.done_writing()

            writer = asyncio.create_task(write())
            deadline = time.perf_counter() + seconds + 1.0
            answered = 0
            while time.perf_counter() < deadline:
                message = await call.read()
                if message is grpc.aio.EOF:
                    break
                for response in message.responses:
                    answered += 1
                    if answered % batch == 0:
                        room.release()
                    if measuring:
                        if response.code:
                            rejected += 1
                        else:
                            acked += 1
            stop.set()
            room.release()
            call.cancel()
            writer.cancel()

    tasks = [asyncio.create_task(one(n)) for n in range(streams)]
    await asyncio.sleep(1.0)  # warm-up: connect, authenticate, fill the windows
    measuring = True
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    measuring = False
    elapsed = time.perf_counter() - started
    counted = acked
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"acked": counted, "rejected": rejected, "seconds": elapsed}


def _stream_loader(
    args: tuple[str, list[User], int, int, int, float, int],
) -> dict[str, Any]:
    return asyncio.run(_stream_load(*args))


def measure_stream(
    target: str,
    users: list[User],
    *,
    procs: int,
    streams: int,
    window: int,
    batch: int,
    seconds: float,
    price_ticks: int,
) -> dict[str, Any]:
    shares = [
        (
            target,
            users[i::procs] or users,
            max(1, streams // procs),
            window,
            batch,
            seconds,
            price_ticks,
        )
        for i in range(procs)
    ]
    with mp.get_context("spawn").Pool(procs) as pool:
        results = pool.map(_stream_loader, shares)
    acked = sum(r["acked"] for r in results)
    seconds_measured = max(r["seconds"] for r in results)
    return {
        "per_s": acked / seconds_measured,
        "acked": acked,
        "rejected": sum(r["rejected"] for r in results),
    }


def run_grpc(
    target: str,
    users: list[User],
    *,
    unary_orders: int = 2000,
    seconds: float = 5.0,
    procs: int = 1,
    streams: int = 4,
    window: int = 2048,
    batch: int = 64,
) -> dict[str, Any]:
    """Both measurements against ``target`` (host:port) with logged-in ``users``."""
    price = asyncio.run(lowest_price(target))
    unary = asyncio.run(measure_unary(target, users[0], unary_orders, price))
    stream = measure_stream(
        target,
        users,
        procs=procs,
        streams=streams,
        window=window,
        batch=batch,
        seconds=seconds,
        price_ticks=price,
    )
    return {
        "grpc_unary_p50_us": unary["p50_us"],
        "grpc_unary_p99_us": unary["p99_us"],
        "grpc_unary_count": unary["count"],
        "grpc_unary_errors": unary["errors"],
        "grpc_stream_orders_per_s": round(stream["per_s"], 1),
        "grpc_stream_rejected": stream["rejected"],
        "grpc_streams": streams,
        "grpc_stream_window": window,
        "grpc_stream_batch": batch,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--unary-orders", type=int, default=2000)
    parser.add_argument("--procs", type=int, default=1, help="stream loader processes")
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--window", type=int, default=2048, help="orders in flight per stream")
    parser.add_argument("--batch", type=int, default=64, help="orders per stream message")
    parser.add_argument("--users", type=int, default=4)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="aurex-bench-grpc-") as tmp,
        start_aurex(Path(tmp) / "aurex") as server,
    ):
        users = asyncio.run(traders(server, args.users, "grpc", 0))
        cpu = server.cpu_seconds()
        result = run_grpc(
            server.grpc_target,
            users,
            unary_orders=args.unary_orders,
            seconds=args.seconds,
            procs=args.procs,
            streams=args.streams,
            window=args.window,
            batch=args.batch,
        )
        result["server_cpu_s"] = round(server.cpu_seconds() - cpu, 2)
    result["cores"] = os.cpu_count()
    result["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
