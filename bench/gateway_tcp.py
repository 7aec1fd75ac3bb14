"""Binary TCP gateway benchmark: durable order round trips against a real ``aurex serve``.

Starts ``aurex serve`` as a child (fsync durability, temporary data dir, its own
HTTP, gRPC and TCP ports), signs a user up and logs in over REST, then over one TCP
connection measures:

* ``tcp_rtt_p50_us`` / ``tcp_rtt_p99_us``: one order at a time, from writing the
  ORDER_SUBMIT to reading its ORDER_RESPONSE (sent only once the order is durable);
* ``tcp_pipelined_orders_per_s``: ``--window`` orders in flight, each answer
  releasing the next, durable acknowledgements counted over ``--pipelined`` orders;
* ``fsync_p50_us``: a 128-byte append + ``os.fdatasync`` (what the journal does per
  batch) in the server's data directory, before and after the load, in the same run:
  the floor under any durable round trip.

Orders are immediate-or-cancel limit buys below the market: each is sequenced,
journalled and answered but none rests, so the book and the account stay the same
size however long the run. Prints a table and one JSON line; never asserts timings.

    .venv/bin/python bench/gateway_tcp.py [--rtt 2000] [--pipelined 100000] [--window 1000]
        [--uvloop] [--profile /tmp/tcp.raw]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import cast

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.client import AsyncAurexClient
from aurex.gateways.tcp.server import loop_factory
from gateway_profile import profiled, summarize
from gateway_servers import PASSWORD, free_port, mailed_code, max_open_files

SYMBOL = "NVDA"
HEADER = struct.Struct("<IB")
SUBMIT = struct.Struct("<QBBBBBqqq")
LIMIT, BUY, IOC = 1, 0, 2


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def fsync_p50_us(directory: Path, samples: int = 500) -> float:
    path = directory / "fsync-probe"
    times: list[float] = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        record = b"x" * 128
        for _ in range(samples):
            start = time.perf_counter_ns()
            os.write(fd, record)
            os.fdatasync(fd)
            times.append((time.perf_counter_ns() - start) / 1000)
    finally:
        os.close(fd)
        path.unlink()
    return percentile(times, 0.5)


@contextmanager
def serve(data_dir: Path, uvloop: bool = False) -> Iterator[tuple[str, int, str, int]]:
    """``aurex serve --no-console`` with fsync durability; yields (host, tcp port, url, pid)."""
    http_port, tcp_port = free_port(), free_port()
    env = os.environ | {
        "AUREX_DATA_DIR": str(data_dir),
        "AUREX_HTTP_PORT": str(http_port),
        "AUREX_TCP_PORT": str(tcp_port),
        "AUREX_GRPC_PORT": str(free_port()),
        "AUREX_DURABILITY": "fsync",
    }
    log = (data_dir / "server.log").open("ab")
    argv = [sys.executable, "-m", "aurex.cli", "serve", "--no-console"]
    if uvloop:  # the same command, on uvloop's event loop
        run = "import sys, uvloop; uvloop.install(); from aurex.cli import main; sys.exit(main())"
        argv = [sys.executable, "-c", run, "serve", "--no-console"]
    child = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if child.poll() is not None:
                raise RuntimeError(f"aurex serve exited; see {data_dir / 'server.log'}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("aurex serve did not answer within 60 s")
            time.sleep(0.1)
        yield "127.0.0.1", tcp_port, url, child.pid
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        log.close()


async def tokens(url: str, mail_dir: Path) -> tuple[str, str]:
    email = "tcp-bench@bench.example"
    async with AsyncAurexClient(url) as client:
        await client.signup(email, PASSWORD, "Bench", "User")
        code = lambda _kind: mailed_code(mail_dir, email)  # noqa: E731
        issued = await client.login(email, PASSWORD, second_factor=code)
    return issued.session_token, issued.trading_token


class Connection(asyncio.Protocol):
    """A bare protocol client: counts answers by request id, records their times."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.answered: dict[int, int] = {}
        self.waiter: asyncio.Future[None] | None = None
        self.wanted = 0
        self.errors: list[bytes] = []
        self.on_answer: object = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start = 0
        now = time.perf_counter_ns()
        while len(buffer) - start >= 5:
            length, msg_type = HEADER.unpack_from(buffer, start)
            if len(buffer) - start - 4 < length:
                break
            body = bytes(buffer[start + 5 : start + 4 + length])
            start += 4 + length
            if msg_type in (0x10, 0x13, 0x14, 0x1F):
                (request_id,) = struct.unpack_from("<Q", body)
                if msg_type == 0x1F:
                    self.errors.append(body)
                self.answered[request_id] = now
                if callable(self.on_answer):
                    self.on_answer(request_id)
        del buffer[:start]


def submit_frame(request_id: int, price_ticks: int) -> bytes:
    body = SUBMIT.pack(request_id, BUY, LIMIT, IOC, 0, 0, 1, price_ticks, 0)
    client_order_id = b"b%d" % request_id
    body += bytes([len(SYMBOL)]) + SYMBOL.encode() + bytes([len(client_order_id)]) + client_order_id
    return HEADER.pack(len(body) + 1, 0x01) + body


async def measure(
    host: str, port: int, access: str, trading: str, args: argparse.Namespace
) -> dict[str, float]:
    loop = asyncio.get_running_loop()
    conn = Connection()
    transport, _ = await loop.create_connection(lambda: conn, host, port)
    conn.transport = transport
    login = struct.pack("<QB", 1, 0)
    login += struct.pack("<H", len(access)) + access.encode()
    login += struct.pack("<H", len(trading)) + trading.encode()
    got = asyncio.Event()
    conn.on_answer = lambda _rid: got.set()
    conn.transport.write(HEADER.pack(len(login) + 1, 0x06) + login)
    await asyncio.wait_for(got.wait(), 10)
    if conn.errors:
        raise RuntimeError(f"login refused: {conn.errors[0]!r}")

    price = args.price_ticks
    request_id = 10
    rtts: list[float] = []
    for _ in range(args.rtt):
        request_id += 1
        got.clear()
        start = time.perf_counter_ns()
        conn.transport.write(submit_frame(request_id, price))
        await got.wait()
        rtts.append((conn.answered[request_id] - start) / 1000)

    total, window = args.pipelined, args.window
    sent = 0
    first_id = request_id + 1
    done = loop.create_future()

    def next_order(_rid: int) -> None:
        nonlocal sent
        if sent < total:
            sent += 1
            assert conn.transport is not None
            conn.transport.write(submit_frame(first_id + sent - 1, price))
        elif len(conn.answered) >= args.rtt + total + 1 and not done.done():
            done.set_result(None)

    conn.on_answer = next_order
    began = time.perf_counter()
    burst = [submit_frame(first_id + i, price) for i in range(window)]
    sent = window
    conn.transport.write(b"".join(burst))
    await asyncio.wait_for(done, 600)
    elapsed = time.perf_counter() - began
    conn.transport.close()
    if conn.errors:
        print(f"{len(conn.errors)} errors, first: {conn.errors[0]!r}", file=sys.stderr)
    return {
        "tcp_rtt_p50_us": round(percentile(rtts, 0.5), 1),
        "tcp_rtt_p99_us": round(percentile(rtts, 0.99), 1),
        "tcp_pipelined_orders_per_s": round(total / elapsed),
        "errors": len(conn.errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtt", type=int, default=2000, help="sequential orders")
    parser.add_argument("--pipelined", type=int, default=100_000, help="pipelined orders")
    parser.add_argument("--window", type=int, default=1000, help="orders in flight")
    parser.add_argument(
        "--price-ticks", type=int, default=0, help="limit price (default: 90%% of reference)"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy the server into this raw file"
    )
    parser.add_argument("--profile-seconds", type=float, default=15.0)
    parser.add_argument(
        "--uvloop", action="store_true", help="run aurex serve on uvloop (uvloop.install())"
    )
    args = parser.parse_args()
    max_open_files()
    with tempfile.TemporaryDirectory(prefix="aurex-tcp-bench-") as tmp:
        data_dir = Path(tmp)
        with serve(data_dir, args.uvloop) as (host, port, url, pid):
            access, trading = asyncio.run(tokens(url, data_dir / "mail"))
            if not args.price_ticks:
                symbols = httpx.get(f"{url}/api/market-data/symbols").json()["symbols"]
                info = next(s for s in symbols if s["symbol"] == SYMBOL)
                args.price_ticks = int(float(info["referencePrice"]) * 90)
            before = fsync_p50_us(data_dir)
            with (
                asyncio.Runner(loop_factory=loop_factory()) as runner,
                profiled(pid, args.profile_seconds, args.profile),
            ):
                results = runner.run(measure(host, port, access, trading, args))
            after = fsync_p50_us(data_dir)
            results["fsync_p50_us"] = round((before + after) / 2, 1)
            results["fsync_p50_before_us"] = round(before, 1)
            results["fsync_p50_after_us"] = round(after, 1)
    print(f"{'metric':<32}{'value':>14}")
    for key, value in results.items():
        print(f"{key:<32}{value:>14}")
    if args.profile is not None and args.profile.exists():
        print(summarize(args.profile))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
