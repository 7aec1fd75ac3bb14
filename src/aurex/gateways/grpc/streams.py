"""The server streams: market data, the index, all stocks and an account's orders.

Each stream subscribes to the engine's update feed (``EnginePort.subscribe``)
*before* reading its starting snapshot, sends the snapshot, then sends what each
published batch changed: it is woken by the engine, never polls. When it falls
behind, the batches already waiting are merged into one message per symbol
(conflation); a stream so slow that its bounded feed overflows is ended with
RESOURCE_EXHAUSTED and code 2013 (slow consumer), like the WebSocket gateway.
A private stream is wrapped in ``while_valid``, which ends it once its session does.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

from aurex.core.model import Side
from aurex.engine.port import EnginePort, EngineUpdate, Subscription, SubscriptionOverflow
from aurex.engine.queries import GetDepth, GetIndex, GetTicker, ListTickers, OpenOrders
from aurex.gateways import wire
from aurex.gateways.codes import GatewayCode
from aurex.gateways.grpc import convert
from aurex.gateways.grpc import stock_service_pb2 as pb
from aurex.gateways.order_entry import EntryError, ErrorKind
from aurex.marketdata import IndexView, TickerView, TradePrint

T = TypeVar("T")

FEED_SIZE = 4096
"""Engine batches a stream may have waiting before it is cut off as a slow consumer."""


def slow_consumer() -> EntryError:
    return EntryError(
        ErrorKind.RATE_LIMITED,
        GatewayCode.SLOW_CONSUMER,
        "the stream fell too far behind the market and was closed; call again",
    )


@asynccontextmanager
async def feed(engine: EnginePort, name: str) -> AsyncIterator[Subscription[EngineUpdate]]:
    subscription = engine.subscribe(f"grpc-{name}", maxsize=FEED_SIZE)
    try:
        yield subscription
    finally:
        engine.unsubscribe(subscription)


async def batches(subscription: Subscription[EngineUpdate]) -> AsyncIterator[list[EngineUpdate]]:
    """Every update waiting at once, as one list; ends when the engine stops."""
    while True:
        try:
            first = await subscription.get()
            waiting = [first]
            while subscription.pending():
                waiting.append(await subscription.get())
        except StopAsyncIteration:
            return
        except SubscriptionOverflow:
            raise slow_consumer() from None
        yield waiting


class Book:
    """One symbol's price levels, kept from a snapshot plus the depth deltas after it."""

    __slots__ = ("asks", "bids", "seq", "ticker", "trades")

    def __init__(self, seq: int, bids: dict[int, int], asks: dict[int, int]) -> None:
        self.seq = seq
        self.bids = bids
        self.asks = asks
        self.ticker: TickerView | None = None
        self.trades: list[TradePrint] = []

    def apply(self, side_is_buy: bool, price_ticks: int, quantity: int, seq: int) -> None:
        if seq <= self.seq:
            return  # already in the snapshot
        levels = self.bids if side_is_buy else self.asks
        if quantity:
            levels[price_ticks] = quantity
        else:
            levels.pop(price_ticks, None)
        self.seq = seq

    def message(self, symbol: str, depth: int) -> pb.MarketDataUpdate:
        t = self.ticker
        bids = heapq.nlargest(depth, self.bids.items())
        asks = heapq.nsmallest(depth, self.asks.items())
        update = pb.MarketDataUpdate(
            symbol=symbol,
            bids=convert.price_levels(bids),
            asks=convert.price_levels(asks),
            book_seq=self.seq,
            trades=[convert.trade(x) for x in self.trades],
        )
        if t is not None:
            update.last_price = convert.as_float(t.last_price_ticks)
            update.last_price_ticks = t.last_price_ticks
            update.bid_price = convert.as_float(t.bid_price_ticks)
            update.bid_price_ticks = t.bid_price_ticks
            update.ask_price = convert.as_float(t.ask_price_ticks)
            update.ask_price_ticks = t.ask_price_ticks
            update.volume = t.volume
            update.timestamp_ms = wire.millis(t.ts_ns)
            update.halted = t.halted
        self.trades = []
        return update


async def market_data(
    engine: EnginePort, symbols: list[str], depth: int
) -> AsyncIterator[pb.MarketDataUpdate]:
    """A full picture of each symbol first, then one per symbol that a batch changed."""
    async with feed(engine, "market-data") as subscription:
        books: dict[str, Book] = {}
        for symbol in symbols:
            snapshot = await engine.query(GetDepth(symbol, None))
            if snapshot is None:
                raise EntryError(
                    ErrorKind.NOT_FOUND, GatewayCode.UNKNOWN_SYMBOL, f"{symbol!r} is not listed"
                )
            book = Book(snapshot.seq, dict(snapshot.bids), dict(snapshot.asks))
            book.ticker = await engine.query(GetTicker(symbol))
            books[symbol] = book
        for symbol, book in books.items():
            yield book.message(symbol, depth)
        async for waiting in batches(subscription):
            touched: dict[str, Book] = {}
            for update in waiting:
                market = update.market
                if market is None:
                    continue
                for delta in market.depth:
                    found = books.get(delta.symbol)
                    if found is not None:
                        found.apply(
                            delta.side is Side.BUY, delta.price_ticks, delta.new_qty, delta.seq
                        )
                        touched[delta.symbol] = found
                for ticker in market.tickers:
                    found = books.get(ticker.symbol)
                    if found is not None:
                        found.ticker = ticker
                        touched[ticker.symbol] = found
                for print_ in market.trades:
                    found = books.get(print_.symbol)
                    if found is not None:
                        found.trades.append(print_)
                        touched[print_.symbol] = found
            for symbol, book in touched.items():
                yield book.message(symbol, depth)


async def all_stocks(engine: EnginePort) -> AsyncIterator[pb.AllStocksUpdate]:
    """Every listed stock, then the stocks whose quote each batch changed."""
    async with feed(engine, "all-stocks") as subscription:
        tickers = await engine.query(ListTickers())
        yield pb.AllStocksUpdate(
            stocks=[convert.quote(t) for t in tickers],
            snapshot=True,
            timestamp_ms=max((wire.millis(t.ts_ns) for t in tickers), default=0),
        )
        async for waiting in batches(subscription):
            latest: dict[str, TickerView] = {}
            for update in waiting:
                if update.market is not None:
                    for ticker in update.market.tickers:
                        latest[ticker.symbol] = ticker
            if latest:
                yield pb.AllStocksUpdate(
                    stocks=[convert.quote(t) for t in latest.values()],
                    timestamp_ms=max(wire.millis(t.ts_ns) for t in latest.values()),
                )


async def current_index(engine: EnginePort, name: str) -> IndexView:
    """The index now, if ``name`` is empty or its name (NOT_FOUND, code 2003, otherwise)."""
    view = await engine.query(GetIndex())
    if view is None or (name and name.upper() != view.name.upper()):
        raise EntryError(
            ErrorKind.NOT_FOUND, GatewayCode.UNKNOWN_SYMBOL, f"no index named {name!r}"
        )
    return view


async def index_views(engine: EnginePort, name: str) -> AsyncIterator[IndexView]:
    """The index now, then its latest view whenever it moves."""
    async with feed(engine, "index") as subscription:
        yield await current_index(engine, name)
        async for waiting in batches(subscription):
            views = [u.index for u in waiting if u.index is not None]
            if views:
                yield views[-1]


async def order_updates(
    engine: EnginePort, account: str, ready: Callable[[], Awaitable[None]]
) -> AsyncIterator[pb.OrderUpdate]:
    """``account``'s open orders, then its order states and fills as the engine publishes
    them. ``ready`` is awaited once the feed is subscribed (nothing after it is missed)."""
    async with feed(engine, f"orders-{account}") as subscription:
        await ready()
        for state in await engine.query(OpenOrders(account)):
            yield pb.OrderUpdate(order=convert.order(state))
        async for waiting in batches(subscription):
            for update in waiting:
                for state in update.orders:
                    if state.account == account:
                        yield pb.OrderUpdate(order=convert.order(state))
                for f in update.fills:
                    if f.account == account:
                        yield pb.OrderUpdate(fill=convert.fill(f))


async def while_valid(
    items: AsyncIterator[T], check: Callable[[], Awaitable[None]], every_s: float
) -> AsyncIterator[T]:
    """``items`` until ``check`` (awaited every ``every_s``) raises: then the stream ends
    with that error even while it waits for its next item (a logout ends a quiet stream)."""

    async def watch() -> None:
        while True:
            await asyncio.sleep(every_s)
            await check()

    watcher = asyncio.create_task(watch())
    following: asyncio.Future[T] | None = None
    try:
        while True:
            following = asyncio.ensure_future(anext(items))
            await asyncio.wait((following, watcher), return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                watcher.result()  # raises what ``check`` raised
            try:
                item = following.result()
            except StopAsyncIteration:
                return
            following = None
            yield item
    finally:
        # also when the caller goes away mid-wait: stop both before closing ``items``
        for task in (following, watcher):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await task
        aclose = getattr(items, "aclose", None)
        if aclose is not None:
            await aclose()
