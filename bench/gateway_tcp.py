"""Binary TCP gateway benchmark: durable order round trips against a real ``aurex serve``.

Over one TCP connection, logged in with a user's REST tokens, measures:

* ``tcp_rtt_p50_us`` / ``tcp_rtt_p99_us``: one order at a time, from writing the
  ORDER_SUBMIT to reading its ORDER_RESPONSE (sent only once the order is durable);
* ``tcp_pipelined_orders_per_s``: ``window`` orders in flight, each answer releasing
  the next, durable acknowledgements counted over ``pipelined`` orders.

Orders are immediate-or-cancel limit buys below the market: each is sequenced,
journalled and answered but none rests, so the book and the account stay the same
size however long the run. ``bench/gateways.py`` runs it as its TCP phase
(``run_tcp(server, user)``); alone, it starts its own server (fsync durability,
temporary data dir), measures ``fsync_p50_us`` on the same disk too, prints a table
and one JSON line. It never asserts timings.

    .venv/bin/python bench/gateway_tcp.py [--rtt 2000] [--pipelined 100000] [--window 1000]
        [--uvloop] [--profile /tmp/tcp.raw]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, cast

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.event_loop import loop_factory
from gateway_profile import profiled, summarize
from gateway_servers import ChildServer, max_open_files, start_aurex
from gateway_stats import fsync_p50_us, percentile
from gateway_users import User, traders

SYMBOL = "NVDA"
HEADER = struct.Struct("<IB")
SUBMIT = struct.Struct("<QBBBBBqqq")
LIMIT, BUY, IOC = 1, 0, 2


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


def below_market(server: ChildServer) -> int:
    """A limit price in ticks (cents) 10% under the symbol's reference price: inside the
    price band, below any seller."""
    symbols = httpx.get(f"{server.url}/api/market-data/symbols").json()["symbols"]
    info = next(s for s in symbols if s["symbol"] == SYMBOL)
    return int(float(info["referencePrice"]) * 90)


def run_tcp(
    server: ChildServer,
    user: User,
    *,
    rtt: int = 2000,
    pipelined: int = 100_000,
    window: int = 1000,
    price_ticks: int = 0,
) -> dict[str, Any]:
    """Both measurements over one connection to ``server`` as ``user`` (client on
    uvloop where installed, as the server's TCP gateway)."""
    price = price_ticks or below_market(server)
    host, port = server.tcp_address
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(measure(host, port, user, rtt, pipelined, window, price))


async def measure(
    host: str, port: int, user: User, rtt: int, total: int, window: int, price: int
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    conn = Connection()
    transport, _ = await loop.create_connection(lambda: conn, host, port)
    conn.transport = transport
    access, trading = user.access_token.encode(), user.trading_token.encode()
    login = struct.pack("<QB", 1, 0)
    login += struct.pack("<H", len(access)) + access
    login += struct.pack("<H", len(trading)) + trading
    got = asyncio.Event()
    conn.on_answer = lambda _rid: got.set()
    conn.transport.write(HEADER.pack(len(login) + 1, 0x06) + login)
    await asyncio.wait_for(got.wait(), 10)
    if conn.errors:
        raise RuntimeError(f"login refused: {conn.errors[0]!r}")

    request_id = 10
    rtts: list[float] = []
    for _ in range(rtt):
        request_id += 1
        got.clear()
        start = time.perf_counter_ns()
        conn.transport.write(submit_frame(request_id, price))
        await got.wait()
        rtts.append((conn.answered[request_id] - start) / 1000)

    sent = 0
    first_id = request_id + 1
    done = loop.create_future()

    def next_order(_rid: int) -> None:
        nonlocal sent
        if sent < total:
            sent += 1
            assert conn.transport is not None
            conn.transport.write(submit_frame(first_id + sent - 1, price))
        elif len(conn.answered) >= rtt + total + 1 and not done.done():
            done.set_result(None)

    conn.on_answer = next_order
    began = time.perf_counter()
    window = min(window, total)
    burst = [submit_frame(first_id + i, price) for i in range(window)]
    sent = window
    conn.transport.write(b"".join(burst))
    await asyncio.wait_for(done, 600)
    elapsed = time.perf_counter() - began
    conn.transport.close()
    rtts.sort()
    return {
        "tcp_rtt_p50_us": round(percentile(rtts, 0.5), 1),
        "tcp_rtt_p99_us": round(percentile(rtts, 0.99), 1),
        "tcp_pipelined_orders_per_s": round(total / elapsed),
        "tcp_pipelined_window": window,
        "tcp_errors": len(conn.errors),
        "tcp_first_error": repr(conn.errors[0]) if conn.errors else "",
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
    with (
        tempfile.TemporaryDirectory(prefix="aurex-tcp-bench-") as tmp,
        start_aurex(Path(tmp) / "aurex", uvloop=args.uvloop) as server,
    ):
        [user] = asyncio.run(traders(server, 1, "tcp", 0))
        before = fsync_p50_us(server.data_dir)
        with profiled(server.process.pid, args.profile_seconds, args.profile):
            results = run_tcp(
                server,
                user,
                rtt=args.rtt,
                pipelined=args.pipelined,
                window=args.window,
                price_ticks=args.price_ticks,
            )
        after = fsync_p50_us(server.data_dir)
        results["fsync_p50_us"] = round((before + after) / 2, 1)
        results["fsync_p50_before_us"] = round(before, 1)
        results["fsync_p50_after_us"] = round(after, 1)
    print(f"{'metric':<32}{'value':>14}")
    for key, value in results.items():
        print(f"{key:<32}{value!s:>14}")
    if args.profile is not None and args.profile.exists():
        print(summarize(args.profile))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
