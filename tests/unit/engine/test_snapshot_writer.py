"""Snapshots are written by a forked child from the state at one seq, off the event loop."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from aurex.core.exchange import Exchange
from aurex.engine.journal import read_commands
from aurex.engine.recovery import JOURNAL_SUBDIR, SNAPSHOT_SUBDIR
from aurex.engine.sequencer import Sequencer
from aurex.engine.snapshot import SnapshotStore

from .workload import order_flow, seed_commands


def _hash_at(data_dir: Path, seq: int) -> str:
    exchange = Exchange()
    for cmd in read_commands(data_dir / JOURNAL_SUBDIR, 0, seq):
        exchange.apply(cmd)
    return exchange.state_hash()


async def test_the_snapshot_is_taken_in_another_process_at_exactly_its_seq(
    tmp_path: Path,
) -> None:
    seq, _ = Sequencer.open(
        tmp_path, snapshot_every=100, snapshot_extra=lambda: {"pid": os.getpid()}
    )
    await seq.start()
    commands = seed_commands() + order_flow(600)
    for start in range(0, len(commands), 40):  # matching goes on while children write
        await asyncio.gather(*seq.submit_many(commands[start : start + 40]))
    await seq.stop(snapshot=False)

    snapshots = list(SnapshotStore(tmp_path / SNAPSHOT_SUBDIR).load())
    assert len(snapshots) == 3
    for snapshot in snapshots:
        assert snapshot.extra["pid"] != os.getpid()
        assert snapshot.state_hash == _hash_at(tmp_path, snapshot.seq)
        assert Exchange.restore(snapshot.exchange).state_hash() == snapshot.state_hash


async def test_a_failing_snapshot_is_logged_and_the_exchange_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0

    def extra() -> int:
        nonlocal calls
        calls += 1  # counted in the child only: the parent's copy stays 0
        raise RuntimeError("projection cannot snapshot")

    seq, _ = Sequencer.open(tmp_path, snapshot_every=50, snapshot_extra=extra)
    await seq.start()
    with caplog.at_level(logging.ERROR, logger="aurex.engine.sequencer"):
        for cmd in seed_commands() + order_flow(120):
            await seq.submit(cmd)
        await seq.stop()
    assert calls == 0
    assert "projection cannot snapshot" in caplog.text
    assert SnapshotStore(tmp_path / SNAPSHOT_SUBDIR).paths() == []
    assert [c.seq for c in read_commands(tmp_path / JOURNAL_SUBDIR)][-1] == seq.last_seq
    again, recovery = Sequencer.open(tmp_path)
    assert recovery.last_seq == seq.last_seq
    again.journal.close()
