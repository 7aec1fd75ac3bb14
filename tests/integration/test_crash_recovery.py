"""Kill a trading process with SIGKILL at random moments; nothing acknowledged may be lost.

A child process (``crash_child.py``) recovers from a data directory and trades under
mixed load (orders, cancels, amends, sign-ups, administration; a snapshot every 150
commands, written by a forked child), printing every acknowledgement. The parent
kills it at a random moment, many times over, and after each kill checks against the
journal on disk that every acknowledged command is there with exactly the events
that were acknowledged, and after each restart that the child's recovered state
(snapshot + journal) equals an independent replay of the journal from scratch. Once,
a torn half-frame is added to the journal's tail before a restart; the restart must
repair it. The default run kills the child 12 times, the slow suite
(``pytest -m slow``) 100 times.
"""

from __future__ import annotations

import json
import os
import random
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec
import pytest

from aurex.engine.journal import list_segments
from aurex.engine.recovery import JOURNAL_SUBDIR, iter_events
from aurex.engine.replay import ReplayReport, replay

CHILD = Path(__file__).with_name("crash_child.py")
TORN_RUN = 7
READY_TIMEOUT_S = 120.0


@dataclass
class _Child:
    """A running child and what it has printed so far."""

    proc: subprocess.Popen[bytes]
    stderr_path: Path
    lines: list[dict[str, Any]] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)

    def read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = json.loads(raw)
            self.lines.append(line)
            if "ready" in line:
                self.ready.set()
        self.finished.set()

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def line(self, key: str) -> dict[str, Any] | None:
        return next((line[key] for line in self.lines if key in line), None)

    def acks(self) -> dict[int, Any]:
        return {line["ack"]: line["events"] for line in self.lines if "ack" in line}


def _spawn(data_dir: Path, run: int, log_dir: Path) -> _Child:
    stderr_path = log_dir / f"child-{run}.err"
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(CHILD), str(data_dir), str(run)],
            stdout=subprocess.PIPE,
            stderr=err,
        )
    child = _Child(proc, stderr_path)
    assert proc.stdout is not None
    threading.Thread(target=child.read, args=(proc.stdout,), daemon=True).start()
    return child


def _kill(child: _Child) -> None:
    child.proc.send_signal(signal.SIGKILL)
    child.proc.wait()
    assert child.finished.wait(30), "child's stdout did not close"


def _tear_tail(data_dir: Path) -> int:
    """Append half a frame to the newest segment, as a crash mid-write would leave."""
    _, newest = list_segments(data_dir / JOURNAL_SUBDIR)[-1]
    torn = struct.pack("<II", 180, 0xC0FFEE) + os.urandom(61)
    with open(newest, "ab") as f:
        f.write(torn)
    return len(torn)


def _check_acknowledged(data_dir: Path, acked: dict[int, Any], journal: ReplayReport) -> None:
    """Every acknowledged command is journalled and regenerates the acknowledged events."""
    if not acked:
        return
    assert max(acked) <= journal.last_seq, "an acknowledged command is missing from the journal"
    first = min(acked)
    regenerated = {
        cmd.seq: msgspec.json.decode(msgspec.json.encode(events))
        for cmd, events in iter_events(data_dir, first - 1, until_seq=max(acked))
    }
    for seq, events in acked.items():
        assert regenerated.get(seq) == events, f"seq {seq} differs from what was acknowledged"


def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    _crash_loop(tmp_path, kills=12, seed=20240601)


@pytest.mark.slow
def test_a_hundred_sigkills_under_mixed_load_lose_nothing_acknowledged(tmp_path: Path) -> None:
    _crash_loop(tmp_path, kills=100, seed=20240917)


def _crash_loop(tmp_path: Path, kills: int, seed: int) -> None:
    """Kill, check against the journal, restart: ``kills`` times, then stop gracefully."""
    data_dir = tmp_path / "data"
    rng = random.Random(seed)
    total = kills
    kills = restarts_checked = acknowledged = 0
    max_acked = 0
    repaired_torn_tail = False

    on_disk = replay(data_dir)  # independent: from scratch, ignores snapshots
    for run in range(total):
        assert on_disk.last_seq >= max_acked
        torn_bytes = _tear_tail(data_dir) if run == TORN_RUN else 0
        child = _spawn(data_dir, run, tmp_path)
        early_kill = run % 4 == 3 and run != TORN_RUN
        if early_kill:
            time.sleep(rng.uniform(0.0, 0.5))  # may land in start-up or recovery
        else:
            assert child.ready.wait(READY_TIMEOUT_S), child.stderr()
            time.sleep(rng.uniform(0.0, 0.5))
        _kill(child)
        kills += 1

        ready = child.line("ready")
        if ready is not None:
            restarts_checked += 1
            assert ready["last_seq"] == on_disk.last_seq, child.stderr()
            assert ready["state_hash"] == on_disk.state_hash, child.stderr()
            if torn_bytes:
                assert ready["repaired_bytes"] >= torn_bytes
                repaired_torn_tail = True
        acked = child.acks()
        on_disk = replay(data_dir)
        _check_acknowledged(data_dir, acked, on_disk)
        acknowledged += len(acked)
        max_acked = max([max_acked, *acked])

    # A last, graceful run: recovery still matches, and the final snapshot is sound.
    child = _spawn(data_dir, total, tmp_path)
    assert child.ready.wait(READY_TIMEOUT_S), child.stderr()
    ready = child.line("ready")
    assert ready is not None
    assert (ready["last_seq"], ready["state_hash"]) == (on_disk.last_seq, on_disk.state_hash)
    time.sleep(0.3)
    child.proc.send_signal(signal.SIGTERM)
    assert child.proc.wait(60) == 0, child.stderr()
    assert child.finished.wait(30)
    stopped = child.line("stopped")
    assert stopped is not None
    final = replay(data_dir)
    assert (final.last_seq, final.state_hash) == (stopped["last_seq"], stopped["state_hash"])
    assert final.snapshot_checks[-1] == (final.last_seq, True)
    assert final.snapshots_ok
    _check_acknowledged(data_dir, child.acks(), final)

    assert kills == total
    assert repaired_torn_tail
    assert restarts_checked >= total * 2 // 3
    assert acknowledged > 100
    assert final.trades > 0
    assert final.accounts > 5  # sign-ups were acknowledged and survived every crash
