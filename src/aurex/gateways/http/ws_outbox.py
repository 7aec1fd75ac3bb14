"""One WebSocket client's bounded queue of outgoing messages.

The hub puts messages without ever waiting; the client's own sender task takes
them. ``put_latest`` conflates: a newer message under the same key (a symbol's
ticker, the index) replaces the queued one in place, keeping its position. When
more than ``limit`` messages wait, the client is a slow consumer: everything queued
is dropped, and only the error saying so and the close remain to be sent.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from aurex.gateways.codes import GatewayCode
from aurex.gateways.http.ws_protocol import error

SLOW_CONSUMER_CODE = 1008
SLOW_CONSUMER_REASON = "slow consumer"


@dataclass(frozen=True, slots=True)
class Close:
    """The last item of an outbox: close the WebSocket with this code and reason."""

    code: int
    reason: str


class Outbox:
    """Texts (and conflation keys standing for their latest text) waiting to be sent."""

    __slots__ = ("_items", "_latest", "_on_close", "_ready", "closing", "limit", "overflowed")

    def __init__(self, limit: int, on_close: Callable[[], None] | None = None) -> None:
        self.limit = limit
        self._on_close = on_close
        self._items: deque[object] = deque()
        self._latest: dict[Hashable, str] = {}
        self._ready = asyncio.Event()
        self.closing = False
        """Set once a close is queued: later messages are ignored."""
        self.overflowed = False

    def __len__(self) -> int:
        return len(self._items)

    def put(self, text: str) -> bool:
        """Queue ``text``; False if the outbox is closing or just overflowed."""
        if self.closing:
            return False
        items = self._items
        if len(items) >= self.limit:
            self._overflow()
            return False
        items.append(text)
        self._ready.set()
        return True

    def put_latest(self, key: Hashable, text: str) -> bool:
        """Queue ``text`` unless a message with ``key`` still waits: then replace it."""
        if self.closing:
            return False
        latest = self._latest
        if key in latest:
            latest[key] = text
            return True
        items = self._items
        if len(items) >= self.limit:
            self._overflow()
            return False
        latest[key] = text
        items.append(key)
        self._ready.set()
        return True

    def _overflow(self) -> None:
        self.overflowed = True
        message = (
            f"more than {self.limit} messages were waiting for this connection: "
            "read faster or subscribe to less, then reconnect"
        )
        self.close(
            SLOW_CONSUMER_CODE, SLOW_CONSUMER_REASON, error(GatewayCode.SLOW_CONSUMER, message)
        )

    def close(self, code: int, reason: str, last: str | None = None, *, drop: bool = True) -> None:
        """Queue the close (after ``last``, when given); ``drop`` discards what waits."""
        if self.closing:
            return
        self.closing = True
        if drop:
            self._items.clear()
            self._latest.clear()
        if last is not None:
            self._items.append(last)
        self._items.append(Close(code, reason))
        self._ready.set()
        if self._on_close is not None:
            self._on_close()

    async def get(self) -> str | Close:
        """The next text to send, or the :class:`Close` that ends the connection."""
        items = self._items
        while not items:
            self._ready.clear()
            await self._ready.wait()
        item = items.popleft()
        if type(item) is str or type(item) is Close:
            return item
        return self._latest.pop(item)
