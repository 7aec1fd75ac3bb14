"""Log lines are written in batches, errors at once, and nothing is lost at close."""

from __future__ import annotations

import io
import logging
import os
import time

import pytest

from aurex.log_writer import BatchingStreamHandler


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def record(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "levelno": level, "levelname": "X"})


def test_lines_gather_and_leave_together_on_flush() -> None:
    stream = CountingStream()
    handler = BatchingStreamHandler(stream, interval_s=3600)
    try:
        for i in range(100):
            handler.handle(record(f"line {i}"))
        assert stream.getvalue() == "" and stream.writes == 0
        handler.flush()
        assert stream.getvalue().splitlines() == [f"line {i}" for i in range(100)]
        assert stream.writes == 1
    finally:
        handler.close()


def test_an_error_is_written_at_once_with_what_came_before() -> None:
    stream = CountingStream()
    handler = BatchingStreamHandler(stream, interval_s=3600)
    try:
        handler.handle(record("before"))
        handler.handle(record("it broke", logging.ERROR))
        assert stream.getvalue().splitlines() == ["before", "it broke"]
    finally:
        handler.close()


def test_a_full_batch_is_written_without_waiting() -> None:
    stream = CountingStream()
    handler = BatchingStreamHandler(stream, interval_s=3600, max_bytes=1000)
    try:
        for _ in range(30):
            handler.handle(record("x" * 99))  # 100 bytes with the newline
        assert stream.writes == 3 and len(stream.getvalue()) == 3000
    finally:
        handler.close()


def test_the_writer_thread_writes_what_waits_within_its_interval() -> None:
    stream = CountingStream()
    handler = BatchingStreamHandler(stream, interval_s=0.01)
    try:
        handler.handle(record("soon"))
        deadline = time.monotonic() + 10
        while stream.getvalue() == "" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert stream.getvalue() == "soon\n"
    finally:
        handler.close()


def test_close_writes_the_rest_and_stops_the_thread() -> None:
    stream = CountingStream()
    handler = BatchingStreamHandler(stream, interval_s=3600)
    handler.handle(record("last words"))
    handler.close()
    assert stream.getvalue() == "last words\n"
    handler._writer.join(timeout=5)
    assert not handler._writer.is_alive()


def test_a_forked_child_does_not_repeat_the_parents_pending_lines() -> None:
    read_end, write_end = os.pipe()
    stream = os.fdopen(write_end, "w")
    handler = BatchingStreamHandler(stream, interval_s=3600)
    handler.handle(record("parent line"))
    pid = os.fork()
    if pid == 0:  # the child: an error flushes at once, but only its own lines
        handler.handle(record("child error", logging.ERROR))
        os._exit(0)
    os.waitpid(pid, 0)
    handler.close()
    stream.close()
    with os.fdopen(read_end) as reader:
        assert reader.read().splitlines() == ["child error", "parent line"]


def test_lines_for_a_stream_closed_by_its_owner_are_dropped_quietly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stream = CountingStream()
    handler = BatchingStreamHandler(stream, interval_s=3600)
    handler.handle(record("too late"))
    stream.close()
    handler.close()
    assert capsys.readouterr().err == ""


def test_closing_twice_is_harmless() -> None:
    handler = BatchingStreamHandler(CountingStream(), interval_s=3600)
    handler.close()
    handler.close()
