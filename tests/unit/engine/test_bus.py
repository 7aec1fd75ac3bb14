"""Event fan-out: inline handlers, bounded subscriptions and the drop policy."""

from __future__ import annotations

import pytest

from aurex.core.events import Event, SymbolHalted
from aurex.engine.bus import EventBus, SubscriptionOverflow


def _batch(seq: int) -> list[Event]:
    return [SymbolHalted(seq=seq, ts_ns=seq, symbol="AAA")]


async def test_handlers_and_subscribers_see_every_batch_in_order() -> None:
    bus = EventBus()
    seen: list[int] = []
    bus.add_handler(lambda events: seen.extend(e.seq for e in events))
    subscription = bus.subscribe("ws", maxsize=10)
    for seq in (1, 2, 3):
        bus.publish(_batch(seq))
    assert seen == [1, 2, 3]
    assert [(await subscription.get())[0].seq for _ in range(3)] == [1, 2, 3]


async def test_a_failing_handler_does_not_stop_the_others() -> None:
    bus = EventBus()
    seen: list[int] = []

    def broken(events: list[Event]) -> None:
        raise RuntimeError("projection bug")

    bus.add_handler(broken)
    bus.add_handler(lambda events: seen.extend(e.seq for e in events))
    bus.publish(_batch(1))
    bus.publish(_batch(2))
    assert seen == [1, 2]


async def test_slow_subscriber_is_dropped_after_receiving_what_was_queued() -> None:
    bus = EventBus()
    slow = bus.subscribe("slow", maxsize=2)
    fast = bus.subscribe("fast", maxsize=100)
    for seq in range(1, 6):
        bus.publish(_batch(seq))

    assert slow.overflowed
    assert bus.dropped == ["slow"]
    assert bus.subscriptions == [fast]
    assert [(await slow.get())[0].seq for _ in range(2)] == [1, 2]
    with pytest.raises(SubscriptionOverflow):
        await slow.get()
    assert [(await fast.get())[0].seq for _ in range(5)] == [1, 2, 3, 4, 5]


async def test_publishing_never_waits_for_subscribers() -> None:
    bus = EventBus()
    bus.subscribe("never reads", maxsize=1)
    for seq in range(1, 1000):
        bus.publish(_batch(seq))  # would block forever if publish awaited queue space
    assert bus.dropped == ["never reads"]


async def test_closing_the_bus_ends_iteration_after_queued_batches() -> None:
    bus = EventBus()
    subscription = bus.subscribe("reader", maxsize=1)
    bus.publish(_batch(1))
    bus.close()
    received = [batch[0].seq async for batch in subscription]
    assert received == [1]


async def test_unsubscribed_reader_stops_and_empty_batches_are_not_sent() -> None:
    bus = EventBus()
    subscription = bus.subscribe("reader")
    bus.publish([])
    bus.unsubscribe(subscription)
    assert [batch async for batch in subscription] == []
