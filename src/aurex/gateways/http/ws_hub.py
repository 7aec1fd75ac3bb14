"""The WebSocket hub: one subscription to the engine's update feed, fanned out to clients.

One task reads :class:`EngineUpdate` batches as the engine publishes them (never
polling), takes every update already waiting as one tick, and builds one message
per (channel, symbol) for that tick: tickers, candles and the index conflated to
their latest state, book deltas and trades in order, order states and fills per
account. Each message is encoded once and the same text is put in every
subscriber's :class:`Outbox`; the hub never waits for a client, so no client can
slow the engine or the others.

Book consistency: a book subscriber is registered *before* its snapshot is read,
with a cursor that buffers the symbol's deltas meanwhile. Once the snapshot (seq
``S``) is in hand, the buffered deltas after ``S`` follow it, and later ticks skip
what the snapshot already holds; so the deltas a client sees start at ``S + 1``
and never repeat or skip, whichever of snapshot and feed is ahead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Protocol

from aurex.engine.port import EnginePort, EngineUpdate
from aurex.engine.queries import GetDepth
from aurex.gateways import wire
from aurex.gateways.codes import GatewayCode
from aurex.gateways.http.ws_outbox import Outbox
from aurex.gateways.http.ws_protocol import WsOptions, encode, error
from aurex.marketdata import CandleBar, DepthDelta, TickerView, TradePrint

log = logging.getLogger(__name__)

Route = tuple[str, ...]
INDEX_ROUTE: Route = ("index",)
HEARTBEAT_KEY = ("heartbeat",)


class Subscriber(Protocol):
    """What the hub needs of a connection: somewhere to put messages."""

    outbox: Outbox


class UpdateFeed(Protocol):
    """The engine port's subscription, as the hub reads it."""

    @property
    def overflowed(self) -> bool: ...

    def pending(self) -> int: ...

    async def get(self) -> EngineUpdate: ...


class BookCursor:
    """Where one subscriber is in one symbol's delta stream.

    ``pending`` buffers deltas while the snapshot is being read; afterwards
    ``after`` is the last seq the subscriber has (from the snapshot or a delta).
    """

    __slots__ = ("after", "pending")

    def __init__(self) -> None:
        self.after = -1
        self.pending: list[DepthDelta] | None = []


def ticker_key(symbol: str) -> Hashable:
    return ("ticker", symbol)


def ticker_message(view: TickerView) -> str:
    return encode({"type": "ticker", "data": wire.ticker(view)})


def book_snapshot_message(snapshot: Any) -> str:
    return encode({"type": "book", "kind": "snapshot", **wire.depth(snapshot)})


def book_delta_message(symbol: str, changes: Iterable[DepthDelta]) -> str:
    return encode(
        {
            "type": "book",
            "kind": "delta",
            "symbol": symbol,
            "changes": [
                {
                    "seq": d.seq,
                    "side": d.side.name.lower(),
                    "price": wire.price(d.price_ticks),
                    "quantity": d.new_qty,
                }
                for d in changes
            ],
        }
    )


class Hub:
    """Routes engine updates to subscribed clients; see the module docstring."""

    def __init__(
        self,
        engine: EnginePort,
        options: WsOptions,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    ) -> None:
        self.engine = engine
        self.options = options
        self._clock_ms = clock_ms
        self._clients: set[Subscriber] = set()
        self._routes: dict[Route, set[Subscriber]] = {}
        self._books: dict[str, dict[Subscriber, BookCursor]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self.slow_consumers = 0
        """Clients disconnected for falling behind, since start."""
        self.ticks = 0

    @property
    def clients(self) -> int:
        return len(self._clients)

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> None:
        """Start the feed and heartbeat tasks (idempotent; done on first connection)."""
        if self._tasks:
            return
        feed = self.engine.subscribe("ws-hub", self.options.feed_size)
        self._tasks = [
            asyncio.create_task(self._follow(feed), name="aurex-ws-hub"),
            asyncio.create_task(self._heartbeats(), name="aurex-ws-heartbeat"),
        ]

    async def stop(self) -> None:
        """Stop the tasks and tell every client the server is going away."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._close_all(1001, "server shutting down", None)

    # -- registration (called by sessions) ---------------------------------------

    def connect(self, client: Subscriber) -> None:
        self.start()
        self._clients.add(client)

    def disconnect(self, client: Subscriber) -> None:
        self._clients.discard(client)
        for route in [r for r, subs in self._routes.items() if client in subs]:
            self.remove(client, route)
        for symbol in [s for s, subs in self._books.items() if client in subs]:
            self.remove_book(client, symbol)

    def add(self, client: Subscriber, route: Route) -> None:
        """Route messages of ``route`` (e.g. ``("trades", "AAPL")``) to ``client``."""
        self._routes.setdefault(route, set()).add(client)

    def remove(self, client: Subscriber, route: Route) -> None:
        subs = self._routes.get(route)
        if subs is not None:
            subs.discard(client)
            if not subs:
                del self._routes[route]

    async def add_book(self, client: Subscriber, symbol: str, ack: str) -> bool:
        """Send ``ack``, the symbol's full depth, then its deltas; False if unknown."""
        cursor = BookCursor()
        self._books.setdefault(symbol, {})[client] = cursor
        try:
            snapshot = await self.engine.query(GetDepth(symbol, None))
        except BaseException:
            self._drop_cursor(client, symbol, cursor)
            raise
        if self._books.get(symbol, {}).get(client) is not cursor:
            return True  # unsubscribed, resubscribed or disconnected meanwhile
        if snapshot is None:
            self._drop_cursor(client, symbol, cursor)
            return False
        pending = cursor.pending or []
        cursor.pending = None
        cursor.after = snapshot.seq
        outbox = client.outbox
        outbox.put(ack)
        outbox.put(book_snapshot_message(snapshot))
        missed = [d for d in pending if d.seq > snapshot.seq]
        if missed:
            outbox.put(book_delta_message(symbol, missed))
            cursor.after = missed[-1].seq
        return True

    def remove_book(self, client: Subscriber, symbol: str) -> None:
        subs = self._books.get(symbol)
        if subs is not None:
            subs.pop(client, None)
            if not subs:
                del self._books[symbol]

    def _drop_cursor(self, client: Subscriber, symbol: str, cursor: BookCursor) -> None:
        if self._books.get(symbol, {}).get(client) is cursor:
            self.remove_book(client, symbol)

    def note_slow_consumer(self) -> None:
        self.slow_consumers += 1

    # -- the feed -----------------------------------------------------------------

    async def _follow(self, feed: UpdateFeed) -> None:
        """Publish each tick of updates; resubscribe if the hub itself fell behind."""
        while True:
            try:
                updates = [await feed.get()]
                while feed.pending():
                    updates.append(await feed.get())
            except StopAsyncIteration:
                self._close_all(1001, "the exchange is shutting down", None)
                return
            except Exception:
                if not feed.overflowed:
                    raise
                log.warning("the WebSocket hub fell behind the engine; dropping its clients")
                feed = self.engine.subscribe("ws-hub", self.options.feed_size)
                self._close_all(
                    1013,
                    "try again later",
                    error(
                        GatewayCode.SLOW_CONSUMER,
                        "the gateway fell behind the exchange; reconnect and resubscribe",
                    ),
                )
                continue
            try:
                self.publish(updates)
            except Exception:
                log.exception("publishing %d engine updates failed", len(updates))

    def publish(self, updates: list[EngineUpdate]) -> None:
        """One tick: everything in ``updates`` goes out as one message per (channel, symbol)."""
        self.ticks += 1
        routes = self._routes
        books = self._books
        tickers: dict[str, TickerView] = {}
        depth: dict[str, list[DepthDelta]] = {}
        trades: dict[str, list[TradePrint]] = {}
        candles: dict[tuple[str, str, int], CandleBar] = {}
        index = None
        private: list[tuple[Route, str]] = []
        for update in updates:
            market = update.market
            if market is not None:
                if routes:
                    for view in market.tickers:
                        tickers[view.symbol] = view
                    for print_ in market.trades:
                        if ("trades", print_.symbol) in routes:
                            trades.setdefault(print_.symbol, []).append(print_)
                    for bar in market.candles:
                        candles[(bar.symbol, bar.interval, bar.start_ns)] = bar
                if books:
                    for delta in market.depth:
                        if delta.symbol in books:
                            depth.setdefault(delta.symbol, []).append(delta)
            if update.index is not None:
                index = update.index
            if routes and (update.orders or update.fills):
                private.extend(self._private(update))
        for symbol, changes in depth.items():
            self._send_deltas(symbol, changes, books[symbol])
        if routes:
            self._send_market(tickers, trades, candles)
            if index is not None:
                subs = routes.get(INDEX_ROUTE)
                if subs:
                    text = encode({"type": "index", "data": wire.index(index)})
                    for client in subs:
                        client.outbox.put_latest(INDEX_ROUTE, text)
            for route, text in private:
                for client in routes.get(route, ()):
                    client.outbox.put(text)

    def _private(self, update: EngineUpdate) -> Iterable[tuple[Route, str]]:
        routes = self._routes
        for state in update.orders:
            route = ("orders", state.account)
            if route in routes:
                yield route, encode({"type": "order", "data": wire.order(state)})
        for fill in update.fills:
            route = ("orders", fill.account)
            if route in routes:
                yield route, encode({"type": "fill", "data": wire.fill(fill)})

    def _send_market(
        self,
        tickers: dict[str, TickerView],
        trades: dict[str, list[TradePrint]],
        candles: dict[tuple[str, str, int], CandleBar],
    ) -> None:
        routes = self._routes
        everyone = routes.get(("ticker", ""), set())
        for symbol, view in tickers.items():
            subs = routes.get(("ticker", symbol))
            targets = everyone | subs if subs else everyone
            if targets:
                key = ticker_key(symbol)
                text = ticker_message(view)
                for client in targets:
                    client.outbox.put_latest(key, text)
        for symbol, prints in trades.items():
            text = encode(
                {"type": "trades", "symbol": symbol, "trades": [wire.trade(t) for t in prints]}
            )
            for client in routes.get(("trades", symbol), ()):
                client.outbox.put(text)
        for candle_key, bar in candles.items():
            subs = routes.get(("candles", bar.symbol, bar.interval))
            if subs:
                text = encode({"type": "candle", "data": wire.candle(bar)})
                for client in subs:
                    client.outbox.put_latest(candle_key, text)

    @staticmethod
    def _send_deltas(
        symbol: str, changes: list[DepthDelta], subs: dict[Subscriber, BookCursor]
    ) -> None:
        first, last = changes[0].seq, changes[-1].seq
        shared: str | None = None
        for client, cursor in subs.items():
            pending = cursor.pending
            if pending is not None:
                pending.extend(changes)
                continue
            after = cursor.after
            if after >= last:
                continue  # the snapshot already holds these
            if after < first:
                if shared is None:
                    shared = book_delta_message(symbol, changes)
                client.outbox.put(shared)
            else:
                client.outbox.put(book_delta_message(symbol, [d for d in changes if d.seq > after]))
            cursor.after = last

    # -- heartbeats and closing ------------------------------------------------------

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.options.heartbeat_s)
            text = encode({"type": "heartbeat", "timestamp": self._clock_ms()})
            for client in self._clients:
                client.outbox.put_latest(HEARTBEAT_KEY, text)

    def _close_all(self, code: int, reason: str, last: str | None) -> None:
        for client in list(self._clients):
            client.outbox.close(code, reason, last)
        self._routes.clear()
        self._books.clear()
