"""The gRPC/TCP order throttle: a token bucket per user, refilled with time."""

from __future__ import annotations

import pytest

from aurex.gateways.codes import GatewayCode
from aurex.gateways.order_entry import EntryError, ErrorKind
from aurex.gateways.throttle import MAX_TRACKED_USERS, OrderThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def refused(throttle: OrderThrottle, user: str) -> EntryError:
    with pytest.raises(EntryError) as caught:
        throttle.take(user)
    return caught.value


def test_a_burst_passes_then_the_next_order_is_refused_with_a_retry_time() -> None:
    clock = Clock()
    throttle = OrderThrottle(4, clock=clock)
    for _ in range(4):
        throttle.take("alice")
    error = refused(throttle, "alice")
    assert (error.kind, error.code) == (ErrorKind.RATE_LIMITED, GatewayCode.RATE_LIMITED)
    assert "at most 4 per second" in error.message and "retry in 250 ms" in error.message


def test_tokens_come_back_at_the_rate_and_never_beyond_the_burst() -> None:
    clock = Clock()
    throttle = OrderThrottle(10, burst=2, clock=clock)
    throttle.take("alice")
    throttle.take("alice")
    refused(throttle, "alice")
    clock.now += 0.1  # one token
    throttle.take("alice")
    refused(throttle, "alice")
    clock.now += 3600  # an idle hour refills only up to the burst
    throttle.take("alice")
    throttle.take("alice")
    refused(throttle, "alice")


def test_refused_attempts_do_not_use_up_tokens() -> None:
    clock = Clock()
    throttle = OrderThrottle(10, burst=1, clock=clock)
    throttle.take("alice")
    for _ in range(50):
        refused(throttle, "alice")
    clock.now += 0.1
    throttle.take("alice")


def test_each_user_has_a_bucket_of_their_own() -> None:
    throttle = OrderThrottle(1, clock=Clock())
    throttle.take("alice")
    refused(throttle, "alice")
    throttle.take("bob")


def test_idle_users_are_forgotten_once_many_are_tracked_but_busy_ones_are_not() -> None:
    clock = Clock()
    throttle = OrderThrottle(1, burst=1, clock=clock)
    throttle.take("busy")
    for i in range(MAX_TRACKED_USERS - 1):
        throttle.take(f"idle-{i}")
    clock.now += 0.5  # everyone is still refilling: nobody can be forgotten yet
    throttle.take("newcomer")
    refused(throttle, "busy")
    clock.now += 10  # all full again
    throttle.take("another")
    assert len(throttle._buckets) == 1


def test_the_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        OrderThrottle(0)
