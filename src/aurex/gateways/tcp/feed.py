"""Market data and private order updates for TCP sessions, pushed from the engine feed.

One task reads the engine port's :class:`EngineUpdate` batches as they are
published (never polling) and writes each update's frames, encoded once, to every
session subscribed to it: tickers and trades per symbol or for all symbols, book
levels per symbol, and order states to the sessions of the order's account that
asked for them at login. Writing never waits: a session whose unsent bytes grow
past its limit is cut off as a slow consumer by the session itself.

Books: a session subscribing to a symbol's book is registered before the snapshot
is read, buffering that symbol's levels meanwhile; after the snapshot (depth seq
``S``) only levels with seq > ``S`` are sent, so a client sees an unbroken
sequence ``S+1, S+2, ...`` whichever of the snapshot and the feed is ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Protocol

from aurex.engine.port import EnginePort, EngineUpdate, Subscription, SubscriptionOverflow
from aurex.engine.queries import GetDepth
from aurex.gateways.tcp import convert
from aurex.gateways.tcp.codec import MAX_BOOK_LEVELS, encode
from aurex.gateways.tcp.messages import Message, MsgType
from aurex.marketdata import DepthDelta
from aurex.readside import OrderState

log = logging.getLogger(__name__)

ALL = ""
"""The symbol key of an all-symbols subscription."""


class Sink(Protocol):
    """A session, as the feed sees it."""

    def push(self, data: bytes) -> None:
        """Queue bytes for the client; never waits."""
        ...

    def lost_feed(self) -> None:
        """The server fell behind the engine: the session cannot be kept consistent."""
        ...


class BookCursor:
    """Where one session is in one symbol's book: buffering, then after ``after``."""

    __slots__ = ("after", "pending")

    def __init__(self) -> None:
        self.after = -1
        self.pending: list[DepthDelta] | None = []


class MarketFeed:
    """Routes engine updates to the TCP sessions subscribed to them."""

    def __init__(self, engine: EnginePort, maxsize: int = 4096) -> None:
        self._engine = engine
        self._maxsize = maxsize
        self.tickers: dict[str, set[Sink]] = defaultdict(set)
        self.trades: dict[str, set[Sink]] = defaultdict(set)
        self.books: dict[str, dict[Sink, BookCursor]] = defaultdict(dict)
        self.accounts: dict[str, set[Sink]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        subscription = self._engine.subscribe("tcp-gateway", self._maxsize)
        self._task = asyncio.create_task(self._run(subscription), name="aurex-tcp-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    # -- subscriptions ----------------------------------------------------------------

    def follow_orders(self, account: str, sink: Sink) -> None:
        self.accounts[account].add(sink)

    async def subscribe_book(self, symbol: str, sink: Sink) -> None:
        """Send ``symbol``'s book snapshot, then its levels as they change."""
        cursor = BookCursor()
        self.books[symbol][sink] = cursor
        snapshot = await self._engine.query(GetDepth(symbol, MAX_BOOK_LEVELS))
        if self.books[symbol].get(sink) is not cursor:
            return  # unsubscribed or gone meanwhile
        seq = snapshot.seq if snapshot is not None else 0
        if snapshot is not None:
            sink.push(encode(convert.book_snapshot(snapshot)))
        pending, cursor.pending, cursor.after = cursor.pending or [], None, seq
        fresh = [d for d in pending if d.seq > seq]
        if fresh:
            cursor.after = fresh[-1].seq
            sink.push(b"".join(encode(convert.book_level(d)) for d in fresh))

    def drop(self, sink: Sink, symbol: str | None = None, channels: int = 7) -> bool:
        """Remove ``sink`` from ``channels`` of ``symbol`` (every symbol if None);
        True if it was subscribed to any of them."""
        found = False
        for bit, table in ((1, self.tickers), (2, self.trades), (4, self.books)):
            if not channels & bit:
                continue
            for key in [symbol] if symbol is not None else list(table):
                subscribers = table.get(key)
                if subscribers is not None and sink in subscribers:
                    if isinstance(subscribers, dict):
                        del subscribers[sink]
                    else:
                        subscribers.discard(sink)
                    found = True
        return found

    def forget(self, sink: Sink, account: str | None) -> None:
        """Remove every subscription of a closed session."""
        self.drop(sink)
        if account is not None:
            self.accounts[account].discard(sink)

    # -- the engine feed --------------------------------------------------------------

    async def _run(self, subscription: Subscription[EngineUpdate]) -> None:
        get, pending = subscription.get, subscription.pending
        try:
            while True:
                update = await get()
                self._publish(update)
                for _ in range(pending()):
                    self._publish(await get())
        except StopAsyncIteration:
            return
        except SubscriptionOverflow:
            log.error("the TCP gateway fell behind the engine; its subscribers are cut off")
            for sink in self._all_sinks():
                sink.lost_feed()
        finally:
            self._engine.unsubscribe(subscription)

    def _all_sinks(self) -> set[Sink]:
        sinks: set[Sink] = set()
        for table in (self.tickers, self.trades, self.accounts):
            for subscribers in table.values():
                sinks |= subscribers
        for cursors in self.books.values():
            sinks |= set(cursors)
        return sinks

    def _publish(self, update: EngineUpdate) -> None:
        market = update.market
        if market is not None:
            if market.tickers and self.tickers:
                self._fan(self.tickers, ((t.symbol, convert.ticker(t)) for t in market.tickers))
            if market.trades and self.trades:
                self._fan(self.trades, ((t.symbol, convert.trade(t)) for t in market.trades))
            if market.depth and self.books:
                self._levels(market.depth)
        if update.orders and self.accounts:
            self._orders(update.orders)

    def _fan(self, table: dict[str, set[Sink]], items: Iterable[tuple[str, Message]]) -> None:
        """Send each symbol's frames to its subscribers and to all-symbol subscribers."""
        out: dict[Sink, list[bytes]] = defaultdict(list)
        everyone = table.get(ALL, ())
        for symbol, message in items:
            subscribers = table.get(symbol)
            if not subscribers and not everyone:
                continue
            data = encode(message)
            for sink in subscribers or ():
                out[sink].append(data)
            for sink in everyone:
                if not subscribers or sink not in subscribers:
                    out[sink].append(data)
        for sink, parts in out.items():
            sink.push(b"".join(parts))

    def _levels(self, deltas: list[DepthDelta]) -> None:
        out: dict[Sink, list[bytes]] = defaultdict(list)
        for delta in deltas:
            cursors = self.books.get(delta.symbol)
            if not cursors:
                continue
            data = b""
            for sink, cursor in cursors.items():
                if cursor.pending is not None:
                    cursor.pending.append(delta)
                elif delta.seq > cursor.after:
                    cursor.after = delta.seq
                    data = data or encode(convert.book_level(delta))
                    out[sink].append(data)
        for sink, parts in out.items():
            sink.push(b"".join(parts))

    def _orders(self, orders: tuple[OrderState, ...]) -> None:
        out: dict[Sink, list[bytes]] = defaultdict(list)
        for state in orders:
            sinks = self.accounts.get(state.account)
            if sinks:
                data = convert.order_frame(MsgType.ORDER_STATUS, 0, 0, 0, state)
                for sink in sinks:
                    out[sink].append(data)
        for sink, parts in out.items():
            sink.push(b"".join(parts))
