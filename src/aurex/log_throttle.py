"""Log rate limiting, so an attack cannot turn the log into a disk-filling weapon.

A flood of failing connections makes the same record (often with a long traceback)
thousands of times a second. ``LogThrottle`` is a handler filter with a token bucket
per message template and one for all records: a repeated message passes a short
burst, then about one a minute, and the next one that passes says how many like it
were dropped. Records below WARNING (start-up and progress lines) are not limited.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 4096


@dataclass(slots=True)
class _Bucket:
    tokens: float
    stamp: float
    dropped: int = 0


class LogThrottle(logging.Filter):
    """Passes at most ``burst`` records of one template at once, refilled at ``per_s``,
    and at most ``total_burst`` of all, refilled at ``total_per_s`` (``level`` and up)."""

    def __init__(
        self,
        burst: int = 10,
        per_s: float = 1 / 60,
        total_burst: int = 200,
        total_per_s: float = 20.0,
        level: int = logging.WARNING,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.level = level
        self.burst = burst
        self.per_s = per_s
        self.total_burst = total_burst
        self.total_per_s = total_per_s
        self.clock = clock
        self.total = _Bucket(float(total_burst), clock())
        self.buckets: dict[tuple[str, int, str], _Bucket] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level:
            return True
        now = self.clock()
        # structlog hands the formatter its event dict: throttle on the message alone.
        msg = record.msg
        template = msg.get("event") if isinstance(msg, dict) else msg
        key = (record.name, record.levelno, str(template))
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= MAX_KEYS:
                self.buckets.clear()
            bucket = self.buckets[key] = _Bucket(float(self.burst), now)
        if not (
            _take(bucket, now, self.burst, self.per_s)
            and _take(self.total, now, self.total_burst, self.total_per_s)
        ):
            bucket.dropped += 1
            return False
        if bucket.dropped:
            if isinstance(msg, dict):
                record.msg = {**msg, "suppressed": bucket.dropped}
            else:
                record.msg = f"{record.msg} [{bucket.dropped} similar messages suppressed]"
            bucket.dropped = 0
        return True


def _take(bucket: _Bucket, now: float, burst: int, per_s: float) -> bool:
    bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.stamp) * per_s)
    bucket.stamp = now
    if bucket.tokens < 1.0:
        return False
    bucket.tokens -= 1.0
    return True


def throttle_logging(*loggers: logging.Logger) -> None:
    """Add one shared ``LogThrottle`` to the handlers of the root logger and ``loggers``."""
    throttle: LogThrottle | None = None
    handlers = [h for lg in (logging.getLogger(), *loggers) for h in lg.handlers]
    for handler in handlers:
        existing = [f for f in handler.filters if isinstance(f, LogThrottle)]
        if existing:
            throttle = throttle or existing[0]
    throttle = throttle or LogThrottle()
    for handler in handlers:
        if not any(isinstance(f, LogThrottle) for f in handler.filters):
            handler.addFilter(throttle)
