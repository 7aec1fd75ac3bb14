"""The single writer: stamps, journals and applies commands, acknowledging only what is durable.

Two tasks form a pipeline. The *applier* owns the exchange: it takes everything
queued in the inbox (up to ``max_batch``), stamps each command with the next seq and
a timestamp, applies it and appends it to the journal buffer. The *writer* commits
each batch (one write and, in ``fsync`` mode, one fsync, in a worker thread), then
resolves the submitters' futures and publishes the batch's events on the bus. So
while batch N is being fsynced, batch N+1 is already being matched, yet no result
of N+1 leaves the sequencer before N+1 itself is durable.

A command is journalled only if ``apply`` returned normally. An exception from the
core is a bug that may have left the state half-changed: the sequencer halts, fails
every pending submission with ``SequencerHalted`` and accepts nothing more. Earlier
commands of the same batch are still made durable and acknowledged. A journal write
failure halts it the same way; restarting recovers from disk.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aurex.config import Durability
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.core.exchange import Exchange, ExchangeConfig
from aurex.engine import codec
from aurex.engine.batch import Batch, Inbox, Query, apply_batch
from aurex.engine.bus import EventBus
from aurex.engine.journal import DEFAULT_SEGMENT_BYTES, Journal
from aurex.engine.recovery import (
    JOURNAL_SUBDIR,
    SNAPSHOT_SUBDIR,
    EventsCallback,
    Recovery,
    recover,
)
from aurex.engine.snapshot import ForkedWrite, Snapshot, SnapshotStore, fork_writer

log = logging.getLogger(__name__)

T = TypeVar("T")

SNAPSHOT_TIMEOUT_S = 600.0
"""A snapshot writer still busy after this long is presumed stuck and killed."""


class SequencerObserver(Protocol):
    """Timings for operators (``aurex.metrics``); called inline, so it must be cheap."""

    def batch_applied(self, commands: int, elapsed_ns: int) -> None: ...

    def batch_committed(self, commands: int, elapsed_ns: int) -> None: ...

    def snapshot_written(self, elapsed_ns: int, size_bytes: int) -> None: ...


class SequencerStopped(RuntimeError):
    """The sequencer is not accepting commands (not started, or stopping)."""


class SequencerHalted(RuntimeError):
    """The sequencer stopped after an internal failure; restart to recover from disk."""


class Sequencer:
    """Owns one ``Exchange``; everything that changes it goes through ``submit``."""

    def __init__(
        self,
        exchange: Exchange,
        journal: Journal,
        *,
        bus: EventBus | None = None,
        snapshots: SnapshotStore | None = None,
        snapshot_every: int = 100_000,
        snapshot_extra: Callable[[], Any] | None = None,
        clock: Callable[[], int] = time.time_ns,
        max_batch: int = 4096,
        pipeline_depth: int = 2,
        last_ts_ns: int = 0,
        snapshot_seq: int = 0,
    ) -> None:
        if exchange.last_seq != journal.last_seq:
            raise ValueError(
                f"exchange is at seq {exchange.last_seq} but the journal at {journal.last_seq}"
            )
        self.exchange = exchange
        """Read-only use: may include the in-flight batch that is not yet durable;
        use ``query`` for answers that must not get ahead of acknowledgements."""
        self.journal = journal
        self.bus = bus if bus is not None else EventBus()
        self._snapshots = snapshots
        self._snapshot_every = snapshot_every
        self._snapshot_extra = snapshot_extra
        self._clock = clock
        self._max_batch = max_batch
        self._pipeline_depth = pipeline_depth
        self._last_seq = exchange.last_seq
        self._last_ts = last_ts_ns
        self._durable_seq = exchange.last_seq
        self._snapshot_seq = snapshot_seq
        self._inbox = Inbox()
        self._slots = asyncio.Semaphore(pipeline_depth)
        self._to_writer: asyncio.Queue[Batch | None] = asyncio.Queue()
        self._applier: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._snapshot_task: asyncio.Task[None] | None = None
        self._accepting = False
        self._halt_error: SequencerHalted | None = None
        self._write_failed = False
        self.batches = 0
        self.commands = 0
        self.largest_batch = 0
        self.observer: SequencerObserver | None = None
        self.after_snapshot: Callable[[], None] | None = None
        """Called once a snapshot's writer is forked: the state it captured is long-lived
        (the server freezes it out of the garbage collector's reach, see bootstrap)."""

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        durability: Durability = Durability.FSYNC,
        config: ExchangeConfig | None = None,
        bus: EventBus | None = None,
        snapshot_every: int = 100_000,
        keep_snapshots: int = 3,
        snapshot_extra: Callable[[], Any] | None = None,
        on_replayed_events: EventsCallback | None = None,
        clock: Callable[[], int] = time.time_ns,
        segment_bytes: int = DEFAULT_SEGMENT_BYTES,
        max_batch: int = 4096,
    ) -> tuple[Sequencer, Recovery]:
        """Open the journal under ``data_dir``, recover the exchange and wrap it (blocking)."""
        journal = Journal.open(
            data_dir / JOURNAL_SUBDIR, durability=durability, segment_bytes=segment_bytes
        )
        snapshots = SnapshotStore(data_dir / SNAPSHOT_SUBDIR, keep=keep_snapshots)
        try:
            recovery = recover(journal, snapshots, config=config, on_events=on_replayed_events)
        except BaseException:
            journal.close()
            raise
        sequencer = cls(
            recovery.exchange,
            journal,
            bus=bus,
            snapshots=snapshots,
            snapshot_every=snapshot_every,
            snapshot_extra=snapshot_extra,
            clock=clock,
            max_batch=max_batch,
            last_ts_ns=recovery.last_ts_ns,
            snapshot_seq=recovery.snapshot_seq,
        )
        return sequencer, recovery

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        """Start the applier and writer tasks on the running loop."""
        if self._applier is not None:
            raise RuntimeError("sequencer already started")
        self._accepting = True
        self._applier = asyncio.create_task(self._apply_loop(), name="aurex-applier")
        self._writer = asyncio.create_task(self._write_loop(), name="aurex-writer")

    async def stop(self, *, snapshot: bool = True) -> None:
        """Finish everything already submitted, write a final snapshot, close the journal."""
        if self._applier is None or self._writer is None:
            return
        self._accepting = False
        self._inbox.wake()
        await self._applier
        await self._writer
        if snapshot and self._halt_error is None and self._last_seq > self._snapshot_seq:
            await self._wait_snapshot()
            self._begin_snapshot()
        await self._wait_snapshot()
        try:
            await asyncio.to_thread(self.journal.close)
        except OSError:
            log.exception("closing the journal failed")

    async def __aenter__(self) -> Sequencer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def last_seq(self) -> int:
        """Seq of the last applied command (possibly not yet durable)."""
        return self._last_seq

    @property
    def durable_seq(self) -> int:
        """Seq of the last acknowledged (durable) command."""
        return self._durable_seq

    @property
    def halted(self) -> SequencerHalted | None:
        return self._halt_error

    @property
    def accepting(self) -> bool:
        return self._accepting and self._halt_error is None

    # -- submitting -------------------------------------------------------------

    def _refusal(self) -> Exception:
        """Why nothing is accepted (``_accepting`` is false whenever halted)."""
        if self._halt_error is not None:
            return self._failure()
        return SequencerStopped("sequencer is not running")

    def submit_nowait(self, cmd: Command) -> asyncio.Future[list[Event]]:
        """Queue ``cmd`` (the sequencer stamps it in place); the future gets its events.

        Raises ``codec.CodecError`` (a ``ValueError``) when a field does not hold
        exactly its declared type: gateways must build commands from parsed input;
        ``TypeError`` when ``cmd`` is not a command at all.

        Cancelling the future before the command is sequenced withdraws it; after
        that the command takes effect regardless.
        """
        if not self._accepting:
            raise self._refusal()
        codec.check(cmd)
        return self._inbox.put(cmd)

    def submit_many(self, cmds: Iterable[Command]) -> list[asyncio.Future[list[Event]]]:
        return [self.submit_nowait(cmd) for cmd in cmds]

    async def submit(self, cmd: Command) -> list[Event]:
        """Sequence, apply and durably journal ``cmd``; return the events it caused."""
        result: list[Event] = await self.submit_nowait(cmd)
        return result

    async def query(self, fn: Callable[[Exchange], T]) -> T:
        """Run ``fn`` on the exchange in sequence; the answer is released only once
        every command before it is durable, so it never reveals unacknowledged state."""
        if not self._accepting:
            raise self._refusal()
        result: T = await self._inbox.put(Query(fn))
        return result

    # -- the pipeline -------------------------------------------------------------

    async def _apply_loop(self) -> None:
        try:
            while True:
                await self._slots.acquire()
                while not self._inbox and self._accepting:
                    await self._inbox.wait()
                if not self._inbox or self._halt_error is not None:
                    return
                batch = self._apply_batch()
                self._to_writer.put_nowait(batch)
                if self._snapshot_due():
                    await self._to_writer.join()
                    # One snapshot in flight at a time: should a child still be writing
                    # the previous one, intake waits for it (snapshots are then too
                    # frequent for the disk) instead of skipping this one.
                    await self._wait_snapshot()
                    if self._halt_error is None:
                        self._begin_snapshot()
        finally:
            self._to_writer.put_nowait(None)

    def _apply_batch(self) -> Batch:
        items, futures = self._inbox.take(self._max_batch)
        started = time.perf_counter_ns()
        batch = apply_batch(
            self.exchange, items, futures, self._last_seq, self._last_ts, self._clock
        )
        if batch.failure is not None:
            cmd, exc = batch.failure
            self._halt(f"the core failed applying seq {cmd.seq} ({cmd!r})", exc)
            for future in batch.unhandled:
                if not future.done():
                    future.set_exception(self._failure())
        self.journal.append_encoded(self._last_seq + 1, batch.payloads)
        batch.pending = self.journal.detach()
        commands = batch.last_seq - self._last_seq
        self._last_ts = batch.last_ts_ns
        self._last_seq = batch.last_seq
        self.batches += 1
        self.commands += commands
        self.largest_batch = max(self.largest_batch, commands)
        if self.observer is not None:
            self.observer.batch_applied(commands, time.perf_counter_ns() - started)
        return batch

    async def _write_loop(self) -> None:
        while True:
            batch = await self._next_batch()
            if batch is None:
                self._to_writer.task_done()
                return
            try:
                await self._commit(batch)
            finally:
                self._to_writer.task_done()
                self._slots.release()

    async def _next_batch(self) -> Batch | None:
        journal = self.journal
        if journal.durability is Durability.BATCH:
            while journal.needs_sync and self._to_writer.empty():
                try:
                    return await asyncio.wait_for(self._to_writer.get(), journal.sync_interval_s)
                except TimeoutError:
                    await asyncio.to_thread(journal.sync)
        return await self._to_writer.get()

    async def _commit(self, batch: Batch) -> None:
        if batch.pending is not None and not self._write_failed:
            started = time.perf_counter_ns()
            try:
                if self.journal.durability is Durability.NONE:
                    self.journal.commit(batch.pending)
                else:
                    await asyncio.to_thread(self.journal.commit, batch.pending)
            except Exception as exc:
                self._write_failed = True
                self._halt("writing the journal failed", exc)
            if self.observer is not None:
                elapsed_ns = time.perf_counter_ns() - started
                self.observer.batch_committed(len(batch.payloads), elapsed_ns)
        if self._write_failed:
            batch.fail(self._failure)
            return
        self._durable_seq = batch.last_seq
        batch.resolve()
        self.bus.publish(batch.events)

    def _halt(self, message: str, cause: BaseException) -> None:
        if self._halt_error is None:
            log.critical("sequencer halted: %s", message, exc_info=cause)
            error = SequencerHalted(message)
            error.__cause__ = cause
            self._halt_error = error
        self._accepting = False
        for future in self._inbox.clear():
            if not future.done():
                future.set_exception(self._failure())
        self._inbox.wake()

    def _failure(self) -> SequencerHalted:
        assert self._halt_error is not None
        error = SequencerHalted(str(self._halt_error))
        error.__cause__ = self._halt_error.__cause__
        return error

    # -- snapshots ----------------------------------------------------------------

    def _snapshot_due(self) -> bool:
        return (
            self._snapshots is not None
            and self._last_seq - self._snapshot_seq >= self._snapshot_every
        )

    def _begin_snapshot(self) -> None:
        """Snapshot the state as of now (everything up to it is durable and published)
        without holding up the event loop: a forked child captures, encodes and
        writes it from a copy-on-write image of this moment while matching goes on.
        The child first fsyncs the journal, so no snapshot is ever durable ahead of
        the commands it contains (recovery refuses such a directory)."""
        store = self._snapshots
        if store is None:
            return
        seq, ts_ns, exchange, extra = (
            self._last_seq,
            self._last_ts,
            self.exchange,
            self._snapshot_extra,
        )

        def capture() -> Snapshot:
            return Snapshot(
                seq=seq,
                ts_ns=ts_ns,
                state_hash=exchange.state_hash(),
                exchange=exchange.snapshot(),
                extra=extra() if extra is not None else None,
            )

        journal = self.journal
        sync = journal.sync if journal.durability is not Durability.NONE else None
        self._snapshot_seq = seq
        try:
            writer = fork_writer(store, seq, capture, before_write=sync)
        except OSError:
            log.exception("cannot fork a writer for the snapshot at seq %d", seq)
            return
        self._snapshot_task = asyncio.create_task(self._write_snapshot(writer))
        if self.after_snapshot is not None:
            self.after_snapshot()

    async def _write_snapshot(self, writer: ForkedWrite) -> None:
        started = time.perf_counter_ns()
        written, detail = await asyncio.to_thread(writer.wait, SNAPSHOT_TIMEOUT_S)
        if written:
            log.info("snapshot at seq %d written (%s bytes)", writer.seq, detail)
            if self.observer is not None and detail.isdigit():
                self.observer.snapshot_written(time.perf_counter_ns() - started, int(detail))
        else:
            log.error("writing the snapshot at seq %d failed: %s", writer.seq, detail)

    async def _wait_snapshot(self) -> None:
        if self._snapshot_task is not None:
            await self._snapshot_task
