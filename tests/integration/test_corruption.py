"""Damaged data directories: recovery repairs a torn tail and refuses everything else.

One data directory is built by a real sequencer under concurrent load (several
segments, several snapshots, commands after the newest snapshot). Then, hundreds of
times over, a copy of it is damaged at a random offset of a random journal segment
or snapshot and started again. Each start must either recover exactly the
acknowledged state (same last seq, same state hash) or refuse with a one-line
reason naming the damaged file; it must never start with a different state. A few
of the cases run the real ``aurex serve`` process.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from aurex.engine import codec
from aurex.engine.journal import FRAME_HEADER, CorruptDataError, list_segments
from aurex.engine.recovery import JOURNAL_SUBDIR, SNAPSHOT_SUBDIR
from aurex.engine.replay import replay
from aurex.engine.sequencer import Sequencer
from aurex.engine.snapshot import SnapshotStore

from .crash_child import CommandStream, seed_commands

FLIPS = 240
TORN = 30


@dataclass(frozen=True, slots=True)
class Pristine:
    data_dir: Path
    last_seq: int
    state_hash: str
    snapshot_seq: int


async def _build(data_dir: Path) -> None:
    sequencer, _ = Sequencer.open(
        data_dir, snapshot_every=200, keep_snapshots=3, segment_bytes=8 * 1024
    )
    await sequencer.start()
    await asyncio.gather(*sequencer.submit_many(seed_commands()))
    stream = CommandStream("corruption", prefix="c")
    for _ in range(60):
        chunk = [stream.next() for _ in range(15)]
        for events in await asyncio.gather(*sequencer.submit_many(chunk)):
            stream.observe(events)
    await sequencer.stop(snapshot=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Pristine:
    data_dir = tmp_path_factory.mktemp("pristine") / "data"
    asyncio.run(_build(data_dir))
    report = replay(data_dir)
    snapshots = SnapshotStore(data_dir / SNAPSHOT_SUBDIR).paths()
    assert len(list_segments(data_dir / JOURNAL_SUBDIR)) >= 4
    assert len(snapshots) == 3
    assert snapshots[0][0] < report.last_seq  # recovery must read frames after it
    return Pristine(data_dir, report.last_seq, report.state_hash, snapshots[0][0])


def _start(data_dir: Path) -> tuple[int, str] | str:
    """Recover as the server does: ``(last seq, state hash)``, or the refusal line."""
    try:
        sequencer, recovery = Sequencer.open(data_dir)
    except CorruptDataError as exc:
        return str(exc)
    sequencer.journal.close()
    return recovery.last_seq, recovery.exchange.state_hash()


def _files(data_dir: Path) -> tuple[list[Path], list[Path]]:
    segments = [path for _, path in list_segments(data_dir / JOURNAL_SUBDIR)]
    snapshots = [path for _, path in SnapshotStore(data_dir / SNAPSHOT_SUBDIR).paths()]
    return segments, snapshots


def _flip_cases(data_dir: Path, rng: random.Random) -> list[tuple[Path, int, int]]:
    """``(file, offset, xor mask)``: a third each anywhere in the journal, in the last
    frames of the newest segment (what a torn-tail repair would cut), in snapshots."""
    segments, snapshots = _files(data_dir)
    cases = []
    for i in range(FLIPS):
        kind = i % 3
        if kind == 0:
            path = rng.choice(segments)
            offset = rng.randrange(path.stat().st_size)
        elif kind == 1:
            path = segments[-1]
            size = path.stat().st_size
            offset = rng.randrange(max(0, size - 120), size)
        else:
            path = rng.choice(snapshots)
            offset = rng.randrange(path.stat().st_size)
        cases.append((path.relative_to(data_dir), offset, rng.randrange(1, 256)))
    return cases


def _copy(pristine: Pristine, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(pristine.data_dir, target)
    return target


def test_flipped_bytes_are_either_harmless_or_refused(pristine: Pristine, tmp_path: Path) -> None:
    rng = random.Random(20240917)
    assert _start(_copy(pristine, tmp_path / "check")) == (pristine.last_seq, pristine.state_hash)
    newest_segment = _files(pristine.data_dir)[0][-1].relative_to(pristine.data_dir)
    refused = recovered = 0
    for relative, offset, mask in _flip_cases(pristine.data_dir, rng):
        data_dir = _copy(pristine, tmp_path / "case")
        path = data_dir / relative
        data = bytearray(path.read_bytes())
        data[offset] ^= mask
        path.write_bytes(bytes(data))

        outcome = _start(data_dir)
        where = f"{relative} byte {offset} ^ {mask:#04x}"
        if isinstance(outcome, str):
            refused += 1
            assert "\n" not in outcome, where
            assert str(data_dir) in outcome, where
        else:
            recovered += 1
            assert outcome == (pristine.last_seq, pristine.state_hash), where
            assert relative != newest_segment, f"{where}: damage recovery reads went unnoticed"
    assert refused + recovered == FLIPS
    assert refused >= FLIPS // 3
    assert recovered >= FLIPS // 6  # old segments and unused snapshots: nothing lost


def _next_frame() -> bytes:
    cmd = seed_commands()[-1]
    cmd.seq, cmd.ts_ns = 10**6, 1
    payload = codec.encode(cmd)
    return FRAME_HEADER.pack(len(payload), 0x1234) + payload


def test_a_torn_final_frame_is_repaired_to_exactly_the_acknowledged_state(
    pristine: Pristine, tmp_path: Path
) -> None:
    rng = random.Random(7)
    frame = _next_frame()
    for _ in range(TORN):
        data_dir = _copy(pristine, tmp_path / "case")
        newest = _files(data_dir)[0][-1]
        cut = rng.randrange(1, len(frame))
        with open(newest, "ab") as f:
            f.write(frame[:cut])
        assert _start(data_dir) == (pristine.last_seq, pristine.state_hash), cut
        assert (
            newest.stat().st_size
            == (pristine.data_dir / newest.relative_to(data_dir)).stat().st_size
        )


def test_a_journal_that_ends_before_a_snapshot_is_refused(
    pristine: Pristine, tmp_path: Path
) -> None:
    data_dir = _copy(pristine, tmp_path / "case")
    newest_snapshot = SnapshotStore(data_dir / SNAPSHOT_SUBDIR).paths()[-1][0]
    segments = list_segments(data_dir / JOURNAL_SUBDIR)
    # Lose whole frames (not a torn write): every segment after the one holding the
    # newest snapshot's seq, and all of that one.
    holding = [path for first, path in segments if first <= newest_snapshot][-1]
    for first, path in segments:
        if first > newest_snapshot:
            path.unlink()
    holding.write_bytes(b"")

    outcome = _start(data_dir)
    assert isinstance(outcome, str)
    assert f"snapshot at seq {newest_snapshot} is beyond the journal's end" in outcome


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "AUREX_DATA_DIR": str(data_dir),
        "AUREX_HTTP_PORT": str(_free_port()),
        "AUREX_SNAPSHOT_EVERY": "100000",
    }
    env.pop("AUREX_DATABASE_URL", None)
    env.pop("AUREX_REDIS_URL", None)
    aurex = Path(sys.executable).with_name("aurex")
    with open(log, "wb") as out:
        return subprocess.Popen(
            [str(aurex), "serve", "--no-console"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _wait_running(process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(600):
        if b"Aurex is running" in log.read_bytes():
            return
        assert process.poll() is None, log.read_text()
        subprocess.run(["sleep", "0.1"], check=True)
    raise AssertionError(f"aurex serve did not start:\n{log.read_text()}")


def test_aurex_serve_refuses_a_damaged_final_frame_with_one_line(
    pristine: Pristine, tmp_path: Path
) -> None:
    data_dir = _copy(pristine, tmp_path / "data")
    newest = _files(data_dir)[0][-1]
    data = bytearray(newest.read_bytes())
    data[-2] ^= 0x08
    newest.write_bytes(bytes(data))

    log = tmp_path / "serve.log"
    process = _serve(data_dir, log)
    assert process.wait(120) == 2
    output = log.read_text()
    assert "Traceback" not in output
    last = output.strip().splitlines()[-1]
    assert last.startswith(f"aurex: refusing to start: {newest}: frame at byte ")
    assert f"aurex verify --data-dir {data_dir} --repair" in last
    assert newest.read_bytes() == data  # nothing was changed


def test_aurex_serve_repairs_a_torn_tail_and_serves_the_acknowledged_state(
    pristine: Pristine, tmp_path: Path
) -> None:
    data_dir = _copy(pristine, tmp_path / "data")
    with open(_files(data_dir)[0][-1], "ab") as f:
        f.write(_next_frame()[:30])

    log = tmp_path / "serve.log"
    process = _serve(data_dir, log)
    try:
        _wait_running(process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(120) == 0, log.read_text()
    final = next(SnapshotStore(data_dir / SNAPSHOT_SUBDIR).load())  # written on stop
    assert (final.seq, final.state_hash) == (pristine.last_seq, pristine.state_hash)
