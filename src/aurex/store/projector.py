"""The event projector: writes engine events into the database, idempotently by seq.

Each batch is written in one transaction together with ``projector_state.last_seq``,
so after any crash the database holds exactly the commands up to ``last_seq``.
Events with ``seq <= last_seq`` are skipped, which makes replays and overlapping
deliveries harmless. A batch must hold *all* events of every command it contains (the
sequencer publishes whole commands), because a command is recorded as done at once.

The database is a projection: when the projector falls behind (restart, or a dropped
bus subscription) it regenerates the missing events from the journal
(``aurex.engine.recovery.iter_events``) and continues with the live feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.bus import SubscriptionOverflow
from aurex.engine.recovery import iter_events
from aurex.readside.order_state import OrderState
from aurex.store.order_rows import ORDER_STATE_COLUMNS, order_state
from aurex.store.projection import (
    BatchPlan,
    plan_batch,
    referenced_orders,
    referenced_symbols,
)
from aurex.store.tables import (
    accounts,
    fills,
    ledger_entries,
    orders,
    positions,
    projector_state,
    stocks,
    trades,
)

log = logging.getLogger(__name__)

MAX_RETRY_DELAY_S = 30.0

CHUNK = 500
"""Keys per ``IN (...)`` list, well under SQLite's and PostgreSQL's parameter limits."""
STOCK_COLUMNS = tuple(c.name for c in stocks.c if c.name != "symbol")
"""Written whole: a listing again after a delisting changes more than the prices."""


class EventSource(Protocol):
    """An async iterator of event batches (``aurex.engine.bus.Subscription`` is one)."""

    def __aiter__(self) -> AsyncIterator[list[Event]]: ...


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk


class Projector:
    """Projects core events into orders, trades, fills, accounts, positions, ledger, stocks."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        name: str = "main",
        engine_seq: Callable[[], int] | None = None,
        max_batch_events: int = 20_000,
        coalesce_s: float = 0.0,
        retry_delay_s: float = 1.0,
    ) -> None:
        self._engine = engine
        self.name = name
        self._engine_seq = engine_seq
        self.max_batch_events = max_batch_events
        self.coalesce_s = coalesce_s
        """How long to let batches gather before a write (one transaction for many
        engine batches when orders arrive one at a time)."""
        self.retry_delay_s = retry_delay_s
        self.last_seq = 0
        """Seq of the last command written to the database (as of the last load/commit)."""
        self._advanced = asyncio.Event()
        """Set (and replaced) whenever ``last_seq`` moves on: wakes ``wait_for``."""
        self.seen_seq = 0
        """Highest seq offered to the projector so far."""

    @property
    def lag(self) -> int:
        """Commands the engine has executed that are not yet in the database."""
        head = self._engine_seq() if self._engine_seq is not None else self.seen_seq
        return max(0, head - self.last_seq)

    async def load(self) -> int:
        """Read ``last_seq`` from the database (0 for a fresh database)."""
        async with self._engine.connect() as conn:
            stmt = select(projector_state.c.last_seq).where(projector_state.c.name == self.name)
            self._advance((await conn.execute(stmt)).scalar() or 0)
        self.seen_seq = max(self.seen_seq, self.last_seq)
        return self.last_seq

    # -- writing ------------------------------------------------------------

    async def apply(self, events: Sequence[Event]) -> int:
        """Write one batch in one transaction; returns how many events were new."""
        if events:
            self.seen_seq = max(self.seen_seq, events[-1].seq)
        async with self._engine.begin() as conn:
            done = await self._claim(conn)
            fresh = [e for e in events if e.seq > done]
            if not fresh:
                self._advance(done)
                return 0
            plan = plan_batch(
                fresh,
                await self._load_orders(conn, referenced_orders(fresh)),
                await self._load_stocks(conn, referenced_symbols(fresh)),
            )
            await self._write(conn, plan)
            await conn.execute(
                update(projector_state)
                .where(projector_state.c.name == self.name)
                .values(last_seq=plan.last_seq)
            )
        self._advance(plan.last_seq)
        return len(fresh)

    def _advance(self, seq: int) -> None:
        self.last_seq = seq
        advanced, self._advanced = self._advanced, asyncio.Event()
        advanced.set()

    async def wait_for(self, seq: int, timeout_s: float) -> bool:
        """Wait until the database holds every command up to ``seq``; False on timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.last_seq < seq:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._advanced.wait(), remaining)
            except TimeoutError:
                return False
        return True

    async def _claim(self, conn: AsyncConnection) -> int:
        """Lock this projector's state row (PostgreSQL) and return its ``last_seq``."""
        stmt = (
            select(projector_state.c.last_seq)
            .where(projector_state.c.name == self.name)
            .with_for_update()
        )
        done = (await conn.execute(stmt)).scalar()
        if done is None:
            await conn.execute(insert(projector_state).values(name=self.name, last_seq=0))
            return 0
        return int(done)

    async def _load_orders(self, conn: AsyncConnection, ids: set[int]) -> dict[int, OrderState]:
        found: dict[int, OrderState] = {}
        for chunk in _chunks(sorted(ids)):
            rows = await conn.execute(select(orders).where(orders.c.order_id.in_(chunk)))
            found.update((row.order_id, order_state(row._asdict())) for row in rows)
        return found

    async def _load_stocks(self, conn: AsyncConnection, symbols: set[str]) -> dict[str, Any]:
        if not symbols:
            return {}
        rows = await conn.execute(select(stocks).where(stocks.c.symbol.in_(sorted(symbols))))
        return {row.symbol: row._asdict() for row in rows}

    async def _write(self, conn: AsyncConnection, plan: BatchPlan) -> None:
        if plan.new_orders:
            await conn.execute(insert(orders), list(plan.new_orders.values()))
        if plan.changed_orders:
            stmt = (
                update(orders)
                .where(orders.c.order_id == bindparam("key"))
                .values({c: bindparam(c) for c in ORDER_STATE_COLUMNS})
            )
            await conn.execute(
                stmt, [{"key": oid, **row} for oid, row in plan.changed_orders.items()]
            )
        if plan.trades:
            await conn.execute(insert(trades), plan.trades)
        if plan.fills:
            await conn.execute(insert(fills), plan.fills)
        if plan.ledger:
            await conn.execute(insert(ledger_entries), plan.ledger)
        await self._write_accounts(conn, plan)
        await self._write_positions(conn, plan)
        await self._write_stocks(conn, plan)

    async def _write_accounts(self, conn: AsyncConnection, plan: BatchPlan) -> None:
        existing: set[str] = set()
        for chunk in _chunks(sorted(plan.accounts)):
            rows = await conn.execute(
                select(accounts.c.user_id).where(accounts.c.user_id.in_(chunk))
            )
            existing.update(rows.scalars())
        new = [
            {"user_id": a, "cash_cents": plan.cash_deltas[a], "updated_seq": plan.account_seq[a]}
            for a in sorted(plan.accounts - existing)
        ]
        if new:
            await conn.execute(insert(accounts), new)
        if existing:
            stmt = (
                update(accounts)
                .where(accounts.c.user_id == bindparam("key"))
                .values(
                    cash_cents=accounts.c.cash_cents + bindparam("delta"),
                    updated_seq=bindparam("seq"),
                )
            )
            await conn.execute(
                stmt,
                [
                    {"key": a, "delta": plan.cash_deltas[a], "seq": plan.account_seq[a]}
                    for a in sorted(existing)
                ],
            )

    async def _write_positions(self, conn: AsyncConnection, plan: BatchPlan) -> None:
        keys = sorted(plan.share_deltas)
        existing: set[tuple[str, str]] = set()
        key_columns = tuple_(positions.c.user_id, positions.c.symbol)
        for chunk in _chunks(keys):
            rows = await conn.execute(
                select(positions.c.user_id, positions.c.symbol).where(key_columns.in_(chunk))
            )
            existing.update((row.user_id, row.symbol) for row in rows)
        new = [
            {
                "user_id": k[0],
                "symbol": k[1],
                "shares": plan.share_deltas[k],
                "updated_seq": plan.position_seq[k],
            }
            for k in keys
            if k not in existing
        ]
        if new:
            await conn.execute(insert(positions), new)
        if existing:
            stmt = (
                update(positions)
                .where(positions.c.user_id == bindparam("key_user"))
                .where(positions.c.symbol == bindparam("key_symbol"))
                .values(
                    shares=positions.c.shares + bindparam("delta"), updated_seq=bindparam("seq")
                )
            )
            await conn.execute(
                stmt,
                [
                    {
                        "key_user": k[0],
                        "key_symbol": k[1],
                        "delta": plan.share_deltas[k],
                        "seq": plan.position_seq[k],
                    }
                    for k in sorted(existing)
                ],
            )

    async def _write_stocks(self, conn: AsyncConnection, plan: BatchPlan) -> None:
        if plan.new_stocks:
            await conn.execute(insert(stocks), list(plan.new_stocks.values()))
        if plan.changed_stocks:
            columns = STOCK_COLUMNS
            stmt = (
                update(stocks)
                .where(stocks.c.symbol == bindparam("key"))
                .values({c: bindparam(c) for c in columns})
            )
            await conn.execute(
                stmt,
                [
                    {"key": s, **{c: row[c] for c in columns}}
                    for s, row in plan.changed_stocks.items()
                ],
            )

    # -- feeding ------------------------------------------------------------

    async def _apply_fully(self, events: Sequence[Event]) -> int:
        """``apply``, letting the write in flight finish if the caller is cancelled.

        Cancelling a database driver mid-statement can leave the connection (and the
        lock on ``projector_state``) stuck, so a stop waits for at most one batch.
        """
        write = asyncio.ensure_future(self.apply(events))
        try:
            return await asyncio.shield(write)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await write
            raise

    async def run(self, source: EventSource) -> None:
        """Project every batch from ``source`` until it ends.

        Batches already queued behind the current one (a bus subscription's
        ``pending()``) are merged into one transaction, up to ``max_batch_events``.
        """
        iterator = aiter(source)
        pending: Callable[[], int] | None = getattr(source, "pending", None)
        while True:
            try:
                events = list(await anext(iterator))
            except StopAsyncIteration:
                return
            if self.coalesce_s > 0:
                await asyncio.sleep(self.coalesce_s)
            try:
                while pending is not None and pending() > 0:
                    if len(events) >= self.max_batch_events:
                        break
                    events.extend(await anext(iterator))
            except StopAsyncIteration:
                await self._apply_fully(events)  # the end marker was what was pending
                return
            await self._apply_fully(events)

    async def catch_up(self, commands: Iterator[tuple[Command, list[Event]]]) -> int:
        """Project regenerated ``(command, events)`` pairs (e.g. from ``iter_events``).

        The iterator is advanced in a worker thread because regenerating events
        re-runs the exchange (CPU-bound). Returns the number of events written.
        """
        written = 0
        while True:
            events = await asyncio.to_thread(_take_events, commands, self.max_batch_events)
            if not events:
                return written
            written += await self._apply_fully(events)

    async def catch_up_from_journal(self, data_dir: Path, until_seq: int | None = None) -> int:
        """Fill in every journalled command after ``last_seq`` (up to ``until_seq``)."""
        after = await self.load()
        log.info("projector %r catching up from seq %d", self.name, after)
        return await self.catch_up(iter_events(data_dir, after, until_seq=until_seq))

    async def follow(
        self,
        subscribe: Callable[[], EventSource],
        data_dir: Path,
        durable_seq: Callable[[], int],
    ) -> None:
        """Catch up from the journal, then project the live feed until it ends.

        ``subscribe`` is called *before* each catch-up so no batch falls between the
        two; events delivered twice are skipped by seq. ``durable_seq`` bounds the
        catch-up to commands that are acknowledged (fsynced) by the sequencer. When
        the bus drops the subscription, or the database fails (it may be restarting),
        it starts over with a new subscription and another catch-up; failures are
        logged and retried with backoff up to ``MAX_RETRY_DELAY_S``. A dropped
        subscription is left to the bus, which discards it once it overflows.
        """
        delay = self.retry_delay_s
        while True:
            source = subscribe()
            try:
                await self.catch_up_from_journal(data_dir, until_seq=durable_seq())
                delay = self.retry_delay_s
                await self.run(source)
                return
            except SubscriptionOverflow:
                log.warning("projector %r fell behind the live feed; catching up", self.name)
            except Exception:
                log.exception("projector %r failed; retrying in %.1f s", self.name, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY_S)


def _take_events(commands: Iterator[tuple[Command, list[Event]]], limit: int) -> list[Event]:
    events: list[Event] = []
    for _command, regenerated in commands:
        events.extend(regenerated)
        if len(events) >= limit:
            break
    return events
