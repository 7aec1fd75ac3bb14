"""The WebSocket book channel against a real server: snapshot + deltas rebuild the engine's depth.

A seeded random session of at least 10,000 orders (limit orders around the reference
price, cancels, marketable limit and market orders over three symbols) is submitted
through the engine port in bursts of concurrent commands, so the hub sees ticks of
many updates. Clients that apply snapshot + deltas must hold exactly the engine's
full depth (``GetDepth(levels=None)``) at random checkpoints and at the end, also a
client that keeps resubscribing mid-flow; a client that loses a delta notices the
gap by its seq, resubscribes and converges.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from pathlib import Path

from aurex.core.commands import CancelOrder, Command, PlaceOrder
from aurex.core.model import OrderType, Side, TimeInForce
from aurex.engine.queries import ListSymbols

from .ws_support import ClientBook, Served, WsClient, serving, settle

SYMBOLS = ("AAPL", "MSFT", "TSLA")
ACCOUNTS = tuple(f"trader-{i}" for i in range(12))


class BookWatcher:
    """A client following the book of ``SYMBOLS``; may drop deltas on purpose."""

    def __init__(self, client: WsClient) -> None:
        self.client = client
        self.books = {s: ClientBook(s) for s in SYMBOLS}
        self.drop_next: set[str] = set()
        self.dropped = 0
        self.resubscribed = 0
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        for symbol in SYMBOLS:
            await self.client.send(op="subscribe", channel="book", symbol=symbol)
        self.task = asyncio.create_task(self._read())

    async def resubscribe(self, symbol: str) -> None:
        self.resubscribed += 1
        await self.client.send(op="subscribe", channel="book", symbol=symbol)

    async def _read(self) -> None:
        while True:
            message = await self.client.recv()
            assert message["type"] != "error", message
            if message["type"] != "book":
                continue
            book = self.books[message["symbol"]]
            if message["kind"] == "snapshot":
                book.on_snapshot(message)
            elif message["symbol"] in self.drop_next and not book.stale:
                self.drop_next.discard(message["symbol"])
                self.dropped += 1
            elif not book.on_delta(message):
                await self.resubscribe(message["symbol"])

    async def stop(self) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.client.close()


@dataclass
class Session:
    """A seeded random order flow; remembers orders that may still rest, to cancel them."""

    rng: random.Random
    reference: dict[str, int]
    resting: list[tuple[str, int]] = field(default_factory=list)
    placed: int = 0

    def next_command(self) -> Command:
        rng = self.rng
        if self.resting and rng.random() < 0.22:
            account, order_id = self.resting.pop(rng.randrange(len(self.resting)))
            return CancelOrder(account=account, order_id=order_id)
        self.placed += 1
        symbol = rng.choice(SYMBOLS)
        ref = self.reference[symbol]
        side = rng.choice((Side.BUY, Side.SELL))
        account = rng.choice(ACCOUNTS)
        quantity = rng.randint(1, 60)
        coid = f"c{self.placed}"
        roll = rng.random()
        if roll < 0.08:
            return PlaceOrder(
                account=account,
                client_order_id=coid,
                symbol=symbol,
                side=side,
                order_type=OrderType.MARKET,
                quantity=quantity,
                tif=TimeInForce.IOC,
            )
        if roll < 0.2:  # marketable limit: crosses several levels
            through = ref // 100 * (1 if side is Side.BUY else -1)
            return PlaceOrder(
                account=account,
                client_order_id=coid,
                symbol=symbol,
                side=side,
                order_type=OrderType.LIMIT,
                quantity=quantity * 3,
                price_ticks=ref + through,
                tif=rng.choice((TimeInForce.IOC, TimeInForce.GTC)),
            )
        offset = rng.randint(0, ref // 100)  # within 1% of the reference, own side
        price = ref - offset if side is Side.BUY else ref + offset
        return PlaceOrder(
            account=account,
            client_order_id=coid,
            symbol=symbol,
            side=side,
            order_type=OrderType.LIMIT,
            quantity=quantity,
            price_ticks=price + rng.choice((0, 0, 0, 5, -5)),
        )

    async def burst(self, served: Served) -> None:
        """A burst of 1-40 commands submitted concurrently (one hub tick or a few)."""
        commands = [self.next_command() for _ in range(self.rng.randint(1, 40))]
        outcomes = await asyncio.gather(*(served.engine.submit(c) for c in commands))
        for outcome in outcomes:
            order = outcome.order
            if order is not None and order.is_open and outcome.rejection is None:
                self.resting.append((order.account, order.order_id))


async def _setup(served: Served, seed: int) -> Session:
    for account in ACCOUNTS:
        await served.fund(account, list(SYMBOLS))
    symbols = {s.symbol: s.reference_price_ticks for s in await served.engine.query(ListSymbols())}
    return Session(random.Random(seed), {s: symbols[s] for s in SYMBOLS})


async def _assert_books_match(served: Served, *watchers: BookWatcher) -> None:
    """Once every watcher has caught up to the engine's seq, its book equals the engine's."""
    for symbol in SYMBOLS:
        depth = await served.depth(symbol)
        for watcher in watchers:
            book = watcher.books[symbol]
            await settle(
                lambda book=book, seq=depth["seq"]: not book.stale and book.seq >= seq,
                f"client book {symbol} reaches seq {depth['seq']}",
            )
            assert book.as_depth() == depth


async def test_snapshot_and_deltas_reproduce_the_engine_depth_over_10k_orders(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as served:
        session = await _setup(served, seed=20240611)
        steady = BookWatcher(await served.connect())
        restless = BookWatcher(await served.connect())
        await steady.start()
        await restless.start()
        rng = random.Random(7)
        checkpoints = 0
        while session.placed < 10_000:
            await session.burst(served)
            if rng.random() < 0.15:  # subscribe again mid-flow: a new snapshot while deltas fly
                await restless.resubscribe(rng.choice(SYMBOLS))
            if rng.random() < 0.004:
                await _assert_books_match(served, steady, restless)
                checkpoints += 1
        await _assert_books_match(served, steady, restless)
        assert checkpoints >= 3
        assert restless.resubscribed >= 50
        depth = await served.depth("AAPL")
        assert depth["bids"] and depth["asks"] and depth["seq"] > 1_000
        for watcher in (steady, restless):
            assert all(book.gaps == 0 for book in watcher.books.values())
            await watcher.stop()


async def test_a_missed_delta_is_seen_as_a_gap_and_a_resubscription_recovers(
    tmp_path: Path,
) -> None:
    async with serving(tmp_path) as served:
        session = await _setup(served, seed=99)
        lossy = BookWatcher(await served.connect())
        await lossy.start()
        for round_ in range(30):
            if round_ % 10 == 5:
                lossy.drop_next.update(SYMBOLS)  # lose the next delta of every symbol
            for _ in range(10):
                await session.burst(served)
        await _assert_books_match(served, lossy)
        assert lossy.dropped == 9
        gaps = sum(book.gaps for book in lossy.books.values())
        assert gaps == lossy.dropped == lossy.resubscribed
        await lossy.stop()
