"""The log throttle passes a burst per message, then a trickle, and counts what it dropped."""

from __future__ import annotations

import logging

from aurex.log_throttle import LogThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _record(msg: str, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("uvicorn.error", level, __file__, 1, msg, None, None)


def test_a_repeated_warning_passes_a_burst_then_one_per_refill_with_a_count() -> None:
    clock = Clock()
    throttle = LogThrottle(burst=3, per_s=1 / 60, clock=clock)
    passed = [throttle.filter(_record("socket.accept() out of system resource")) for _ in range(50)]
    assert passed == [True] * 3 + [False] * 47
    clock.now = 60.0
    record = _record("socket.accept() out of system resource")
    assert throttle.filter(record)
    assert record.getMessage().endswith("[47 similar messages suppressed]")
    assert not throttle.filter(_record("socket.accept() out of system resource"))


def test_other_messages_keep_their_own_budget_and_info_is_never_limited() -> None:
    throttle = LogThrottle(burst=2, clock=Clock())
    for _ in range(10):
        throttle.filter(_record("flood"))
    assert throttle.filter(_record("something else"))
    assert all(throttle.filter(_record("listed %s", logging.INFO)) for _ in range(100))


def test_the_total_budget_caps_many_distinct_messages() -> None:
    throttle = LogThrottle(burst=5, total_burst=20, total_per_s=1.0, clock=Clock())
    passed = sum(throttle.filter(_record(f"error {i}")) for i in range(1000))
    assert passed == 20
