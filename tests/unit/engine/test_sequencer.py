"""The sequencer: stamping, group commit, acknowledgement only after durability, halting."""

from __future__ import annotations

import asyncio
import errno
import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from aurex.config import Durability
from aurex.core.commands import Command, Deposit, HaltSymbol
from aurex.core.events import Event, FundsDeposited, OrderAccepted
from aurex.core.exchange import Exchange
from aurex.engine.bus import EventBus
from aurex.engine.journal import Journal, PendingBatch, read_commands
from aurex.engine.recovery import JOURNAL_SUBDIR
from aurex.engine.sequencer import Sequencer, SequencerHalted, SequencerStopped

from .workload import ACCOUNTS, order_flow, seed_commands


def _clock() -> Callable[[], int]:
    return itertools.count(1_000_000, 1_000).__next__


@pytest.fixture
async def sequencer(tmp_path: Path) -> AsyncIterator[Sequencer]:
    seq, _ = Sequencer.open(tmp_path, clock=_clock(), snapshot_every=10**9)
    await seq.start()
    yield seq
    await seq.stop(snapshot=False)


async def test_commands_get_consecutive_seqs_and_clock_time(sequencer: Sequencer) -> None:
    results = [await sequencer.submit(cmd) for cmd in seed_commands()]
    assert [events[0].seq for events in results] == list(range(1, len(results) + 1))
    assert [events[0].ts_ns for events in results] == [
        1_000_000 + 1_000 * i for i in range(len(results))
    ]
    assert sequencer.last_seq == sequencer.durable_seq == len(results)


async def test_time_never_runs_backwards(tmp_path: Path) -> None:
    readings = iter([5_000, 4_000, 6_000, 1_000])
    seq, _ = Sequencer.open(tmp_path, clock=lambda: next(readings))
    await seq.start()
    stamps = [(await seq.submit(cmd))[0].ts_ns for cmd in seed_commands()[:4]]
    await seq.stop(snapshot=False)
    assert stamps == [5_000, 5_000, 6_000, 6_000]


async def test_results_are_released_only_once_the_command_is_on_disk(tmp_path: Path) -> None:
    seq, _ = Sequencer.open(tmp_path, durability=Durability.FSYNC)
    await seq.start()
    on_disk_when_acked: list[bool] = []

    def check(future: asyncio.Future[list[Event]]) -> None:
        acked = future.result()[0].seq
        journalled = {c.seq for c in read_commands(tmp_path / JOURNAL_SUBDIR)}
        on_disk_when_acked.append(acked in journalled)

    for future in seq.submit_many(seed_commands() + order_flow(200)):
        future.add_done_callback(check)
    await seq.stop(snapshot=False)
    assert len(on_disk_when_acked) == len(seed_commands()) + 200
    assert all(on_disk_when_acked)


async def test_concurrent_submissions_share_one_write_per_batch(sequencer: Sequencer) -> None:
    commands = seed_commands() + order_flow(1_000)
    results = await asyncio.gather(*sequencer.submit_many(commands))
    assert len(results) == len(commands)
    assert sequencer.commands == len(commands)
    assert sequencer.batches < len(commands) / 10
    assert sequencer.largest_batch > 1


async def test_events_are_published_after_acknowledgement_in_seq_order(tmp_path: Path) -> None:
    bus = EventBus()
    handled: list[int] = []
    bus.add_handler(lambda events: handled.extend(e.seq for e in events))
    subscription = bus.subscribe("feed", maxsize=10_000)
    seq, _ = Sequencer.open(tmp_path, bus=bus)
    await seq.start()
    results = await asyncio.gather(*seq.submit_many(seed_commands() + order_flow(300)))
    await seq.stop(snapshot=False)
    bus.close()

    expected = [e.seq for events in results for e in events]
    assert handled == expected
    assert [e.seq async for batch in subscription for e in batch] == expected
    assert handled == sorted(handled)


async def test_stop_writes_a_final_snapshot_and_restart_resumes_exactly(tmp_path: Path) -> None:
    seq, _ = Sequencer.open(tmp_path, snapshot_every=10**9)
    await seq.start()
    await asyncio.gather(*seq.submit_many(seed_commands() + order_flow(400)))
    live_hash = seq.exchange.state_hash()
    last = seq.last_seq
    await seq.stop()

    again, recovery = Sequencer.open(tmp_path)
    assert recovery.snapshot_seq == last
    assert recovery.replayed == 0
    assert again.exchange.state_hash() == live_hash
    await again.start()
    events = await again.submit(Deposit(account="alice", cash_cents=1))
    assert events[0].seq == last + 1
    assert events[0].ts_ns >= recovery.last_ts_ns
    await again.stop(snapshot=False)


async def test_periodic_snapshots_store_projection_state_taken_at_the_same_seq(
    tmp_path: Path,
) -> None:
    bus = EventBus()
    projected: list[int] = []
    bus.add_handler(lambda events: projected.extend(e.seq for e in events))
    seq, _ = Sequencer.open(
        tmp_path, bus=bus, snapshot_every=100, snapshot_extra=lambda: list(projected)
    )
    await seq.start()
    commands = seed_commands() + order_flow(700)
    for start in range(0, len(commands), 50):
        await asyncio.gather(*seq.submit_many(commands[start : start + 50]))
    await seq.stop(snapshot=False)

    _, recovery = Sequencer.open(tmp_path)
    assert recovery.snapshot_seq > 0
    extra = recovery.snapshot_extra
    assert extra == [s for s in projected if s <= recovery.snapshot_seq]
    assert extra[-1] == recovery.snapshot_seq


async def test_after_snapshot_runs_once_per_snapshot_with_everything_before_it_durable(
    tmp_path: Path,
) -> None:
    seq, _ = Sequencer.open(tmp_path, snapshot_every=100)
    seen: list[int] = []
    seq.after_snapshot = lambda: seen.append(seq.durable_seq)
    await seq.start()
    commands = seed_commands() + order_flow(350)
    for start in range(0, len(commands), 50):
        await asyncio.gather(*seq.submit_many(commands[start : start + 50]))
    await seq.stop(snapshot=False)
    assert len(seen) == len(commands) // 100 >= 3
    assert all(durable >= 100 * (i + 1) for i, durable in enumerate(seen))


async def test_query_sees_state_only_after_preceding_commands_are_durable(
    sequencer: Sequencer,
) -> None:
    sequencer.submit_many(seed_commands())
    answer = await sequencer.query(lambda ex: (ex.last_seq, ex.account("alice") is not None))
    assert answer == (len(seed_commands()), True)
    assert sequencer.durable_seq >= answer[0]
    with pytest.raises(ZeroDivisionError):
        await sequencer.query(lambda ex: 1 // 0)
    assert (await sequencer.submit(HaltSymbol(symbol="AAA")))[0].seq == answer[0] + 1


async def test_a_submission_cancelled_before_sequencing_is_withdrawn(sequencer: Sequencer) -> None:
    withdrawn = sequencer.submit_nowait(Deposit(account="zed", cash_cents=5))
    withdrawn.cancel()
    events = await sequencer.submit(Deposit(account="amy", cash_cents=7))
    assert events[0].seq == 1
    assert await sequencer.query(lambda ex: ex.account("zed")) is None


async def test_malformed_commands_are_refused_without_using_a_seq(sequencer: Sequencer) -> None:
    with pytest.raises(ValueError, match="cannot encode Deposit"):
        await sequencer.submit(Deposit(account="a", cash_cents=2**64))
    with pytest.raises(ValueError, match="cannot encode Deposit: over"):
        await sequencer.submit(Deposit(account="a" * (2 << 20), cash_cents=1))
    events = await sequencer.submit(Deposit(account="a", cash_cents=5))
    assert events[0].seq == 1


async def test_refuses_non_commands_and_submissions_after_stop(tmp_path: Path) -> None:
    seq, _ = Sequencer.open(tmp_path)
    with pytest.raises(SequencerStopped):
        seq.submit_nowait(Deposit(account="a", cash_cents=1))
    await seq.start()
    with pytest.raises(TypeError):
        seq.submit_nowait(Command())
    await seq.stop()
    with pytest.raises(SequencerStopped):
        await seq.submit(Deposit(account="a", cash_cents=1))


class _BuggyExchange:
    """A core with an invariant bug: it blows up on a deposit of exactly 13 cents.

    It wraps a real exchange rather than subclassing it: the compiled core's classes
    cannot be subclassed by interpreted code.
    """

    def __init__(self) -> None:
        self._real = Exchange()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def apply(self, command: Command) -> list[Event]:
        if isinstance(command, Deposit) and command.cash_cents == 13:
            self._real.markets.clear()  # half-applied damage before the crash
            raise AssertionError("invariant violated")
        return self._real.apply(command)


async def test_core_failure_halts_without_journalling_the_failing_command(
    tmp_path: Path,
) -> None:
    journal = Journal.open(tmp_path / JOURNAL_SUBDIR)
    seq = Sequencer(_BuggyExchange(), journal)
    await seq.start()
    await asyncio.gather(*seq.submit_many(seed_commands()))
    before, bad, after = seq.submit_many(
        [
            Deposit(account="alice", cash_cents=1),
            Deposit(account="alice", cash_cents=13),
            Deposit(account="alice", cash_cents=2),
        ]
    )
    assert isinstance((await before)[0], FundsDeposited)
    with pytest.raises(SequencerHalted, match="failed applying") as excinfo:
        await bad
    assert isinstance(excinfo.value.__cause__, AssertionError)
    with pytest.raises(SequencerHalted):
        await after
    with pytest.raises(SequencerHalted):
        await seq.submit(Deposit(account="bob", cash_cents=1))
    assert seq.halted is not None
    await seq.stop()

    _, recovery = Sequencer.open(tmp_path)
    assert recovery.last_seq == len(seed_commands()) + 1
    assert recovery.exchange.account("alice") is not None
    assert "AAA" in recovery.exchange.markets  # the damage was never persisted


class _FailingJournal(Journal):
    """A journal whose disk starts failing after ``good_commits`` commits."""

    good_commits = 1

    def commit(self, batch: PendingBatch) -> None:
        if self.good_commits <= 0:
            raise OSError(errno.EIO, "I/O error")
        self.good_commits -= 1
        super().commit(batch)


async def test_journal_write_failure_halts_and_acknowledges_nothing_unwritten(
    tmp_path: Path,
) -> None:
    journal = _FailingJournal.open(tmp_path / JOURNAL_SUBDIR)
    assert isinstance(journal, _FailingJournal)
    seq = Sequencer(Exchange(), journal)
    await seq.start()
    first = await seq.submit(seed_commands()[0])
    assert first[0].seq == 1
    futures = seq.submit_many(seed_commands()[1:])
    outcomes: list[Any] = await asyncio.gather(*futures, return_exceptions=True)
    assert all(isinstance(o, SequencerHalted) for o in outcomes)
    assert seq.durable_seq == 1
    await seq.stop()
    assert [c.seq for c in read_commands(tmp_path / JOURNAL_SUBDIR)] == [1]


async def test_batch_durability_syncs_an_idle_journal(tmp_path: Path) -> None:
    seq, _ = Sequencer.open(tmp_path, durability=Durability.BATCH)
    await seq.start()
    await asyncio.gather(*seq.submit_many(seed_commands()))
    for _ in range(1_000):  # generous bound: only guards against hanging forever
        if not seq.journal.needs_sync:
            break
        await asyncio.sleep(0.01)
    assert not seq.journal.needs_sync
    await seq.stop(snapshot=False)


async def test_orders_flow_end_to_end(sequencer: Sequencer) -> None:
    await asyncio.gather(*sequencer.submit_many(seed_commands()))
    results = await asyncio.gather(*sequencer.submit_many(order_flow(100)))
    accepted = [e for events in results for e in events if isinstance(e, OrderAccepted)]
    assert accepted
    assert {e.account for e in accepted} <= set(ACCOUNTS)


async def test_a_backlog_larger_than_a_batch_is_applied_in_order_over_several_batches(
    tmp_path: Path,
) -> None:
    seq, _ = Sequencer.open(tmp_path, clock=_clock(), max_batch=16)
    await seq.start()
    commands = seed_commands() + order_flow(200)
    results = await asyncio.gather(*seq.submit_many(commands))
    await seq.stop(snapshot=False)
    assert [events[0].seq for events in results] == list(range(1, len(commands) + 1))
    assert seq.batches >= len(commands) / 16
    assert seq.largest_batch == 16
