"""``aurex verify``: check every journal segment and snapshot of a data directory.

Start-up only reads what recovery needs (the newest segment, the newest usable
snapshot and the frames after it), so damage to an older sealed segment or to a
snapshot that is not used goes unnoticed until it matters. ``verify`` reads all of
it: the CRC and seq of every frame of every segment, every snapshot's checksum,
that it restores to its stored state hash, and that a replay of the journal from an
empty exchange reaches that same hash at the snapshot's seq. It changes nothing.

``repair`` makes a directory that recovery refuses start again, without deleting
anything: files and bytes past the first damaged frame, and snapshots that are
damaged or beyond the journal's new end, are moved to ``quarantine-<time>/``. The
commands after the damage are lost from the exchange unless the directory is
restored from a backup instead (docs/operations.md).
"""

from __future__ import annotations

import shutil
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from aurex.core.exchange import Exchange, ExchangeConfig
from aurex.core.state import StateHashMismatch
from aurex.engine import codec
from aurex.engine.journal import (
    FRAME_HEADER,
    CorruptDataError,
    damage_at,
    list_segments,
    read_commands,
)
from aurex.engine.recovery import JOURNAL_SUBDIR, SNAPSHOT_SUBDIR
from aurex.engine.snapshot import SnapshotError, SnapshotStore, decode_snapshot


@dataclass(slots=True)
class SegmentCheck:
    """One segment: how many frames are sound, and the first problem if any."""

    path: Path
    first_seq: int
    frames: int = 0
    good_bytes: int = 0
    """Length of the sound prefix: the segment is intact when this is its size."""
    torn_bytes: int = 0
    """An incomplete final frame of the newest segment (repaired on the next start)."""
    problem: str | None = None

    @property
    def last_seq(self) -> int:
        return self.first_seq + self.frames - 1


@dataclass(slots=True)
class SnapshotCheck:
    path: Path
    seq: int
    problem: str | None = None


@dataclass(slots=True)
class VerifyReport:
    """Everything ``verify`` found; ``ok`` when there is nothing for an operator to do."""

    data_dir: Path
    segments: list[SegmentCheck] = field(default_factory=list)
    snapshots: list[SnapshotCheck] = field(default_factory=list)
    good_seq: int = 0
    """The last seq of the sound prefix of the journal."""
    state_hash: str = ""
    """State hash after replaying that prefix."""

    @property
    def problems(self) -> list[str]:
        found = [f"{s.path}: {s.problem}" for s in self.segments if s.problem]
        return found + [f"{s.path}: {s.problem}" for s in self.snapshots if s.problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_segment(path: Path, first_seq: int, newest: bool) -> SegmentCheck:
    check = SegmentCheck(path, first_seq)
    data = path.read_bytes()
    offset = 0
    while offset < len(data):
        length, crc = (
            FRAME_HEADER.unpack_from(data, offset)
            if len(data) - offset >= FRAME_HEADER.size
            else (0, 0)
        )
        start = offset + FRAME_HEADER.size
        payload = memoryview(data)[start : start + length]
        whole = 0 < length <= codec.MAX_PAYLOAD_BYTES and start + length <= len(data)
        if not whole or zlib.crc32(payload) != crc:
            damage = damage_at(data, offset)
            if newest and damage is None:
                check.torn_bytes = len(data) - offset
            else:
                check.problem = damage or f"incomplete frame at byte {offset} of a sealed segment"
            break
        try:
            command = codec.decode(payload)
        except codec.CodecError as exc:
            check.problem = f"frame at byte {offset}: {exc}"
            break
        if command.seq != first_seq + check.frames:
            check.problem = (
                f"frame at byte {offset} has seq {command.seq}, expected {first_seq + check.frames}"
            )
            break
        check.frames += 1
        offset = start + length
        check.good_bytes = offset
    return check


def _check_journal(report: VerifyReport, journal_dir: Path) -> None:
    segments = list_segments(journal_dir)
    expected = segments[0][0] if segments else 1
    intact = True
    for i, (first_seq, path) in enumerate(segments):
        check = _check_segment(path, first_seq, newest=i == len(segments) - 1)
        if check.problem is None and first_seq != expected:
            check.problem = f"starts at seq {first_seq}, expected {expected} (a segment is missing)"
        if intact and first_seq == expected:
            report.good_seq = check.last_seq
        intact = intact and check.problem is None and first_seq == expected
        expected = check.last_seq + 1
        report.segments.append(check)
    if segments and segments[0][0] != 1:
        report.segments[0].problem = f"the journal starts at seq {segments[0][0]}, not 1"
        report.good_seq = 0


def _replayed_hashes(
    journal_dir: Path, until_seq: int, at: set[int], config: ExchangeConfig | None
) -> tuple[dict[int, str], str]:
    """State hashes of a from-scratch replay at the seqs ``at``, and at ``until_seq``."""
    exchange = Exchange(config)
    hashes: dict[int, str] = {}
    if until_seq > 0:
        for cmd in read_commands(journal_dir, 0, until_seq):
            exchange.apply(cmd)
            if cmd.seq in at:
                hashes[cmd.seq] = exchange.state_hash()
            if cmd.seq == until_seq:
                break  # the damage after it would raise
    return hashes, exchange.state_hash()


def _check_snapshot(path: Path, seq: int, good_seq: int, replayed: dict[int, str]) -> str | None:
    try:
        snapshot = decode_snapshot(path.read_bytes())
    except (OSError, SnapshotError) as exc:
        return f"unreadable: {exc}"
    if snapshot.seq != seq:
        return f"holds seq {snapshot.seq}, not the seq {seq} of its name"
    if seq > good_seq:
        return f"beyond the end of the sound journal (seq {good_seq})"
    try:
        restored = Exchange.restore_checked(snapshot.exchange, snapshot.state_hash).state_hash()
    except StateHashMismatch as exc:
        return str(exc)
    except Exception as exc:
        return f"does not restore: {exc!r}"
    if seq in replayed and replayed[seq] != restored:
        return f"the journal replays to state hash {replayed[seq]} at seq {seq}"
    return None


def verify(data_dir: Path, *, config: ExchangeConfig | None = None) -> VerifyReport:
    """Check every segment and snapshot of ``data_dir`` (read-only; replays the journal)."""
    report = VerifyReport(data_dir)
    journal_dir = data_dir / JOURNAL_SUBDIR
    _check_journal(report, journal_dir)
    store = SnapshotStore(data_dir / SNAPSHOT_SUBDIR)
    paths = sorted(store.paths())
    wanted = {seq for seq, _ in paths if seq <= report.good_seq}
    try:
        replayed, report.state_hash = _replayed_hashes(journal_dir, report.good_seq, wanted, config)
    except CorruptDataError as exc:  # e.g. a frame that decodes but does not apply
        replayed = {}
        report.segments[-1].problem = report.segments[-1].problem or f"replay failed: {exc}"
    for seq, path in paths:
        problem = _check_snapshot(path, seq, report.good_seq, replayed)
        report.snapshots.append(SnapshotCheck(path, seq, problem))
    return report


def format_report(report: VerifyReport) -> str:
    """One line per file, then a verdict line."""
    lines = [f"verify       {report.data_dir}"]
    for s in report.segments:
        span = f"seq {s.first_seq}..{s.last_seq}" if s.frames else "no frames"
        state = s.problem or (f"ok, torn tail of {s.torn_bytes} bytes" if s.torn_bytes else "ok")
        lines.append(f"segment      {s.path.name}: {s.frames:,} frames ({span}): {state}")
    for snap in report.snapshots:
        lines.append(f"snapshot     {snap.path.name}: {snap.problem or 'ok'}")
    lines.append(f"sound up to  seq {report.good_seq} (state hash {report.state_hash or '-'})")
    problems = report.problems
    lines.append("result       OK" if not problems else f"result       {len(problems)} problem(s)")
    return "\n".join(lines)


def repair(report: VerifyReport) -> list[str]:
    """Quarantine what ``report`` found damaged so recovery starts at ``good_seq``.

    Returns a line per action. Nothing is deleted: moved files and the cut-off bytes
    of a truncated segment are kept under ``quarantine-<time>/``.
    """
    quarantine = report.data_dir / time.strftime("quarantine-%Y%m%dT%H%M%S", time.gmtime())
    actions: list[str] = []

    def keep(path: Path, subdir: str) -> Path:
        target = quarantine / subdir / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    for s in report.segments:
        if s.first_seq > report.good_seq + 1 or (s.problem and s.good_bytes == 0):
            shutil.move(s.path, keep(s.path, JOURNAL_SUBDIR))
            actions.append(f"moved {s.path.name} to {quarantine}")
        elif s.problem:
            shutil.copy2(s.path, keep(s.path, JOURNAL_SUBDIR))
            with open(s.path, "r+b") as f:
                f.truncate(s.good_bytes)
            actions.append(f"cut {s.path.name} after seq {s.last_seq} (original in {quarantine})")
    for snap in report.snapshots:
        if snap.problem:
            shutil.move(snap.path, keep(snap.path, SNAPSHOT_SUBDIR))
            actions.append(f"moved {snap.path.name} to {quarantine}")
    if actions:
        actions.append(f"the journal now ends at seq {report.good_seq}")
    return actions


def run(data_dir: Path, *, fix: bool = False) -> int:
    """The ``aurex verify`` command: print the report; with ``fix``, repair and re-verify.

    Exit status 0 when everything is sound (after repair, if asked), else 1.
    """
    report = verify(data_dir)
    print(format_report(report))
    if report.ok or not fix:
        return 0 if report.ok else 1
    for action in repair(report):
        print(f"repair       {action}")
    again = verify(data_dir)
    print(format_report(again))
    return 0 if again.ok else 1


def refusal(exc: CorruptDataError, data_dir: Path) -> str:
    """The one line ``aurex serve`` prints when recovery refuses the data directory."""
    return (
        f"aurex: refusing to start: {exc}. Nothing was changed; restore {data_dir} from a "
        f"backup, or run 'aurex verify --data-dir {data_dir} --repair' to set the damage "
        "aside and start without it (docs/operations.md, 'Corruption')"
    )
