"""REST order entry without sockets: what the server itself spends per order.

Builds the whole platform through ``aurex.bootstrap`` (real engine and journal with
fsync, SQLite projection, in-process stores) in a temporary directory, logs users in
through ``aurex.client`` over an ASGI transport, then drives ``POST
/api/trading/orders`` (resting sell orders) straight into the ASGI app, wrapped as
``aurex serve`` wraps it, with ``--in-flight`` requests outstanding. Reports orders/s
and the least process CPU per order over ``--repeat`` windows (the machine is shared;
every thread counts: the app, the journal writer, the projector's SQLite thread).
``--profile FILE`` samples this process with py-spy and prints where the CPU went.
Never asserts timings.

    .venv/bin/python bench/gateway_inproc.py --seconds 5 --profile /tmp/inproc.txt
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.bootstrap import Platform
from aurex.client import AsyncAurexClient
from aurex.config import Settings
from aurex.core.commands import Deposit
from aurex.gateways.http.limits import BodyLimitMiddleware
from aurex.logs import configure_logging
from gateway_profile import profiled, summarize
from gateway_servers import PASSWORD, mailed_code
from gateway_users import address

SYMBOL = "NVDA"
Asgi = Any


def thread_cpu() -> dict[str, float]:
    """CPU seconds (user + system) of this process's live threads, by thread name
    (numbered pool threads summed under one name)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    for thread in threading.enumerate():
        try:
            stat = Path(f"/proc/self/task/{thread.native_id}/stat").read_text()
        except (OSError, TypeError):
            continue  # ended meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        name = thread.name.rstrip("0123456789").rstrip("_-") or thread.name
        found[name] = found.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / ticks
    return found


async def _user(platform: Platform, n: int) -> tuple[str, str, str]:
    """Sign up and log in user ``n`` and give it shares to sell (so it never runs out of
    cash); returns (address, access token, trading token)."""
    source, email = address(n), f"inproc{n}@bench.example"
    mail_dir = platform.settings.mail_dir
    transport = httpx.ASGITransport(app=platform.app, client=(source, 40000))
    async with AsyncAurexClient("http://testserver", transport=transport) as client:
        signed = await client.signup(email, PASSWORD, "Bench", "User")
        tokens = await client.login(
            email, PASSWORD, second_factor=lambda _kind: mailed_code(mail_dir, email)
        )
    await platform.engine.submit(Deposit(account=signed.user_id, symbol=SYMBOL, shares=10**9))
    return source, tokens.session_token, tokens.trading_token


async def _post(app: Asgi, scope: dict[str, Any], body: bytes) -> int:
    """One request through the ASGI app; returns the status."""
    delivered = False
    status = 0
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        await never
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


def _scope(source: str, access: str, trading: str, length: int) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/trading/orders",
        "raw_path": b"/api/trading/orders",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1:8000"),
            (b"content-type", b"application/json"),
            (b"content-length", str(length).encode()),
            (b"authorization", f"Bearer {access}".encode()),
            (b"x-trading-token", trading.encode()),
        ],
        "client": (source, 40000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="aurex-inproc-") as tmp:
        settings = Settings(
            data_dir=Path(tmp) / "aurex",
            trading_requests_per_user_per_minute=1_000_000,
            trading_requests_per_address_per_minute=1_000_000,
            log_requests=args.log_requests,
        )
        log_file = (Path(tmp) / "server.log").open("w")
        configure_logging(settings.log_level, settings.log_format, log_file)  # as aurex serve
        platform = Platform(settings)
        await platform.start(serve_http=False)
        try:
            app = BodyLimitMiddleware(platform.app)
            users = [await _user(platform, n) for n in range(args.users)]
            async with AsyncAurexClient(
                "http://testserver", transport=httpx.ASGITransport(app=platform.app)
            ) as client:
                high = {s.symbol: s for s in await client.symbols()}[SYMBOL].band_high
            prices = [str(high - Decimal(k) / 100) for k in range(50)]
            statuses: Counter[int] = Counter()
            done = 0

            async def worker(w: int, deadline: float, phase: str = "m") -> None:
                nonlocal done
                source, access, trading = users[w % len(users)]
                n = 0
                while time.perf_counter() < deadline:
                    n += 1
                    body = (
                        f'{{"clientOrderId":"{phase}{w}-{n}","symbol":"{SYMBOL}","side":"sell",'
                        f'"type":"limit","quantity":1,"price":"{prices[n % 50]}"}}'
                    ).encode()
                    statuses[
                        await _post(app, _scope(source, access, trading, len(body)), body)
                    ] += 1
                    done += 1

            await asyncio.gather(*(worker(w, time.perf_counter() + 1, "warm") for w in range(8)))
            profile = Path(args.profile) if args.profile else None
            runs: list[tuple[float, float, int]] = []
            with profiled(os.getpid(), args.seconds * args.repeat, profile):
                await asyncio.sleep(0.5)  # let py-spy attach
                threads = thread_cpu()
                for r in range(args.repeat):
                    statuses.clear()
                    done = 0
                    cpu, wall = time.process_time(), time.perf_counter()
                    deadline = wall + args.seconds
                    workers = (worker(w, deadline, f"r{r}-") for w in range(args.in_flight))
                    await asyncio.gather(*workers)
                    runs.append((time.process_time() - cpu, time.perf_counter() - wall, done))
                total = sum(n for _, _, n in runs)
                threads = {
                    name: round((spent - threads.get(name, 0.0)) / max(1, total) * 1e6, 1)
                    for name, spent in thread_cpu().items()
                }
        finally:
            await platform.stop()
            log_file.close()
    if profile:
        print(summarize(profile, top=25))
    per_order = sorted(cpu / max(1, n) * 1e6 for cpu, _, n in runs)
    return {
        "inproc_orders_per_s": round(max(n / wall for _, wall, n in runs), 1),
        "inproc_cpu_us_per_order": round(per_order[0], 1),
        "inproc_cpu_us_per_order_runs": [round(x) for x in per_order],
        "cpu_us_per_order_by_thread": threads,
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="one measuring window")
    parser.add_argument("--repeat", type=int, default=5, help="windows; the best counts")
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--profile", help="py-spy this process into FILE (raw stacks)")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop")
    parser.add_argument(
        "--log-requests",
        choices=("none", "orders", "all"),
        default="orders",
        help="AUREX_LOG_REQUESTS of the platform (default: aurex serve's)",
    )
    args = parser.parse_args()
    if args.uvloop:
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            result = runner.run(run(args))
    else:
        result = asyncio.run(run(args))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
