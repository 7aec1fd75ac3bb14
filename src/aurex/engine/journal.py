"""The append-only command journal: CRC-framed segment files with group commit.

A journal directory holds segments ``journal-<first seq, 20 digits>.seg``. Each
segment is a run of frames ``u32 length | u32 crc32(payload) | payload`` (little
endian), the payload being one stamped command (see ``codec``). Sequence numbers
are consecutive across the whole journal. Segments are never deleted here: the
journal is the source of truth that snapshots, replays and the database derive from.

Writing is split so the sequencer can overlap I/O with matching: ``append`` buffers
frames (event-loop thread), ``detach`` takes the buffered batch, ``commit`` writes
it with one ``write`` and (per durability mode) one ``fsync`` and may run in a
worker thread. At most one ``commit`` may run at a time.

Only the tail of the newest segment can be torn by a crash, and a crash only ever
leaves an *incomplete* last frame (a write stops part way; every complete frame was
written whole). So ``open`` truncates an incomplete final frame (or a zero-filled
tail), but a complete frame whose CRC fails, a bad frame followed by a valid one, or
a length field damaged on an otherwise whole last frame is corruption: it raises
``JournalCorruptError`` and nothing is thrown away.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from aurex.config import Durability
from aurex.core.commands import Command
from aurex.engine import codec

log = logging.getLogger(__name__)

FRAME_HEADER = struct.Struct("<II")
MAX_PAYLOAD_BYTES = codec.MAX_PAYLOAD_BYTES
DEFAULT_SEGMENT_BYTES = 8 << 20
_SUFFIX = ".seg"
_PREFIX = "journal-"


class CorruptDataError(Exception):
    """Data on disk that recovery must not guess about; an operator decides what to do.

    Its message is one line naming the file and what is wrong with it.
    """


class JournalCorruptError(CorruptDataError):
    """A frame that cannot be a torn tail failed its checks; the log needs an operator."""


@dataclass(slots=True)
class PendingBatch:
    """Frames taken from the append buffer, waiting for ``commit``."""

    first_seq: int
    last_seq: int
    data: bytearray


def segment_name(first_seq: int) -> str:
    return f"{_PREFIX}{first_seq:020d}{_SUFFIX}"


def list_segments(directory: Path) -> list[tuple[int, Path]]:
    """``(first_seq, path)`` of every segment, oldest first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        name = path.name
        if name.startswith(_PREFIX) and name.endswith(_SUFFIX):
            digits = name[len(_PREFIX) : -len(_SUFFIX)]
            if digits.isdigit():
                found.append((int(digits), path))
    return sorted(found)


def _frame_at(data: bytes, offset: int) -> tuple[int, memoryview] | None:
    """``(end offset, payload)`` if a whole, CRC-valid frame starts at ``offset``."""
    if len(data) - offset < FRAME_HEADER.size:
        return None
    length, crc = FRAME_HEADER.unpack_from(data, offset)
    start = offset + FRAME_HEADER.size
    end = start + length
    if not 0 < length <= MAX_PAYLOAD_BYTES or end > len(data):
        return None
    payload = memoryview(data)[start:end]
    if zlib.crc32(payload) != crc:
        return None
    return end, payload


_FRAME_START = re.compile(
    b"[\\x91-\\x9f][" + b"".join(b"\\x%02x" % tag for tag in sorted(codec.TAGS.values())) + b"]"
)
"""The first two payload bytes of every frame: a msgpack fixarray and a command tag."""


def _valid_frame_after(data: bytes, offset: int) -> int | None:
    """Offset of the first CRC-valid frame after ``offset``, if any (error path).

    Only offsets whose payload would start like a command are tried, so a search
    through a large segment runs at ``re`` speed.
    """
    skip = FRAME_HEADER.size
    for match in _FRAME_START.finditer(data, offset + 1 + skip):
        candidate = match.start() - skip
        if _frame_at(data, candidate) is not None:
            return candidate
    return None


def damage_at(data: bytes, offset: int) -> str | None:
    """Why the bad frame at ``offset`` cannot be a torn tail, or None if it can.

    A crash leaves the last frame incomplete (its header or payload runs past the end
    of the file), or a zero-filled tail where the file grew but the data never
    arrived. Anything else was written whole and then damaged.
    """
    rest = memoryview(data)[offset:]
    if data.count(0, offset) == len(rest):
        return None
    if len(rest) >= FRAME_HEADER.size:
        length, crc = FRAME_HEADER.unpack_from(rest)
        body = rest[FRAME_HEADER.size :]
        if 0 < length <= len(body):
            return f"frame at byte {offset} is complete but fails its CRC"
        if zlib.crc32(body) == crc:
            return f"frame at byte {offset} has a damaged length field ({length})"
    follower = _valid_frame_after(data, offset)
    if follower is not None:
        return (
            f"bad frame at byte {offset} is followed by a valid frame at byte {follower} "
            "(corrupt in the middle)"
        )
    return None


_SEQ_WIDTH = {0xCC: struct.Struct(">B"), 0xCD: struct.Struct(">H"), 0xCE: struct.Struct(">I")}
_SEQ_WIDTH[0xCF] = struct.Struct(">Q")


def _scan(
    path: Path, data: bytes, first_seq: int, tail: bool
) -> Iterator[tuple[int, int, memoryview]]:
    """Yield ``(seq, end offset, payload)`` of each good frame of one segment.

    In the newest segment (``tail``) a torn final frame (see ``damage_at``) ends the
    scan; any other bad frame raises ``JournalCorruptError``. This loop runs for
    every frame at start-up, so it is written out flat (no call per frame on the
    common path): ``_frame_at`` and ``codec.peek_seq`` inlined.
    """
    offset = 0
    expected = first_seq
    size = len(data)
    view = memoryview(data)
    unpack, crc32, widths = FRAME_HEADER.unpack_from, zlib.crc32, _SEQ_WIDTH
    while offset < size:
        if size - offset >= 8:
            length, crc = unpack(data, offset)
            start = offset + 8
            end = start + length
            if 2 < length <= MAX_PAYLOAD_BYTES and end <= size:
                payload = view[start:end]
                if crc32(payload) == crc:
                    kind = data[start + 2]
                    width = widths.get(kind)
                    if kind <= 0x7F:
                        seq = kind
                    elif width is not None and length >= 3 + width.size:
                        seq = width.unpack_from(data, start + 3)[0]
                    else:
                        raise JournalCorruptError(
                            f"{path}: frame at byte {offset}: command seq is not an integer"
                        )
                    if not 0x91 <= data[start] <= 0x9F:
                        raise JournalCorruptError(
                            f"{path}: frame at byte {offset} does not hold a command"
                        )
                    if seq != expected:
                        raise JournalCorruptError(
                            f"{path}: frame at byte {offset} has seq {seq}, expected {expected}"
                        )
                    yield seq, end, payload
                    expected += 1
                    offset = end
                    continue
        if tail:
            damage = damage_at(data, offset)
            if damage is None:
                return
            raise JournalCorruptError(f"{path}: {damage}, after seq {expected - 1}")
        raise JournalCorruptError(
            f"{path}: bad frame at byte {offset} of a sealed segment, after seq {expected - 1}"
        )


def read_commands(
    directory: Path, after_seq: int = 0, until_seq: int | None = None
) -> Iterator[Command]:
    """Commands with ``after_seq < seq <= until_seq`` in order, without changing files.

    Safe while a writer appends: a torn or half-written tail of the newest segment
    ends the iteration. Raises ``JournalCorruptError`` on real corruption or a gap.
    """
    segments = list_segments(directory)
    start = 0
    for i, (first_seq, _) in enumerate(segments):
        if first_seq <= after_seq + 1:
            start = i
    expected = None
    for i in range(start, len(segments)):
        first_seq, path = segments[i]
        if expected is not None and first_seq != expected:
            raise JournalCorruptError(f"{path}: starts at seq {first_seq}, expected {expected}")
        expected = first_seq
        data = path.read_bytes()
        for seq, _, payload in _scan(path, data, first_seq, tail=i == len(segments) - 1):
            expected = seq + 1
            if until_seq is not None and seq > until_seq:
                return
            if seq > after_seq:
                try:
                    yield codec.decode(payload)
                except codec.CodecError as exc:
                    raise JournalCorruptError(f"{path}: seq {seq}: {exc}") from exc


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes | bytearray) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class Journal:
    """The writable journal of one directory. Use ``Journal.open``."""

    def __init__(
        self,
        directory: Path,
        *,
        durability: Durability,
        segment_bytes: int,
        sync_interval_s: float,
        last_seq: int,
        repaired_bytes: int,
    ) -> None:
        self.directory = directory
        self.durability = durability
        self.segment_bytes = segment_bytes
        self.sync_interval_s = sync_interval_s
        self.last_seq = last_seq
        """Seq of the last appended frame (buffered or written)."""
        self.committed_seq = last_seq
        """Seq of the last frame handed to the OS (and synced, in ``fsync`` mode)."""
        self.repaired_bytes = repaired_bytes
        """Bytes of torn tail removed by ``open``."""
        self._buf = bytearray()
        self._buf_first_seq = 0
        self._fd: int | None = None
        self._segment_size = 0
        self._last_sync = time.monotonic()
        self._unsynced = False
        segments = list_segments(directory)
        if segments:
            path = segments[-1][1]
            size = path.stat().st_size
            if size < segment_bytes:
                self._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
                self._segment_size = size

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        durability: Durability = Durability.FSYNC,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        sync_interval_s: float = 0.05,
    ) -> Journal:
        """Open (creating if needed) and repair a torn tail of the newest segment.

        ``sync_interval_s`` is the longest a ``batch``-mode journal goes without fsync
        while commits keep arriving; ``close`` always syncs in that mode.
        """
        directory.mkdir(parents=True, exist_ok=True)
        segments = list_segments(directory)
        last_seq = 0
        repaired = 0
        if segments:
            first_seq, path = segments[-1]
            last_seq = first_seq - 1
            data = path.read_bytes()
            valid_end = 0
            for seq, end, _ in _scan(path, data, first_seq, tail=True):
                last_seq, valid_end = seq, end
            if valid_end < len(data):
                repaired = len(data) - valid_end
                log.warning(
                    "journal %s: truncating %d bytes of torn tail after seq %d",
                    path,
                    repaired,
                    last_seq,
                )
                with open(path, "r+b") as f:
                    f.truncate(valid_end)
                    f.flush()
                    os.fsync(f.fileno())
        return cls(
            directory,
            durability=durability,
            segment_bytes=segment_bytes,
            sync_interval_s=sync_interval_s,
            last_seq=last_seq,
            repaired_bytes=repaired,
        )

    # -- appending (event-loop thread) --------------------------------------

    def append(self, cmd: Command) -> None:
        """Buffer a stamped command; its seq must follow the last one."""
        self.append_encoded(cmd.seq, [codec.encode(cmd)])

    def append_encoded(self, first_seq: int, payloads: list[bytes]) -> None:
        """Buffer already encoded commands (from ``codec.encode``) with consecutive
        seqs from ``first_seq``, which must follow the last one. All or nothing."""
        if first_seq != self.last_seq + 1:
            raise ValueError(f"journal expects seq {self.last_seq + 1}, got {first_seq}")
        if not payloads:
            return
        buf = self._buf
        start = len(buf)
        pack, crc32 = FRAME_HEADER.pack, zlib.crc32
        for payload in payloads:
            size = len(payload)
            if not 0 < size <= MAX_PAYLOAD_BYTES:
                del buf[start:]
                raise ValueError(f"a command payload of {size} bytes does not fit a frame")
            buf += pack(size, crc32(payload))
            buf += payload
        if start == 0:
            self._buf_first_seq = first_seq
        self.last_seq = first_seq + len(payloads) - 1

    def detach(self) -> PendingBatch | None:
        """Take everything buffered since the last ``detach`` (None if nothing)."""
        if not self._buf:
            return None
        batch = PendingBatch(self._buf_first_seq, self.last_seq, self._buf)
        self._buf = bytearray()
        return batch

    # -- writing (may run in a worker thread) ---------------------------------

    def commit(self, batch: PendingBatch) -> None:
        """Write one batch with a single ``write``, then sync per the durability mode."""
        if batch.first_seq != self.committed_seq + 1:
            raise ValueError(f"commit out of order: {batch.first_seq} after {self.committed_seq}")
        if self._fd is None or self._segment_size >= self.segment_bytes:
            self._rotate(batch.first_seq)
        assert self._fd is not None
        _write_all(self._fd, batch.data)
        self._segment_size += len(batch.data)
        self._unsynced = self.durability is not Durability.NONE
        if self.durability is Durability.FSYNC or (
            self.durability is Durability.BATCH
            and time.monotonic() - self._last_sync >= self.sync_interval_s
        ):
            self.sync()
        self.committed_seq = batch.last_seq

    def flush(self) -> None:
        """``detach`` + ``commit`` in the calling thread."""
        batch = self.detach()
        if batch is not None:
            self.commit(batch)

    @property
    def needs_sync(self) -> bool:
        """Whether committed frames are waiting for an fsync (``batch`` mode)."""
        return self._unsynced

    def sync(self) -> None:
        """Force written frames to stable storage."""
        if self._fd is not None and self._unsynced:
            os.fdatasync(self._fd)
            self._unsynced = False
        self._last_sync = time.monotonic()

    def _rotate(self, first_seq: int) -> None:
        if self._fd is not None:
            if self.durability is not Durability.NONE:
                self.sync()
            os.close(self._fd)
        path = self.directory / segment_name(first_seq)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o644)
        self._segment_size = 0
        if self.durability is not Durability.NONE:
            _fsync_dir(self.directory)

    def close(self) -> None:
        """Write what is buffered, sync (unless durability is ``none``) and close."""
        self.flush()
        if self._fd is not None:
            if self.durability is not Durability.NONE:
                self.sync()
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
