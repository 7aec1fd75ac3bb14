"""Numbers shared by the gateway benchmarks: percentiles, and the disk's fsync time
(the floor under any durable round trip)."""

from __future__ import annotations

import os
import time
from pathlib import Path


def percentile(sorted_values: list[int] | list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def histogram_percentile(histogram: dict[int, int], q: float) -> int:
    """The ``q`` quantile of values given as ``{value: how many}``."""
    total = sum(histogram.values())
    if not total:
        return 0
    rank, seen = q * total, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)


def fsync_p50_us(directory: Path, samples: int = 500) -> float:
    """Median time of a 128-byte append + ``os.fdatasync`` in ``directory``: what the
    journal does for each batch of commands, on the same disk."""
    path = directory / "fsync-probe"
    times: list[float] = []
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        record = b"x" * 128
        for _ in range(samples):
            start = time.perf_counter_ns()
            os.write(fd, record)
            os.fdatasync(fd)
            times.append((time.perf_counter_ns() - start) / 1000)
    finally:
        os.close(fd)
        path.unlink()
    times.sort()
    return percentile(times, 0.5)
