"""The CRC-framed journal: group commit, reopening, torn tails, corruption, rotation."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from aurex.config import Durability
from aurex.core.commands import Command
from aurex.engine import codec
from aurex.engine.journal import (
    FRAME_HEADER,
    Journal,
    JournalCorruptError,
    list_segments,
    read_commands,
    segment_name,
)

from .workload import order_flow, seed_commands, stamp


def _commands(count: int, first_seq: int = 1) -> list[Command]:
    return stamp((seed_commands() + order_flow(count))[:count], first_seq)


def _write(directory: Path, commands: list[Command], **options: object) -> Journal:
    journal = Journal.open(directory, **options)  # type: ignore[arg-type]
    for cmd in commands:
        journal.append(cmd)
    journal.flush()
    return journal


def _only_segment(directory: Path) -> Path:
    [(_, path)] = list_segments(directory)
    return path


def test_appended_commands_read_back_identically_after_reopen(tmp_path: Path) -> None:
    commands = _commands(50)
    _write(tmp_path, commands).close()
    journal = Journal.open(tmp_path)
    assert journal.last_seq == 50
    assert journal.repaired_bytes == 0
    assert list(read_commands(tmp_path)) == commands


def test_a_batch_is_one_frame_per_command_in_one_segment_named_by_first_seq(
    tmp_path: Path,
) -> None:
    _write(tmp_path, _commands(10)).close()
    path = _only_segment(tmp_path)
    assert path.name == segment_name(1) == "journal-00000000000000000001.seg"
    data = path.read_bytes()
    offset = frames = 0
    while offset < len(data):
        length, crc = FRAME_HEADER.unpack_from(data, offset)
        payload = data[offset + 8 : offset + 8 + length]
        assert zlib.crc32(payload) == crc
        assert codec.peek_seq(payload) == frames + 1
        offset += 8 + length
        frames += 1
    assert frames == 10


def test_nothing_reaches_the_file_before_flush(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    for cmd in _commands(3):
        journal.append(cmd)
    assert list(read_commands(tmp_path)) == []
    assert journal.committed_seq == 0
    journal.flush()
    assert journal.committed_seq == 3
    assert [c.seq for c in read_commands(tmp_path)] == [1, 2, 3]


def test_seq_must_continue_without_gaps(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    journal.append(_commands(1)[0])
    with pytest.raises(ValueError, match="expects seq 2, got 5"):
        journal.append(stamp(order_flow(1), first_seq=5)[0])


def test_encoded_commands_are_buffered_all_or_nothing(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path)
    good = [codec.encode(cmd) for cmd in _commands(3)]
    with pytest.raises(ValueError, match=f"{codec.MAX_PAYLOAD_BYTES + 1} bytes does not fit"):
        journal.append_encoded(1, [*good, b"x" * (codec.MAX_PAYLOAD_BYTES + 1)])
    with pytest.raises(ValueError, match="of 0 bytes"):
        journal.append_encoded(1, [b"", *good])
    assert journal.last_seq == 0
    journal.append_encoded(1, good)
    journal.close()
    assert [c.seq for c in read_commands(tmp_path)] == [1, 2, 3]


@pytest.mark.parametrize(
    "tail",
    [
        pytest.param(b"\x07\x00", id="half-header"),
        pytest.param(struct.pack("<II", 40, 123) + b"partial", id="half-payload"),
        pytest.param(b"\x00" * 4096, id="zero-filled"),
        pytest.param(b"\xde\xad\xbe\xef" * 5, id="impossible-length"),
    ],
)
def test_torn_tail_is_truncated_on_open_and_appending_continues(
    tmp_path: Path, tail: bytes
) -> None:
    commands = _commands(20)
    _write(tmp_path, commands).close()
    path = _only_segment(tmp_path)
    good_size = path.stat().st_size
    with open(path, "ab") as f:
        f.write(tail)

    assert [c.seq for c in read_commands(tmp_path)] == list(range(1, 21))  # readers ignore it

    journal = Journal.open(tmp_path)
    assert journal.last_seq == 20
    assert journal.repaired_bytes == len(tail)
    assert path.stat().st_size == good_size
    more = stamp(order_flow(5, seed=99), first_seq=21)
    for cmd in more:
        journal.append(cmd)
    journal.close()
    assert list(read_commands(tmp_path)) == commands + more


def test_a_frame_cut_short_by_a_crash_is_repaired(tmp_path: Path) -> None:
    commands = _commands(30)
    _write(tmp_path, commands).close()
    path = _only_segment(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:-3])  # the last frame lost its final bytes

    journal = Journal.open(tmp_path)
    assert journal.last_seq == 29
    assert list(read_commands(tmp_path)) == commands[:29]


def _last_frame_offset(data: bytes) -> int:
    offset = last = 0
    while offset < len(data):
        last = offset
        offset += 8 + struct.unpack_from("<I", data, offset)[0]
    return last


def _flip_payload(data: bytearray, last: int) -> None:
    data[-1] ^= 0x01


def _flip_crc(data: bytearray, last: int) -> None:
    data[last + 5] ^= 0x40


def _shorten_length(data: bytearray, last: int) -> None:
    data[last] -= 1


def _lengthen_length(data: bytearray, last: int) -> None:
    data[last + 1] ^= 0x02


def _zero_length(data: bytearray, last: int) -> None:
    data[last] = 0


def _append_whole_bad_frame(data: bytearray, last: int) -> None:
    data.extend(struct.pack("<II", 3, 0) + b"abc")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_flip_payload, "fails its CRC"),
        (_flip_crc, "fails its CRC"),
        (_shorten_length, "fails its CRC"),
        (_lengthen_length, "damaged length"),
        (_zero_length, "damaged length"),
        (_append_whole_bad_frame, "fails its CRC"),
    ],
    ids=lambda v: getattr(v, "__name__", "").strip("_"),
)
def test_a_damaged_final_frame_is_corruption_not_a_torn_tail(
    tmp_path: Path, damage: Callable[[bytearray, int], None], reason: str
) -> None:
    _write(tmp_path, _commands(20)).close()
    path = _only_segment(tmp_path)
    data = bytearray(path.read_bytes())
    damage(data, _last_frame_offset(bytes(data)))
    path.write_bytes(bytes(data))

    with pytest.raises(JournalCorruptError, match=reason) as excinfo:
        Journal.open(tmp_path)
    assert "\n" not in str(excinfo.value)
    assert path.read_bytes() == data  # nothing was thrown away


def test_crc_corruption_in_the_middle_is_reported_not_truncated(tmp_path: Path) -> None:
    _write(tmp_path, _commands(30)).close()
    path = _only_segment(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    with pytest.raises(JournalCorruptError, match="fails its CRC, after seq 15") as excinfo:
        Journal.open(tmp_path)
    assert str(path) in str(excinfo.value)
    assert path.stat().st_size == len(data)  # nothing was thrown away
    with pytest.raises(JournalCorruptError):
        list(read_commands(tmp_path))


def test_a_damaged_length_in_the_middle_is_found_by_the_valid_frames_after_it(
    tmp_path: Path,
) -> None:
    _write(tmp_path, _commands(30)).close()
    path = _only_segment(tmp_path)
    data = bytearray(path.read_bytes())
    data[3] = 0x7F  # the first frame now claims to run past the end of the file
    path.write_bytes(bytes(data))

    with pytest.raises(JournalCorruptError, match="corrupt in the middle"):
        Journal.open(tmp_path)
    assert path.read_bytes() == data


def test_segments_rotate_by_size_and_read_as_one_log(tmp_path: Path) -> None:
    commands = _commands(200)
    journal = Journal.open(tmp_path, segment_bytes=2_000)
    for start in range(0, 200, 10):  # batches of 10 commands
        for cmd in commands[start : start + 10]:
            journal.append(cmd)
        journal.flush()
    journal.close()

    segments = list_segments(tmp_path)
    assert len(segments) > 3
    for first_seq, path in segments:
        assert next(read_commands(tmp_path, first_seq - 1)).seq == first_seq
        assert path.stat().st_size < 2_000 + 10 * 200
    assert list(read_commands(tmp_path)) == commands
    assert [c.seq for c in read_commands(tmp_path, after_seq=123, until_seq=131)] == list(
        range(124, 132)
    )

    reopened = Journal.open(tmp_path, segment_bytes=2_000)
    assert reopened.last_seq == 200
    reopened.append(stamp(order_flow(1), first_seq=201)[0])
    reopened.close()
    assert [c.seq for c in read_commands(tmp_path, after_seq=198)] == [199, 200, 201]


def test_corruption_in_an_older_segment_is_reported(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, segment_bytes=1_000)
    for cmd in _commands(100):
        journal.append(cmd)
        journal.flush()
    journal.close()
    _, oldest = list_segments(tmp_path)[0]
    oldest.write_bytes(oldest.read_bytes()[:-2])

    with pytest.raises(JournalCorruptError, match="sealed segment"):
        list(read_commands(tmp_path))


def test_a_missing_segment_is_a_gap(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, segment_bytes=1_000)
    for cmd in _commands(100):
        journal.append(cmd)
        journal.flush()
    journal.close()
    list_segments(tmp_path)[1][1].unlink()

    with pytest.raises(JournalCorruptError, match="expected"):
        list(read_commands(tmp_path))


@pytest.mark.parametrize("durability", list(Durability))
def test_every_durability_mode_persists_on_close(tmp_path: Path, durability: Durability) -> None:
    commands = _commands(40)
    journal = Journal.open(tmp_path, durability=durability, sync_interval_s=3600)
    for cmd in commands:
        journal.append(cmd)
    journal.flush()
    if durability is Durability.BATCH:
        assert journal.needs_sync  # written, fsync deferred
    journal.close()
    assert not journal.needs_sync
    assert list(read_commands(tmp_path)) == commands


def test_empty_directory_starts_at_seq_zero(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path / "new")
    assert journal.last_seq == 0
    assert list(read_commands(tmp_path / "new")) == []
    journal.close()


def test_a_new_segment_holding_only_a_torn_frame_is_emptied(tmp_path: Path) -> None:
    journal = Journal.open(tmp_path, segment_bytes=500)
    commands = _commands(30)
    for cmd in commands:
        journal.append(cmd)
        journal.flush()
    journal.close()
    last_first_seq, _ = list_segments(tmp_path)[-1]
    torn = tmp_path / segment_name(31)
    torn.write_bytes(struct.pack("<II", 60, 0) + b"half a frame")

    reopened = Journal.open(tmp_path, segment_bytes=500)
    assert reopened.last_seq == 30
    assert torn.stat().st_size == 0
    reopened.append(stamp(order_flow(1), first_seq=31)[0])
    reopened.close()
    assert last_first_seq < 31
    assert [c.seq for c in read_commands(tmp_path, after_seq=29)] == [30, 31]
