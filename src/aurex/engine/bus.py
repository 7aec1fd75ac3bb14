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
from typing import Generic, TypeVar

from aurex.core.events import Event

log = logging.getLogger(__name__)

Handler = Callable[[list[Event]], None]
T = TypeVar("T")


class SubscriptionOverflow(Exception):
    """The subscriber fell too far behind and was disconnected from the bus."""


class Subscription(Generic[T]):
    """A consumer's view of a feed: ``async for item in subscription``."""

    def __init__(self, name: str, maxsize: int) -> None:
        self.name = name
        self._queue: asyncio.Queue[T | None] = asyncio.Queue(maxsize)
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

    def _offer(self, item: T) -> bool:
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            self._overflowed = True
            return False
        return True

    def _close(self) -> None:
        self._closed = True
        # If the queue is full the reader finds _closed once it has drained it.
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(None)

    async def get(self) -> T:
        """The next item. Raises ``SubscriptionOverflow`` or ``StopAsyncIteration``."""
        if self._queue.empty():
            if self._overflowed:
                raise SubscriptionOverflow(f"subscriber {self.name!r} fell behind")
            if self._closed:
                raise StopAsyncIteration
        batch = await self._queue.get()
        if batch is None:
            raise StopAsyncIteration
        return batch

    def __aiter__(self) -> Subscription[T]:
        return self

    async def __anext__(self) -> T:
        return await self.get()


class Feed(Generic[T]):
    """Delivers each published item to every subscription without ever waiting."""

    def __init__(self) -> None:
        self._subscriptions: list[Subscription[T]] = []
        self.dropped: list[str] = []
        """Names of subscriptions removed for overflowing, oldest first."""

    def subscribe(self, name: str, maxsize: int = 1024) -> Subscription[T]:
        """A new subscription holding at most ``maxsize`` undelivered items."""
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        subscription: Subscription[T] = Subscription(name, maxsize)
        self._subscriptions.append(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription[T]) -> None:
        if subscription in self._subscriptions:
            self._subscriptions.remove(subscription)
            subscription._close()

    @property
    def subscriptions(self) -> list[Subscription[T]]:
        return list(self._subscriptions)

    def offer(self, item: T) -> None:
        """Queue ``item`` for every subscription; drop those that are full."""
        overflowed = [s for s in self._subscriptions if not s._offer(item)]
        for subscription in overflowed:
            self._subscriptions.remove(subscription)
            self.dropped.append(subscription.name)
            log.warning(
                "dropped subscriber %r: %d items queued",
                subscription.name,
                subscription.pending(),
            )

    def close(self) -> None:
        """End every subscription (their iterators stop after queued items)."""
        for subscription in self._subscriptions:
            subscription._close()
        self._subscriptions.clear()


class EventBus(Feed[list[Event]]):
    """Delivers each published batch to all handlers, then to all subscriptions."""

    def __init__(self) -> None:
        super().__init__()
        self._handlers: list[Handler] = []

    def add_handler(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def remove_handler(self, handler: Handler) -> None:
        self._handlers.remove(handler)

    def publish(self, events: list[Event]) -> None:
        """Deliver one batch (in seq order). Never blocks and never raises."""
        if not events:
            return
        for handler in self._handlers:
            try:
                handler(events)
            except Exception:
                log.exception("event handler %r failed", handler)
        self.offer(events)
