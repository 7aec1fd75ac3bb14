"""Snapshot files: the exchange state at one seq, checksummed and written atomically.

A file ``snapshot-<seq, 20 digits>.snap`` is ``MAGIC | u64 body length |
sha256(body) | body`` where the body is msgpack of a map with the seq, the
timestamp of that command, the exchange's state hash, its ``snapshot()`` data and
optional ``extra`` state of projections taken at the same point. Files are written
to a temporary name, fsynced and renamed, so a crash leaves either the old set or
the new one. Only the newest ``keep`` files are kept.

Capturing, encoding and writing a snapshot of a large exchange takes seconds of
CPU. ``fork_writer`` does all of it in a forked child, which sees the parent's
memory frozen at the moment of the fork (copy-on-write, like Redis's BGSAVE), so
the parent's event loop only pays for the ``fork`` itself and goes on matching.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import logging
import os
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator
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


_PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies, so a snapshot writer
    never outlives a killed server (and races the next one over the directory)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _child_setup(parent: int) -> None:
    _die_with_parent(parent)
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)  # the parent's event loop owns that socket
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent


@dataclass(slots=True)
class ForkedWrite:
    """A snapshot being written by a child process; ``wait`` (blocking) for it."""

    pid: int
    seq: int
    _report: int
    """Read end of a pipe on which the child reports the file size or its error."""

    def wait(self, timeout_s: float) -> tuple[bool, str]:
        """``(written, size or error)``; a child still running after ``timeout_s``
        is killed (it may be stuck on a lock some parent thread held at the fork)."""
        deadline = time.monotonic() + timeout_s
        status: int | None = None
        while True:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped by someone else: judge by its report
                pid, status = self.pid, None
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(self.pid, 0)
                os.close(self._report)
                return False, f"snapshot writer {self.pid} timed out after {timeout_s:.0f} s"
            time.sleep(0.01)
        with os.fdopen(self._report, "rb") as report:
            message = report.read().decode(errors="replace")
        written = message.isdigit() if status is None else os.waitstatus_to_exitcode(status) == 0
        if not written:
            return False, message or f"snapshot writer exited with status {status}"
        return True, message


def fork_writer(
    store: SnapshotStore,
    seq: int,
    capture: Callable[[], Snapshot],
    before_write: Callable[[], None] | None = None,
) -> ForkedWrite:
    """Fork a child that runs ``capture``, encodes the snapshot and writes it to
    ``store``; the caller carries on at once. ``before_write`` runs in the child
    first (e.g. fsync the journal, so no snapshot is durable before its commands).

    The child must not log or touch the event loop: it only computes and writes,
    then leaves with ``os._exit`` (no atexit handlers, no flushing of inherited
    buffers).
    """
    parent = os.getpid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
        status = 1
        try:
            os.close(read_end)
            _child_setup(parent)
            if before_write is not None:
                before_write()
            blob = encode_snapshot(capture())
            store.write(seq, blob)
            os.write(write_end, str(len(blob)).encode())
            status = 0
        except BaseException as exc:
            with contextlib.suppress(BaseException):
                os.write(write_end, repr(exc)[:2000].encode())
        finally:
            os._exit(status)
    os.close(write_end)
    return ForkedWrite(pid, seq, read_end)
