"""Replay determinism: the live state equals every way of rebuilding it from disk.

For many seeded random command streams (every command type, valid and invalid),
the live state hash must equal the hash after a restart from the journal alone,
the hash from the newest snapshot plus the journal after it, and the hash of a run
that was restarted midway and then fed the rest of the stream. Regenerated events
must equal the live ones byte for byte.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import shutil
from pathlib import Path

import msgspec
import pytest

from aurex.config import Durability
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.recovery import SNAPSHOT_SUBDIR, iter_events
from aurex.engine.replay import replay
from aurex.engine.sequencer import Sequencer
from aurex.engine.snapshot import SnapshotStore

from .crash_child import CommandStream, seed_commands

SEEDS = range(12)
COMMANDS = 900


def _stream(seed: int) -> CommandStream:
    return CommandStream(seed, prefix=f"s{seed}-")


async def _feed(sequencer: Sequencer, stream: CommandStream, sizes: list[int]) -> list[list[Event]]:
    """Submit chunks of the given sizes concurrently; the stream sees each chunk's results."""
    results: list[list[Event]] = []
    for size in sizes:
        chunk: list[Command] = [stream.next() for _ in range(size)]
        for events in await asyncio.gather(*sequencer.submit_many(chunk)):
            stream.observe(events)
            results.append(events)
    return results


def _open(data_dir: Path, snapshot_every: int, after_ts: int = 0) -> Sequencer:
    clock = itertools.count(after_ts + 1_000, 1_000).__next__
    sequencer, recovery = Sequencer.open(
        data_dir, durability=Durability.NONE, snapshot_every=snapshot_every, clock=clock
    )
    assert recovery.last_ts_ns == after_ts
    return sequencer


def _json(batches: list[list[Event]]) -> list[bytes]:
    return [msgspec.json.encode(events) for events in batches]


@pytest.mark.parametrize("seed", SEEDS)
async def test_live_replayed_and_restarted_states_are_identical(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    snapshot_every = rng.randrange(40, 160)
    sizes = [rng.randrange(1, 60) for _ in range(COMMANDS // 30)]
    split = rng.randrange(len(sizes) // 4, 3 * len(sizes) // 4)

    # 1. One uninterrupted live run.
    live_dir = tmp_path / "live"
    sequencer = _open(live_dir, snapshot_every)
    await sequencer.start()
    live = [await sequencer.submit(cmd) for cmd in seed_commands()]
    live += await _feed(sequencer, _stream(seed), sizes)
    live_hash = sequencer.exchange.state_hash()
    live_last = sequencer.last_seq
    await sequencer.stop(snapshot=False)

    # 2. The journal alone, replayed from an empty exchange.
    report = replay(live_dir)
    assert (report.last_seq, report.state_hash) == (live_last, live_hash)
    assert report.snapshot_checks and report.snapshots_ok

    # 3. Newest snapshot plus the journal after it (one that leaves a journal tail).
    [(newest, path), *_] = SnapshotStore(live_dir / SNAPSHOT_SUBDIR).paths()
    if newest == live_last:
        path.unlink()
    restarted, recovery = Sequencer.open(live_dir)
    assert 0 < recovery.snapshot_seq < live_last
    assert restarted.exchange.state_hash() == live_hash
    restarted.journal.close()

    # 4. Without any snapshot, the same again.
    shutil.rmtree(live_dir / SNAPSHOT_SUBDIR)
    from_journal, recovery = Sequencer.open(live_dir)
    assert recovery.snapshot_seq == 0 and recovery.replayed == live_last
    assert from_journal.exchange.state_hash() == live_hash
    from_journal.journal.close()

    # 5. Regenerated events are the live events, byte for byte.
    regenerated = [events for _, events in iter_events(live_dir, 0)]
    assert _json(regenerated) == _json(live)

    # 6. A run stopped halfway (as after a crash: no final snapshot) and continued.
    half_dir = tmp_path / "half"
    stream = _stream(seed)
    first = _open(half_dir, snapshot_every)
    await first.start()
    resumed = [await first.submit(cmd) for cmd in seed_commands()]
    resumed += await _feed(first, stream, sizes[:split])
    last_ts = first.exchange.last_seq * 1_000
    await first.stop(snapshot=False)
    second = _open(half_dir, snapshot_every, after_ts=last_ts)
    await second.start()
    resumed += await _feed(second, stream, sizes[split:])
    assert second.exchange.state_hash() == live_hash
    await second.stop()
    assert _json(resumed) == _json(live)
