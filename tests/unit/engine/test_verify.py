"""``aurex verify``: damage that start-up never reads is found, and repair sets it aside."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aurex.engine.journal import Journal, list_segments
from aurex.engine.recovery import JOURNAL_SUBDIR, SNAPSHOT_SUBDIR, recover
from aurex.engine.snapshot import SnapshotStore
from aurex.engine.verify import format_report, run, verify

FIXTURE = Path(__file__).parents[2] / "fixtures" / "journal_v1"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    return target


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x20
    path.write_bytes(bytes(data))


def _start(data_dir: Path) -> tuple[int, str]:
    journal = Journal.open(data_dir / JOURNAL_SUBDIR)
    try:
        recovery = recover(journal, SnapshotStore(data_dir / SNAPSHOT_SUBDIR))
    finally:
        journal.close()
    return recovery.last_seq, recovery.exchange.state_hash()


def test_a_sound_directory_verifies_and_matches_the_replayed_state(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = verify(data_dir)
    assert report.ok
    assert (report.good_seq, report.state_hash) == _start(data_dir)
    assert [s.seq for s in report.snapshots] == [150, 300]
    assert run(data_dir) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("OK")


def test_damage_in_an_older_segment_that_start_up_skips_is_reported(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, oldest = list_segments(data_dir / JOURNAL_SUBDIR)[0]
    _flip(oldest, 100)  # before the newest snapshot: recovery never reads it
    assert _start(data_dir)[0] == 437

    report = verify(data_dir)
    assert not report.ok
    assert report.problems[0].startswith(f"{oldest}: ")
    assert report.good_seq < 10
    assert run(data_dir) == 1
    out = capsys.readouterr().out
    assert "fails its CRC" in out
    assert "beyond the end of the sound journal" in out  # both snapshots are past it


def test_a_damaged_snapshot_is_reported(data_dir: Path) -> None:
    snapshot = data_dir / SNAPSHOT_SUBDIR / "snapshot-00000000000000000150.snap"
    _flip(snapshot, 500)

    report = verify(data_dir)
    assert report.problems == [f"{snapshot}: unreadable: checksum mismatch"]
    assert "snapshot-00000000000000000300.snap: ok" in format_report(report)


def test_repair_cuts_the_journal_at_the_damage_and_keeps_the_rest_aside(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, newest = list_segments(data_dir / JOURNAL_SUBDIR)[-1]
    original = newest.read_bytes()
    _flip(newest, len(original) - 200)  # a few frames before the end

    assert run(data_dir, fix=True) == 0
    out = capsys.readouterr().out
    assert "repair       cut journal-00000000000000000288.seg after seq" in out
    kept = verify(data_dir)
    assert kept.ok
    assert 430 < kept.good_seq < 437
    assert _start(data_dir) == (kept.good_seq, kept.state_hash)
    (quarantined,) = (data_dir).glob(f"quarantine-*/{JOURNAL_SUBDIR}/{newest.name}")
    assert len(quarantined.read_bytes()) == len(original)
