"""Writing log lines in batches, so the event loop does not make a system call per line.

A write releases the GIL; while the projector's database thread or the journal's
fsync thread holds it, the event loop thread then waits to get it back. With one
request line per order, writing lines one by one cost about a quarter of a REST
order's server time (bench/gateways.py: 2,660 orders/s against 2,935-3,115 with
this handler). This
handler formats each record as it comes but writes what has gathered every
``interval_s`` from a thread of its own, or at once when ``max_bytes`` have
gathered or a record is an error, so a failure reaches the log before anything
else can go wrong. ``flush()`` (and so ``logging.shutdown`` at exit) writes the rest.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from typing import TextIO

_handlers: weakref.WeakSet[BatchingStreamHandler] = weakref.WeakSet()


class BatchingStreamHandler(logging.StreamHandler[TextIO]):
    def __init__(self, stream: TextIO, interval_s: float = 0.1, max_bytes: int = 64 * 1024) -> None:
        super().__init__(stream)
        self.interval_s = interval_s
        self.max_bytes = max_bytes
        self._pending: list[str] = []
        self._pending_bytes = 0
        self._stopping = threading.Event()
        self._writer = threading.Thread(target=self._write_periodically, daemon=True)
        self._writer.name = "aurex-log-writer"
        self._writer.start()
        _handlers.add(self)

    def emit(self, record: logging.LogRecord) -> None:
        """Called with the handler's lock held (``Handler.handle``)."""
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._pending.append(line)
        self._pending_bytes += len(line)
        if self._pending_bytes >= self.max_bytes or record.levelno >= logging.ERROR:
            self._write()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            self._write()

    def close(self) -> None:
        self._stopping.set()
        self.flush()
        super().close()

    def _write(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        if getattr(self.stream, "closed", False):
            return  # its owner closed it (e.g. a test's captured stderr): nowhere to write
        try:
            self.stream.write(text)
            self.stream.flush()
        except Exception:  # as StreamHandler: report on stderr, never raise into the caller
            self.handleError(logging.makeLogRecord({"msg": "writing the log failed"}))

    def _write_periodically(self) -> None:
        while not self._stopping.wait(self.interval_s):
            self.flush()

    def _forget_pending(self) -> None:
        self._pending.clear()
        self._pending_bytes = 0


def _in_forked_child() -> None:
    """A forked child (the snapshot writer) must not write its parent's pending lines."""
    for handler in list(_handlers):
        handler._forget_pending()


os.register_at_fork(after_in_child=_in_forked_child)
