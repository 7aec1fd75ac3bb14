"""Regenerating events from disk and the ``aurex replay`` report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec

from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.journal import Journal
from aurex.engine.recovery import JOURNAL_SUBDIR, iter_events, recover
from aurex.engine.replay import format_report, replay
from aurex.engine.sequencer import Sequencer
from aurex.engine.snapshot import SnapshotStore

from .workload import order_flow, seed_commands


async def _run(data_dir: Path, commands: list[Command], snapshot_every: int) -> list[list[Event]]:
    seq, _ = Sequencer.open(data_dir, snapshot_every=snapshot_every)
    await seq.start()
    results = []
    for start in range(0, len(commands), 40):
        results += await asyncio.gather(*seq.submit_many(commands[start : start + 40]))
    await seq.stop(snapshot=False)
    return results


def _json(events: list[Event]) -> bytes:
    return msgspec.json.encode(events)


async def test_iter_events_regenerates_exactly_the_live_events(tmp_path: Path) -> None:
    live = await _run(tmp_path, seed_commands() + order_flow(300), snapshot_every=10**9)
    regenerated = list(iter_events(tmp_path, 0))
    assert [cmd.seq for cmd, _ in regenerated] == list(range(1, len(live) + 1))
    assert [_json(events) for _, events in regenerated] == [_json(events) for events in live]


async def test_iter_events_resumes_after_a_seq_using_an_earlier_snapshot(tmp_path: Path) -> None:
    live = await _run(tmp_path, seed_commands() + order_flow(300), snapshot_every=80)
    snapshot_seqs = [seq for seq, _ in SnapshotStore(tmp_path / "snapshots").paths()]
    assert snapshot_seqs
    after = min(snapshot_seqs) + 7
    regenerated = list(iter_events(tmp_path, after, until_seq=after + 20))
    assert [cmd.seq for cmd, _ in regenerated] == list(range(after + 1, after + 21))
    assert [_json(events) for _, events in regenerated] == [
        _json(events) for events in live[after : after + 20]
    ]


async def test_recover_hands_replayed_events_to_the_callback(tmp_path: Path) -> None:
    live = await _run(tmp_path, seed_commands() + order_flow(120), snapshot_every=50)
    caught_up: list[Event] = []
    journal = Journal.open(tmp_path / JOURNAL_SUBDIR)
    recovery = recover(
        journal,
        SnapshotStore(tmp_path / "snapshots"),
        on_events=lambda cmd, events: caught_up.extend(events),
    )
    journal.close()
    assert 0 < recovery.snapshot_seq < recovery.last_seq
    expected = [e for events in live[recovery.snapshot_seq :] for e in events]
    assert _json(caught_up) == _json(expected)
    assert recovery.events == len(expected)


async def test_replay_report_counts_what_the_journal_holds(tmp_path: Path) -> None:
    live = await _run(tmp_path, seed_commands() + order_flow(200), snapshot_every=60)
    events = [e for batch in live for e in batch]
    report = replay(tmp_path)

    assert report.last_seq == report.commands == len(live)
    assert report.trades == sum(type(e).__name__ == "TradeExecuted" for e in events)
    assert report.orders_accepted == sum(type(e).__name__ == "OrderAccepted" for e in events)
    assert report.trades > 0
    assert report.snapshot_checks and report.snapshots_ok
    assert report.accounts == 3 and report.symbols == 1

    again, _ = Sequencer.open(tmp_path)
    assert report.state_hash == again.exchange.state_hash()
    again.journal.close()

    text = format_report(report)
    assert report.state_hash in text
    assert f"{report.trades:,}" in text
    assert "MISMATCH" not in text


def test_replay_of_an_empty_directory_reports_nothing(tmp_path: Path) -> None:
    report = replay(tmp_path)
    assert report.commands == 0 and report.last_seq == 0
    assert "empty journal" in format_report(report)
