"""Snapshot pause and restart time of the exchange engine after many commands.

Feeds the bench/workload.py order flow through ``LocalEngine`` (sequencer, market
data and order ledger, as ``aurex serve`` runs them) with periodic snapshots, and
measures:

* how long each snapshot keeps the event loop from doing anything else (the
  ``_begin_snapshot`` call, plus the longest event-loop stall seen overall);
* the size of each snapshot file;
* restart time after a crash (newest snapshot + replay of the journal after it) and
  after a clean stop (final snapshot only): ``LocalEngine.open`` on the directory.

By default the command count ends just before a snapshot would be due, the worst
case for crash restart (``snapshot_every - 1`` commands to replay). Prints a table
and one JSON line; it never asserts timings.

    python bench/durability.py [--commands 1000000] [--snapshot-every 100000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from aurex.bootstrap import freeze_recovered_state, freeze_snapshotted_state
from aurex.config import Durability
from aurex.engine.local import LocalEngine
from aurex.engine.recovery import SNAPSHOT_SUBDIR
from aurex.engine.sequencer import Sequencer
from aurex.engine.snapshot import SnapshotStore
from workload import build

CHUNK = 2048


async def _loop_lag(stalls: list[float], stop: asyncio.Event) -> None:
    """Record how late each 5 ms sleep wakes up: the event loop's stalls."""
    while not stop.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.005)
        stalls.append(time.perf_counter() - started - 0.005)


async def _feed(data_dir: Path, commands: list[Any], snapshot_every: int) -> dict[str, Any]:
    engine = LocalEngine.open(data_dir, durability=Durability.BATCH, snapshot_every=snapshot_every)
    sequencer = engine.sequencer
    pauses: list[float] = []
    begin = sequencer._begin_snapshot

    def timed_begin() -> None:
        started = time.perf_counter()
        begin()
        pauses.append(time.perf_counter() - started)

    sequencer._begin_snapshot = timed_begin  # type: ignore[method-assign]
    freeze_recovered_state()  # the garbage collector set up as the server does
    sequencer.after_snapshot = freeze_snapshotted_state
    await sequencer.start()
    stalls: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(_loop_lag(stalls, stop))
    started = time.perf_counter()
    for i in range(0, len(commands), CHUNK):
        await asyncio.gather(*sequencer.submit_many(commands[i : i + CHUNK]))
    elapsed = time.perf_counter() - started
    stop.set()
    await probe
    await sequencer.stop(snapshot=False)  # as if killed: no final snapshot
    stalls.sort()
    return {
        "feed_s": elapsed,
        "commands_per_s": len(commands) / elapsed,
        "snapshots": len(pauses),
        "snapshot_pause_max_s": max(pauses, default=0.0),
        "snapshot_pause_mean_s": sum(pauses) / len(pauses) if pauses else 0.0,
        "loop_stall_max_s": stalls[-1] if stalls else 0.0,
        "loop_stall_p99_s": stalls[int(len(stalls) * 0.99)] if stalls else 0.0,
    }


def _restart(data_dir: Path) -> tuple[float, LocalEngine]:
    gc.collect()
    started = time.perf_counter()
    engine = LocalEngine.open(data_dir, durability=Durability.BATCH)
    return time.perf_counter() - started, engine


async def _stop(engine: LocalEngine) -> None:
    sequencer: Sequencer = engine.sequencer
    await sequencer.start()
    await sequencer.stop()  # writes the final snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1_000_000)
    parser.add_argument("--snapshot-every", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=None, help="kept afterwards if given")
    args = parser.parse_args()

    data_dir = args.dir or Path(tempfile.mkdtemp(prefix="aurex-durability-"))
    shutil.rmtree(data_dir, ignore_errors=True)
    started = time.perf_counter()
    probe = build(operations=0)
    workload = build(operations=args.commands - 1 - len(probe.setup))
    commands = workload.setup + workload.operations
    print(f"built {len(commands):,} commands in {time.perf_counter() - started:.1f} s")

    fed = asyncio.run(_feed(data_dir, commands, args.snapshot_every))
    sizes = [path.stat().st_size for _, path in SnapshotStore(data_dir / SNAPSHOT_SUBDIR).paths()]

    crash_s, engine = _restart(data_dir)
    recovered = engine.sequencer.last_seq
    asyncio.run(_stop(engine))
    del engine
    clean_s, engine = _restart(data_dir)
    final_size = SnapshotStore(data_dir / SNAPSHOT_SUBDIR).paths()[0][1].stat().st_size
    del engine
    if args.dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)

    result = {
        "commands": len(commands),
        "snapshot_every": args.snapshot_every,
        **fed,
        "snapshot_bytes_newest": sizes[0] if sizes else 0,
        "snapshot_bytes_final": final_size,
        "restart_after_crash_s": crash_s,
        "restart_after_crash_replayed": recovered % args.snapshot_every,
        "restart_after_stop_s": clean_s,
    }
    for key, value in result.items():
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        print(f"{key:32} {shown}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
