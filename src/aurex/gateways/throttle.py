"""Order-entry throttle of the gRPC and binary TCP gateways: a token bucket per user.

REST counts every trading request in per-minute windows (``http/rate_limit.py``);
the streaming gateways are for programs that send thousands of orders a second,
so they get a per-second budget instead. One :class:`OrderThrottle` is shared by
both gateways of a process: a user's orders and amends over gRPC and TCP draw on
the same bucket, which holds ``burst`` tokens and refills at ``rate`` per second.
Cancels are never throttled, so a throttled program can always pull its orders.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aurex.gateways.codes import GatewayCode
from aurex.gateways.order_entry import EntryError, ErrorKind

MAX_TRACKED_USERS = 10_000
"""Past this many buckets, the full ones (users idle for a while) are forgotten."""


class OrderThrottle:
    def __init__(
        self,
        rate: float,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate <= 0:
            raise ValueError("the order rate must be positive")
        self.rate = rate
        self.burst = float(burst if burst is not None else max(1, round(rate)))
        self._clock = clock
        self._buckets: dict[str, list[float]] = {}
        """Per user: [tokens, time they were counted]."""

    def take(self, user_id: str) -> None:
        """Spend one token of ``user_id``'s bucket, or raise ``EntryError`` (2020)."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_USERS:
                self._forget_full(now)
            bucket = self._buckets[user_id] = [self.burst, now]
        tokens = min(self.burst, bucket[0] + (now - bucket[1]) * self.rate)
        bucket[1] = now
        if tokens < 1.0 - 1e-9:  # allowing for the rounding of (now - then) * rate
            bucket[0] = tokens
            wait_ms = max(1, int((1.0 - tokens) / self.rate * 1000 + 0.999))
            raise EntryError(
                ErrorKind.RATE_LIMITED,
                GatewayCode.RATE_LIMITED,
                f"too many orders: at most {self.rate:g} per second per user "
                f"(bursts of {self.burst:g}); retry in {wait_ms} ms",
            )
        bucket[0] = tokens - 1.0

    def _forget_full(self, now: float) -> None:
        burst, rate = self.burst, self.rate
        self._buckets = {
            user: bucket
            for user, bucket in self._buckets.items()
            if bucket[0] + (now - bucket[1]) * rate < burst
        }
