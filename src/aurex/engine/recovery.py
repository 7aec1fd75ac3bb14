"""Rebuild the exchange from disk: newest valid snapshot + replay of later commands.

A snapshot is used only if its checksum holds and it restores to the state hash
stored with it; otherwise an older one is tried, and finally the whole journal is
replayed from an empty exchange (the journal is the source of truth, so this gives
the same state). A snapshot *beyond* the journal's end is different: snapshots are
only taken of durable commands, so the journal has lost acknowledged commands, and
``recover`` refuses to start rather than silently serve an older state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.core.exchange import Exchange, ExchangeConfig
from aurex.core.state import StateHashMismatch
from aurex.engine.journal import CorruptDataError, Journal, read_commands
from aurex.engine.snapshot import Snapshot, SnapshotStore

log = logging.getLogger(__name__)

JOURNAL_SUBDIR = "journal"
SNAPSHOT_SUBDIR = "snapshots"

EventsCallback = Callable[[Command, list[Event]], None]
"""Receives each replayed command with the events it regenerated."""


@dataclass(slots=True)
class Recovery:
    """What ``recover`` rebuilt and how."""

    exchange: Exchange
    last_seq: int
    last_ts_ns: int
    snapshot_seq: int
    """Seq of the snapshot used, 0 when replayed from an empty exchange."""
    snapshot_extra: Any
    """Projection state stored with that snapshot (None without one)."""
    replayed: int
    """Journal commands applied on top of the snapshot."""
    events: int
    repaired_bytes: int
    """Torn-tail bytes the journal removed on open."""


class RecoveryError(CorruptDataError):
    """The journal and snapshots do not describe a consistent exchange."""


class SnapshotAheadError(RecoveryError):
    """A snapshot was taken at a seq the journal no longer reaches."""


def _restore(snapshot: Snapshot) -> Exchange | None:
    try:
        return Exchange.restore_checked(snapshot.exchange, snapshot.state_hash)
    except StateHashMismatch as exc:
        log.error("snapshot at seq %d %s; trying an older one", snapshot.seq, exc)
        return None
    except Exception:
        log.exception("snapshot at seq %d does not restore; trying an older one", snapshot.seq)
        return None


def _starting_point(
    snapshots: SnapshotStore | None, max_seq: int, config: ExchangeConfig | None
) -> tuple[Exchange, Snapshot | None]:
    if snapshots is not None:
        for snapshot in snapshots.load(max_seq=max_seq):
            exchange = _restore(snapshot)
            if exchange is not None:
                return exchange, snapshot
    return Exchange(config), None


def replay_into(
    exchange: Exchange,
    journal_dir: Path,
    after_seq: int,
    until_seq: int | None = None,
    on_events: EventsCallback | None = None,
) -> tuple[int, int, int]:
    """Apply journal commands after ``after_seq``; returns (count, events, last ts)."""
    count = events = last_ts = 0
    for cmd in read_commands(journal_dir, after_seq, until_seq):
        if cmd.seq != after_seq + count + 1:
            raise RecoveryError(f"journal resumes at seq {cmd.seq}, expected {after_seq + 1}")
        regenerated = exchange.apply(cmd)
        count += 1
        events += len(regenerated)
        last_ts = cmd.ts_ns
        if on_events is not None:
            on_events(cmd, regenerated)
    return count, events, last_ts


def recover(
    journal: Journal,
    snapshots: SnapshotStore | None,
    *,
    config: ExchangeConfig | None = None,
    on_events: EventsCallback | None = None,
) -> Recovery:
    """The exchange exactly as of the journal's last frame.

    ``journal`` must be freshly opened (its tail already repaired) and not yet
    written to. ``config`` is used only when no snapshot applies; it must match the
    configuration the journal was produced with.
    """
    if snapshots is not None:
        ahead = [(seq, path) for seq, path in snapshots.paths() if seq > journal.last_seq]
        if ahead:
            seq, path = ahead[-1]
            raise SnapshotAheadError(
                f"{path}: snapshot at seq {seq} is beyond the journal's end at seq "
                f"{journal.last_seq}: acknowledged commands are missing from the journal"
            )
    exchange, snapshot = _starting_point(snapshots, journal.last_seq, config)
    start = snapshot.seq if snapshot is not None else 0
    count, events, last_ts = replay_into(
        exchange, journal.directory, start, journal.last_seq, on_events
    )
    if start + count != journal.last_seq:
        raise RecoveryError(
            f"replayed seq {start + 1}..{start + count} but the journal ends at {journal.last_seq}"
        )
    if count == 0 and snapshot is not None:
        last_ts = snapshot.ts_ns
    log.info(
        "recovered seq %d: snapshot %d + %d journal commands (%d events)",
        journal.last_seq,
        start,
        count,
        events,
    )
    return Recovery(
        exchange=exchange,
        last_seq=journal.last_seq,
        last_ts_ns=last_ts,
        snapshot_seq=start,
        snapshot_extra=snapshot.extra if snapshot is not None else None,
        replayed=count,
        events=events,
        repaired_bytes=journal.repaired_bytes,
    )


def iter_events(
    data_dir: Path,
    after_seq: int,
    *,
    until_seq: int | None = None,
    config: ExchangeConfig | None = None,
) -> Iterator[tuple[Command, list[Event]]]:
    """Regenerate ``(command, events)`` for every journalled command with seq > after_seq.

    Starts from the newest valid snapshot at or before ``after_seq`` (else from
    scratch) and never modifies the data directory, so it may run beside a live
    sequencer; pass ``until_seq`` (e.g. the sequencer's ``durable_seq``) to stop at
    what has been acknowledged. CPU-bound: run it in a thread or process if the
    event loop must stay responsive.
    """
    journal_dir = data_dir / JOURNAL_SUBDIR
    exchange, snapshot = _starting_point(
        SnapshotStore(data_dir / SNAPSHOT_SUBDIR), after_seq, config
    )
    start = snapshot.seq if snapshot is not None else 0
    expected = start + 1
    for cmd in read_commands(journal_dir, start, until_seq):
        if cmd.seq != expected:
            raise RecoveryError(f"journal resumes at seq {cmd.seq}, expected {expected}")
        expected += 1
        events = exchange.apply(cmd)
        if cmd.seq > after_seq:
            yield cmd, events
