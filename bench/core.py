"""Core and durable-sequencer benchmark against a minimal reference book.

Runs one deterministic workload (bench/workload.py) through:
  (a) Exchange.apply with market data on (risk is always on in the core): market
      data once per command (the headline figure), once per batch of
      ``--md-batch`` commands (as the sequencer publishes it under load), and
      without market data ("nomd"),
  (b) the full sequencer: stamp, journal, apply, group commit with fsync, ack,
  (c) a minimal price-time book with nothing else (the baseline).
Each run first tunes the garbage collector as the server does
(``aurex.bootstrap.freeze_recovered_state``). Prints tables, then one JSON line.
Timings are medians over repeats; read the ratios, not the absolute numbers, on
a noisy machine. ``compiled`` says whether the mypyc build of the core ran
(``AUREX_PURE_PYTHON=1`` measures the interpreted one); ``rss_mb_100k_resting`` is
a fresh process's resident memory holding 100,000 resting orders (10 symbols,
1,000 accounts) with market data.

    python bench/core.py [--ops 200000] [--resting 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex import native
from aurex.bootstrap import freeze_recovered_state
from aurex.config import Durability
from aurex.core import Exchange
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.sequencer import Sequencer
from aurex.marketdata import MarketData
from baseline_book import MinimalBook
from workload import Workload, build


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def timed_run(apply: Callable[[Command], object], ops: list[Command]) -> float:
    freeze_recovered_state()
    start = time.perf_counter()
    for cmd in ops:
        apply(cmd)
    return time.perf_counter() - start


def latency_run(apply: Callable[[Command], object], ops: list[Command]) -> list[float]:
    clock = time.perf_counter_ns
    samples = []
    freeze_recovered_state()
    for cmd in ops:
        t0 = clock()
        apply(cmd)
        samples.append((clock() - t0) / 1000)
    samples.sort()
    return samples


def with_market_data(workload: Workload) -> tuple[Exchange, MarketData]:
    """An exchange and its market data after the workload's set-up."""
    exchange, market_data = Exchange(), MarketData()
    for cmd in workload.setup:
        market_data.apply(exchange.apply(cmd))
    return exchange, market_data


def core_apply(workload: Workload) -> Callable[[Command], object]:
    exchange, market_data = with_market_data(workload)
    freeze_recovered_state()
    ex_apply, md_apply = exchange.apply, market_data.apply

    def apply(cmd: Command) -> object:
        return md_apply(ex_apply(cmd))

    return apply


def batched_run(workload: Workload, ops: list[Command], batch: int) -> float:
    """Seconds to apply ``ops`` with market data projected once per ``batch`` commands."""
    exchange, market_data = with_market_data(workload)
    batches = [ops[i : i + batch] for i in range(0, len(ops), batch)]
    ex_apply, md_apply = exchange.apply, market_data.apply
    freeze_recovered_state()
    start = time.perf_counter()
    for commands in batches:
        events: list[Event] = []
        for cmd in commands:
            events += ex_apply(cmd)
        md_apply(events)
    return time.perf_counter() - start


def core_nomd_apply(workload: Workload) -> Callable[[Command], object]:
    exchange = Exchange()
    for cmd in workload.setup:
        exchange.apply(cmd)
    freeze_recovered_state()
    return exchange.apply


def rss_in_fresh_process() -> float:
    """bench/resident.py in a new interpreter, so nothing else is resident."""
    script = Path(__file__).with_name("resident.py")
    out = subprocess.run([sys.executable, script], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def baseline_apply(workload: Workload) -> Callable[[Command], object]:
    book = MinimalBook()
    for cmd in workload.setup:
        if type(cmd).__name__ == "PlaceOrder":
            book.apply(cmd)
    freeze_recovered_state()
    return book.apply


async def durable_run(
    workload: Workload, window: int, *, timed: bool
) -> tuple[float, list[float], int]:
    """Submit every operation with at most ``window`` in flight; ``timed`` records each
    command's submit-to-ack latency (which costs a callback per command)."""
    with tempfile.TemporaryDirectory(prefix="aurex-bench-") as tmp:
        sequencer, _ = Sequencer.open(Path(tmp), durability=Durability.FSYNC, snapshot_every=10**9)
        market_data = MarketData()

        def project(events: list[Event]) -> None:
            market_data.apply(events)

        sequencer.bus.add_handler(project)
        await sequencer.start()
        for future in sequencer.submit_many(copy.deepcopy(workload.setup)):
            await future
        ops = copy.deepcopy(workload.operations)
        freeze_recovered_state()
        latencies: list[float] = []
        clock = time.perf_counter_ns
        in_flight: deque[asyncio.Future[list[Event]]] = deque()

        def record(sent: int) -> Callable[[asyncio.Future[list[Event]]], None]:
            return lambda _: latencies.append((clock() - sent) / 1000)

        start = time.perf_counter()
        for cmd in ops:
            future = sequencer.submit_nowait(cmd)
            if timed:
                future.add_done_callback(record(clock()))
            in_flight.append(future)
            if len(in_flight) >= window:
                await in_flight.popleft()
        while in_flight:
            await in_flight.popleft()
        elapsed = time.perf_counter() - start
        batches = sequencer.batches
        await sequencer.stop(snapshot=False)
    latencies.sort()
    return elapsed, latencies, batches


def fmt_row(name: str, ops_s: float, lat: list[float] | None, ratio: float) -> str:
    if lat:
        p50, p99, p999 = (percentile(lat, q) for q in (0.5, 0.99, 0.999))
        cols = f"{p50:>9.1f} {p99:>9.1f} {p999:>9.1f}"
    else:
        cols = f"{'-':>9} {'-':>9} {'-':>9}"
    return f"{name:<34} {ops_s:>12,.0f} {cols} {ratio:>8.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=200_000)
    parser.add_argument("--resting", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--md-batch",
        type=int,
        default=64,
        help="commands per market-data batch in the batched core run",
    )
    parser.add_argument(
        "--latency-window",
        type=int,
        default=64,
        help="commands in flight in the durable latency run (moderate load)",
    )
    parser.add_argument(
        "--window",
        type=int,
        default=2048,
        help="most commands in flight at once in the durable run",
    )
    args = parser.parse_args()

    workload = build(args.resting, args.ops)
    ops = workload.operations
    print(f"workload: {args.resting:,} resting orders, {len(ops):,} operations {workload.mix}")

    core_times, batched_times, nomd_times, base_times, durable_times = [], [], [], [], []
    batches = 0
    for _ in range(args.repeats):
        base_times.append(timed_run(baseline_apply(workload), copy.deepcopy(ops)))
        core_times.append(timed_run(core_apply(workload), copy.deepcopy(ops)))
        batched_times.append(batched_run(workload, copy.deepcopy(ops), args.md_batch))
        nomd_times.append(timed_run(core_nomd_apply(workload), copy.deepcopy(ops)))
        elapsed, _, batches = asyncio.run(durable_run(workload, args.window, timed=False))
        durable_times.append(elapsed)
    core_lat = latency_run(core_apply(workload), copy.deepcopy(ops))
    paced_elapsed, durable_lat, _ = asyncio.run(
        durable_run(workload, args.latency_window, timed=True)
    )

    n = len(ops)
    base_ops = n / statistics.median(base_times)
    core_ops = n / statistics.median(core_times)
    batched_ops = n / statistics.median(batched_times)
    nomd_ops = n / statistics.median(nomd_times)
    durable_ops = n / statistics.median(durable_times)
    print()
    print(
        f"{'pipeline':<34} {'ops/s':>12} {'p50 us':>9} {'p99 us':>9} {'p99.9 us':>9} {'vs base':>8}"
    )
    print(fmt_row("(c) baseline: minimal book", base_ops, None, 1.0))
    print(fmt_row("(a) core: apply + risk + mkt data", core_ops, core_lat, core_ops / base_ops))
    print(
        fmt_row(
            f"(a) core, mkt data per {args.md_batch} cmds",
            batched_ops,
            None,
            batched_ops / base_ops,
        )
    )
    print(fmt_row("(a') core without market data", nomd_ops, None, nomd_ops / base_ops))
    print(fmt_row("(b) durable: sequencer + fsync", durable_ops, None, durable_ops / base_ops))
    paced_ops = n / paced_elapsed
    print(
        fmt_row(
            f"(b) durable, {args.latency_window} in flight",
            paced_ops,
            durable_lat,
            paced_ops / base_ops,
        )
    )
    print(
        f"\nthroughput: median of {args.repeats} runs, durable with up to {args.window} "
        f"commands in flight ({batches:,} fsync batches in the last run); latency: one run "
        f"each, durable = submit-to-ack per command with {args.latency_window} in flight"
    )
    rss_mb = statistics.median(rss_in_fresh_process() for _ in range(args.repeats))
    print(f"core build: {native.describe()}; resident with 100,000 resting orders: {rss_mb:.1f} MB")
    result = {
        "compiled": native.is_compiled(),
        "core_ops_per_s": round(core_ops),
        "core_p50_us": round(percentile(core_lat, 0.5), 2),
        "core_p99_us": round(percentile(core_lat, 0.99), 2),
        "core_p999_us": round(percentile(core_lat, 0.999), 2),
        "durable_ops_per_s": round(durable_ops),
        "durable_p99_us": round(percentile(durable_lat, 0.99), 1),
        "baseline_ops_per_s": round(base_ops),
        "core_vs_baseline": round(core_ops / base_ops, 3),
        "durable_vs_baseline": round(durable_ops / base_ops, 3),
        "core_nomd_vs_baseline": round(nomd_ops / base_ops, 3),
        "core_md_batched_vs_baseline": round(batched_ops / base_ops, 3),
        "md_batch": args.md_batch,
        "rss_mb_100k_resting": round(rss_mb, 1),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
