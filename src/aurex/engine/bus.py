"""Fan-out of durable event batches from the sequencer to everyone else.

Two kinds of listener:

* **Handlers** are plain callables run inline, in order, inside ``publish``. They
  see every batch before the sequencer moves on, so their state is consistent with
  the exchange at every batch boundary (the sequencer snapshots them through its
  ``snapshot_extra`` callback). They must be fast and must not block; an exception
  is logged and the handler keeps receiving later batches.
* **Subscriptions** each get a bounded ``asyncio.Queue`` of batches. ``publish``
  never waits for them. Drop policy: a subscription whose queue is full when a
  batch arrives is removed from the bus on the spot; its consumer first receives
  everything queued before the overflow, then ``SubscriptionOverflow``, and must
  resynchronise (for example re-read state and subscribe again). A slow consumer
  therefore loses its feed, never the exchange its throughput, and never sees a
  silent gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from aurex.core.events import Event

log = logging.getLogger(__name__)

Handler = Callable[[list[Event]], None]


class SubscriptionOverflow(Exception):
    """The subscriber fell too far behind and was disconnected from the bus."""


class Subscription:
    """A consumer's view of the bus: ``async for batch in subscription``."""

    def __init__(self, name: str, maxsize: int) -> None:
        self.name = name
        self._queue: asyncio.Queue[list[Event] | None] = asyncio.Queue(maxsize)
        self._overflowed = False
        self._closed = False

    @property
    def overflowed(self) -> bool:
        return self._overflowed

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> int:
        """Batches waiting to be read."""
        return self._queue.qsize()

    def _offer(self, events: list[Event]) -> bool:
        try:
            self._queue.put_nowait(events)
        except asyncio.QueueFull:
            self._overflowed = True
            return False
        return True

    def _close(self) -> None:
        self._closed = True
        # If the queue is full the reader finds _closed once it has drained it.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def get(self) -> list[Event]:
        """The next batch. Raises ``SubscriptionOverflow`` or ``StopAsyncIteration``."""
        if self._queue.empty():
            if self._overflowed:
                raise SubscriptionOverflow(f"subscriber {self.name!r} fell behind")
            if self._closed:
                raise StopAsyncIteration
        batch = await self._queue.get()
        if batch is None:
            raise StopAsyncIteration
        return batch

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> list[Event]:
        return await self.get()


class EventBus:
    """Delivers each published batch to all handlers, then to all subscriptions."""

    def __init__(self) -> None:
        self._handlers: list[Handler] = []
        self._subscriptions: list[Subscription] = []
        self.dropped: list[str] = []
        """Names of subscriptions removed for overflowing, oldest first."""

    def add_handler(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def remove_handler(self, handler: Handler) -> None:
        self._handlers.remove(handler)

    def subscribe(self, name: str, maxsize: int = 1024) -> Subscription:
        """A new subscription holding at most ``maxsize`` undelivered batches."""
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        subscription = Subscription(name, maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
            subscription._close()

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subscriptions)

    def publish(self, events: list[Event]) -> None:
        """Deliver one batch (in seq order). Never blocks and never raises."""
        if not events:
            return
        for handler in self._handlers:
            try:
                handler(events)
            except Exception:
                log.exception("event handler %r failed", handler)
        overflowed = [s for s in self._subscriptions if not s._offer(events)]
        for subscription in overflowed:
            self._subscriptions.remove(subscription)
            self.dropped.append(subscription.name)
            log.warning(
                "dropped subscriber %r: %d batches queued",
                subscription.name,
                subscription.pending(),
            )

    def close(self) -> None:
        """End every subscription (their iterators stop after queued batches)."""
        for subscription in self._subscriptions:
            subscription._close()
        self._subscriptions.clear()
