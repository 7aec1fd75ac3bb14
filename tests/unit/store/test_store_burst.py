"""A burst of 10,000 orders reaches the database in full, exactly once, even when the
projector is stopped mid-burst and a new one takes over from the journal."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.config import Durability
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.bus import EventBus, Subscription
from aurex.engine.journal import Journal
from aurex.store.database import create_engine
from aurex.store.projector import Projector
from aurex.store.tables import orders, trades
from tests.unit.store.flow import Market, accepted_ids, opening_commands, random_flow, trade_ids
from tests.unit.store.test_store_projector import assert_matches_exchange

BURST_ORDERS = 10_000


class Sequencer:
    """Stands in for the engine's sequencer: journal, apply, then publish each batch."""

    def __init__(self, data_dir: Path) -> None:
        self.market = Market()
        self.bus = EventBus()
        self.journal = Journal.open(data_dir / "journal", durability=Durability.NONE)

    @property
    def durable_seq(self) -> int:
        return self.journal.committed_seq

    def run_batch(self, commands: list[Command]) -> list[Event]:
        events = self.market.apply(commands)
        for command in commands:
            self.journal.append(command)
        self.journal.flush()
        self.bus.publish(events)
        return events

    def burst(self, orders_count: int, seed: int) -> Iterator[list[Command]]:
        """Run the opening and then the flow, one sequencer batch per step."""
        self.run_batch(opening_commands())
        yield from random_flow(self.run_batch, orders_count, seed)


async def row_counts(engine: AsyncEngine) -> tuple[int, int]:
    async with engine.connect() as conn:
        order_count = (await conn.execute(select(func.count()).select_from(orders))).scalar()
        trade_count = (await conn.execute(select(func.count()).select_from(trades))).scalar()
    return int(order_count or 0), int(trade_count or 0)


async def test_burst_of_10k_orders_survives_a_projector_restart_mid_burst(
    engine: AsyncEngine, db_url: str, tmp_path: Path
) -> None:
    sequencer = Sequencer(tmp_path)

    def subscribe() -> Subscription:
        return sequencer.bus.subscribe("projector", maxsize=100_000)

    first = Projector(engine)
    first_task = asyncio.create_task(
        first.follow(subscribe, tmp_path, lambda: sequencer.durable_seq)
    )
    second_engine = create_engine(db_url)
    second_task: asyncio.Task[None] | None = None
    try:
        for n, _ in enumerate(sequencer.burst(BURST_ORDERS, seed=2024)):
            await asyncio.sleep(0)  # let the projector work while orders keep coming
            if n == 120:
                while first.last_seq == 0:  # make sure it really was mid-burst
                    await asyncio.sleep(0.01)
                first_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await first_task
                await engine.dispose()
                stopped_at = first.last_seq
            if n == 200:
                second = Projector(second_engine)
                second_task = asyncio.create_task(
                    second.follow(subscribe, tmp_path, lambda: sequencer.durable_seq)
                )
        sequencer.bus.close()
        assert second_task is not None
        await second_task
    finally:
        sequencer.journal.close()
        if not first_task.done():
            first_task.cancel()

    market = sequencer.market
    events = market.events()
    placed = sum(1 for c in market.commands if type(c).__name__ == "PlaceOrder")
    assert placed == BURST_ORDERS
    assert 0 < stopped_at < market.seq
    assert await row_counts(second_engine) == (len(accepted_ids(events)), len(trade_ids(events)))
    await assert_matches_exchange(second_engine, market)
    assert second.lag == 0
    await second_engine.dispose()


async def test_a_projector_dropped_by_the_bus_catches_up_from_the_journal(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sequencer = Sequencer(tmp_path)
    subscriptions: list[Subscription] = []

    def subscribe() -> Subscription:
        subscriptions.append(sequencer.bus.subscribe("projector", maxsize=2))
        return subscriptions[-1]

    projector = Projector(engine)
    task = asyncio.create_task(projector.follow(subscribe, tmp_path, lambda: sequencer.durable_seq))
    await asyncio.sleep(0)
    for _ in sequencer.burst(1_000, seed=5):
        pass  # no awaits: the projector cannot keep up and is dropped
    assert "projector" in sequencer.bus.dropped
    while projector.last_seq < sequencer.durable_seq and not task.done():
        await asyncio.sleep(0.01)
    sequencer.bus.close()
    await task
    sequencer.journal.close()
    assert len(subscriptions) >= 2
    await assert_matches_exchange(engine, sequencer.market)


async def test_the_projector_rides_out_a_database_failure(
    engine: AsyncEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sequencer = Sequencer(tmp_path)
    async with engine.begin() as conn:  # writes of trades now fail
        await conn.execute(text("ALTER TABLE trades RENAME TO trades_offline"))
    projector = Projector(engine, retry_delay_s=0.01)
    task = asyncio.create_task(
        projector.follow(
            lambda: sequencer.bus.subscribe("projector"), tmp_path, lambda: sequencer.durable_seq
        )
    )
    for _ in sequencer.burst(500, seed=9):
        await asyncio.sleep(0)
    async with asyncio.timeout(120):  # guards against a hang only
        while not any("retrying" in r.getMessage() for r in caplog.records):
            await asyncio.sleep(0.01)
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE trades_offline RENAME TO trades"))
        while projector.last_seq < sequencer.durable_seq:
            await asyncio.sleep(0.01)
        sequencer.bus.close()
        await task
    sequencer.journal.close()
    await assert_matches_exchange(engine, sequencer.market)
