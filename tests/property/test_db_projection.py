"""The database projection equals the read side's fold, order by order and fill by fill.

A seeded stream of every kind of command runs through the real core in batches of
random size, as the sequencer groups them. Each batch feeds an ``OrderLedger`` (the
fold, as the engine feeds it) and the store's ``Projector``, which sees the batches
merged differently and is replaced by a fresh one part-way (so stored rows are read
back into the fold). At checkpoints and at the end, every order any account ever had,
read back through ``SqlHistory`` page by page, equals the ledger's state for it, and
every account's fills equal the fold's fills. The half "fold equals the core" is
``tests/property/test_read_side.py``.
"""

from __future__ import annotations

import copy
import random
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.core import Exchange
from aurex.core import commands as c
from aurex.core import events as e
from aurex.readside import Fill, OrderLedger
from aurex.readside.history import FillFilter, OrderFilter
from aurex.store.database import create_engine
from aurex.store.history import SqlHistory
from aurex.store.migrate import upgrade_database
from aurex.store.projector import Projector
from tests.property.command_stream import ACCOUNTS, random_stream

COUNT = 4_000
SEEDS = (7, 2026)
CHECKPOINTS = 4


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'aurex.db'}"
    await upgrade_database(url)
    engine = create_engine(url)
    yield engine
    await engine.dispose()


class Fold:
    """What the read side says: the ledger's order states and every fill it made."""

    def __init__(self) -> None:
        self.ledger = OrderLedger(recent_limit=10**9)
        self.orders: dict[str, set[int]] = defaultdict(set)
        self.fills: dict[str, list[Fill]] = defaultdict(list)

    def apply(self, events: list[e.Event]) -> None:
        update = self.ledger.apply(events)
        for state in update.orders:
            if state.order_id:
                self.orders[state.account].add(state.order_id)
        for fill in update.fills:
            self.fills[fill.account].append(fill)


async def assert_projection_equals_fold(
    history: SqlHistory, fold: Fold, rng: random.Random
) -> None:
    for account in ACCOUNTS:
        limit = rng.randint(1, 60)
        stored = []
        cursor = None
        while True:
            page = await history.orders(OrderFilter(account=account), cursor=cursor, limit=limit)
            stored.extend(page.items)
            if (cursor := page.next_cursor) is None:
                break
        expected = [fold.ledger.get(i) for i in sorted(fold.orders[account], reverse=True)]
        assert len(stored) == len(expected), account
        for got, want in zip(stored, expected, strict=True):
            assert got == want, f"order {want and want.order_id}: db {got}, fold {want}"

        fills = []
        cursor = None
        while True:
            fill_page = await history.fills(FillFilter(account=account), cursor=cursor, limit=limit)
            fills.extend(fill_page.items)
            if (cursor := fill_page.next_cursor) is None:
                break
        wanted = sorted(fold.fills[account], key=lambda f: (f.trade_id, f.side), reverse=True)
        assert fills == wanted, account
        for state in rng.sample(stored, min(5, len(stored))):
            assert await history.order(account, state.order_id) == state


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"seed{s}")
async def test_database_projection_equals_the_fold(engine: AsyncEngine, seed: int) -> None:
    rng = random.Random(seed)
    stream = random_stream(seed, COUNT)
    exchange, fold, history = Exchange(), Fold(), SqlHistory(engine)
    projector = Projector(engine)
    pending: list[e.Event] = []
    checkpoints = set(rng.sample(range(len(stream) // 10, len(stream)), CHECKPOINTS))
    replaced = False
    kinds: set[type[e.Event]] = set()
    at = 0
    while at < len(stream):
        batch: list[c.Command] = stream[at : at + rng.randint(1, 60)]
        at += len(batch)
        events = [ev for cmd in batch for ev in exchange.apply(copy.copy(cmd))]
        kinds.update(type(ev) for ev in events)
        fold.apply(events)
        pending.extend(events)
        checkpoint = any(at - len(batch) < p <= at for p in checkpoints)
        if checkpoint or rng.random() < 0.5 or at >= len(stream):
            await projector.apply(pending)
            pending = []
        if checkpoint:
            await assert_projection_equals_fold(history, fold, rng)
        if not replaced and at > len(stream) // 2 and not pending:
            projector, replaced = Projector(engine), True
    await assert_projection_equals_fold(history, fold, rng)

    assert replaced
    for kind in (e.TradeExecuted, e.OrderAmended, e.OrderTriggered, e.OrderExpired):
        assert kind in kinds, f"the stream never produced {kind.__name__}"
    assert sum(len(f) for f in fold.fills.values()) > COUNT // 5
