"""Snapshot files: the exchange state at one seq, checksummed and written atomically.

A file ``snapshot-<seq, 20 digits>.snap`` is ``MAGIC | u64 body length |
sha256(body) | body`` where the body is msgpack of a map with the seq, the
timestamp of that command, the exchange's state hash, its ``snapshot()`` data and
optional ``extra`` state of projections taken at the same point. Files are written
to a temporary name, fsynced and renamed, so a crash leaves either the old set or
the new one. Only the newest ``keep`` files are kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

log = logging.getLogger(__name__)

MAGIC = b"AUREXSN1"
_HEADER = struct.Struct("<8sQ32s")
_PREFIX = "snapshot-"
_SUFFIX = ".snap"


class SnapshotError(Exception):
    """A snapshot file is unreadable, truncated or fails its checksum."""


@dataclass(slots=True)
class Snapshot:
    """The exchange at ``seq``: plain data plus the hash it must restore to."""

    seq: int
    ts_ns: int
    state_hash: str
    exchange: dict[str, Any]
    extra: Any = None


class _Body(msgspec.Struct):
    seq: int
    ts_ns: int
    state_hash: str
    exchange: dict[str, Any]
    extra: Any = None


def encode_snapshot(snapshot: Snapshot) -> bytes:
    """The complete file image of ``snapshot``."""
    body = msgspec.msgpack.encode(
        _Body(
            snapshot.seq,
            snapshot.ts_ns,
            snapshot.state_hash,
            snapshot.exchange,
            snapshot.extra,
        )
    )
    return _HEADER.pack(MAGIC, len(body), hashlib.sha256(body).digest()) + body


def decode_snapshot(blob: bytes) -> Snapshot:
    """Parse and verify a file image; raises ``SnapshotError`` if it is not intact."""
    if len(blob) < _HEADER.size:
        raise SnapshotError("file is shorter than its header")
    magic, length, digest = _HEADER.unpack_from(blob)
    body = memoryview(blob)[_HEADER.size :]
    if magic != MAGIC:
        raise SnapshotError("not an Aurex snapshot")
    if len(body) != length:
        raise SnapshotError(f"body is {len(body)} bytes, header says {length}")
    if hashlib.sha256(body).digest() != digest:
        raise SnapshotError("checksum mismatch")
    try:
        parsed = msgspec.msgpack.decode(body, type=_Body)
    except msgspec.DecodeError as exc:
        raise SnapshotError(f"undecodable body: {exc}") from exc
    return Snapshot(parsed.seq, parsed.ts_ns, parsed.state_hash, parsed.exchange, parsed.extra)


def snapshot_name(seq: int) -> str:
    return f"{_PREFIX}{seq:020d}{_SUFFIX}"


class SnapshotStore:
    """The snapshot files of one directory."""

    def __init__(self, directory: Path, *, keep: int = 3) -> None:
        if keep < 1:
            raise ValueError("keep must be at least 1")
        self.directory = directory
        self.keep = keep

    def paths(self) -> list[tuple[int, Path]]:
        """``(seq, path)`` of every snapshot file, newest first."""
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.iterdir():
            name = path.name
            if name.startswith(_PREFIX) and name.endswith(_SUFFIX):
                digits = name[len(_PREFIX) : -len(_SUFFIX)]
                if digits.isdigit():
                    found.append((int(digits), path))
        return sorted(found, reverse=True)

    def write(self, seq: int, blob: bytes) -> Path:
        """Durably store a file image from ``encode_snapshot``; prune old ones. Blocking."""
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / snapshot_name(seq)
        tmp = final.with_name(final.name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(blob)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)
        fd = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self.prune()
        return final

    def prune(self) -> None:
        """Delete all but the newest ``keep`` snapshots, and leftover temporary files."""
        for _, path in self.paths()[self.keep :]:
            path.unlink(missing_ok=True)
        for tmp in self.directory.glob(f"{_PREFIX}*{_SUFFIX}.tmp"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def load(self, max_seq: int | None = None) -> Iterator[Snapshot]:
        """Intact snapshots with ``seq <= max_seq``, newest first; bad files are logged."""
        for seq, path in self.paths():
            if max_seq is not None and seq > max_seq:
                continue
            try:
                snapshot = decode_snapshot(path.read_bytes())
            except (OSError, SnapshotError) as exc:
                log.warning("snapshot %s is unusable (%s); trying an older one", path, exc)
                continue
            if snapshot.seq != seq:
                log.warning("snapshot %s holds seq %d; skipping it", path, snapshot.seq)
                continue
            yield snapshot
