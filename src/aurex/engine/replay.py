"""``aurex replay``: rebuild the exchange from a data directory and report what it holds.

By default the whole journal is replayed from an empty exchange, independently of
the snapshots, and every intact snapshot passed on the way is checked against the
replayed state hash. Nothing in the data directory is modified, so it is safe to
run beside a live server (a half-written final frame is simply not counted).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aurex.core.events import OrderAccepted, OrderRejected, TradeExecuted
from aurex.core.exchange import Exchange, ExchangeConfig
from aurex.engine.journal import read_commands
from aurex.engine.recovery import JOURNAL_SUBDIR, SNAPSHOT_SUBDIR
from aurex.engine.snapshot import Snapshot, SnapshotStore


@dataclass(slots=True)
class ReplayReport:
    """The outcome of replaying one data directory."""

    data_dir: Path
    first_seq: int
    last_seq: int
    state_hash: str
    commands: int
    events: int
    orders_accepted: int
    orders_rejected: int
    trades: int
    traded_shares: int
    open_orders: int
    accounts: int
    symbols: int
    seconds: float
    commands_by_type: dict[str, int] = field(default_factory=dict)
    snapshot_checks: list[tuple[int, bool]] = field(default_factory=list)
    """``(seq, replayed hash equals the stored one)`` for each snapshot passed."""

    @property
    def snapshots_ok(self) -> bool:
        return all(ok for _, ok in self.snapshot_checks)


def _restored_hash(snapshot: Snapshot) -> str:
    """The state a snapshot restores to (its stored hash if it does not restore cleanly);
    older snapshots may restore to a newer form of the same state."""
    try:
        return Exchange.restore_checked(snapshot.exchange, snapshot.state_hash).state_hash()
    except Exception:
        return snapshot.state_hash


def replay(data_dir: Path, *, config: ExchangeConfig | None = None) -> ReplayReport:
    """Replay every journalled command from scratch; ``config`` must match the live one."""
    started = time.perf_counter()
    expected_hashes = {
        s.seq: _restored_hash(s) for s in SnapshotStore(data_dir / SNAPSHOT_SUBDIR).load()
    }
    exchange = Exchange(config)
    by_type: Counter[str] = Counter()
    checks: list[tuple[int, bool]] = []
    first_seq = events = accepted = rejected = trades = traded = 0
    for cmd in read_commands(data_dir / JOURNAL_SUBDIR):
        first_seq = first_seq or cmd.seq
        by_type[type(cmd).__name__] += 1
        out = exchange.apply(cmd)
        events += len(out)
        for event in out:
            if isinstance(event, TradeExecuted):
                trades += 1
                traded += event.quantity
            elif isinstance(event, OrderAccepted):
                accepted += 1
            elif isinstance(event, OrderRejected):
                rejected += 1
        stored = expected_hashes.get(cmd.seq)
        if stored is not None:
            checks.append((cmd.seq, exchange.state_hash() == stored))
    return ReplayReport(
        data_dir=data_dir,
        first_seq=first_seq,
        last_seq=exchange.last_seq,
        state_hash=exchange.state_hash(),
        commands=sum(by_type.values()),
        events=events,
        orders_accepted=accepted,
        orders_rejected=rejected,
        trades=trades,
        traded_shares=traded,
        open_orders=len(exchange.registry.orders),
        accounts=len(exchange.accounts),
        symbols=len(exchange.markets),
        seconds=time.perf_counter() - started,
        commands_by_type=dict(sorted(by_type.items())),
        snapshot_checks=checks,
    )


def format_report(report: ReplayReport) -> str:
    """A few aligned lines for a terminal."""
    rate = report.commands / report.seconds if report.seconds > 0 else 0.0
    seqs = f"seq {report.first_seq}..{report.last_seq}" if report.commands else "empty journal"
    types = ", ".join(f"{name} {count:,}" for name, count in report.commands_by_type.items())
    checks = ", ".join(
        f"seq {seq} {'ok' if ok else 'MISMATCH'}" for seq, ok in report.snapshot_checks
    )
    lines = [
        f"replayed     {report.data_dir}",
        f"commands     {report.commands:,} ({seqs})",
        f"by type      {types or '-'}",
        f"events       {report.events:,}",
        f"orders       {report.orders_accepted:,} accepted, {report.orders_rejected:,} rejected",
        f"trades       {report.trades:,} ({report.traded_shares:,} shares)",
        f"now          {report.open_orders:,} open orders, {report.accounts:,} accounts, "
        f"{report.symbols:,} symbols",
        f"snapshots    {checks or 'none passed'}",
        f"state hash   {report.state_hash}",
        f"time         {report.seconds:.2f} s ({rate:,.0f} commands/s)",
    ]
    return "\n".join(lines)
