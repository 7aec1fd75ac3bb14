"""Snapshot files and how recovery chooses between them."""

from __future__ import annotations

from pathlib import Path

import pytest

from aurex.core.exchange import Exchange
from aurex.engine.journal import Journal
from aurex.engine.recovery import SnapshotAheadError, recover
from aurex.engine.snapshot import (
    Snapshot,
    SnapshotError,
    SnapshotStore,
    decode_snapshot,
    encode_snapshot,
    snapshot_name,
)

from .workload import order_flow, seed_commands, stamp


def _exchange_at(seq: int) -> Exchange:
    exchange = Exchange()
    for cmd in stamp((seed_commands() + order_flow(seq))[:seq]):
        exchange.apply(cmd)
    return exchange


def _snapshot_of(exchange: Exchange, extra: object = None) -> Snapshot:
    return Snapshot(
        seq=exchange.last_seq,
        ts_ns=123,
        state_hash=exchange.state_hash(),
        exchange=exchange.snapshot(),
        extra=extra,
    )


def _journal_with(directory: Path, count: int) -> Journal:
    journal = Journal.open(directory)
    for cmd in stamp((seed_commands() + order_flow(count))[:count]):
        journal.append(cmd)
    journal.close()
    return Journal.open(directory)


def test_file_image_round_trips_and_restores_to_the_same_hash() -> None:
    exchange = _exchange_at(60)
    snapshot = _snapshot_of(exchange, extra={"tickers": [["AAA", 10_001]]})
    decoded = decode_snapshot(encode_snapshot(snapshot))
    assert decoded == snapshot
    assert Exchange.restore(decoded.exchange).state_hash() == exchange.state_hash()


@pytest.mark.parametrize("damage", ["flip", "truncate", "magic"])
def test_damaged_file_is_detected(damage: str) -> None:
    blob = bytearray(encode_snapshot(_snapshot_of(_exchange_at(20))))
    if damage == "flip":
        blob[-10] ^= 0x01
    elif damage == "truncate":
        del blob[-1:]
    else:
        blob[0:8] = b"NOTASNAP"
    with pytest.raises(SnapshotError):
        decode_snapshot(bytes(blob))


def test_store_keeps_only_the_newest_files(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path, keep=2)
    for seq in (10, 20, 30, 40):
        store.write(seq, encode_snapshot(_snapshot_of(_exchange_at(seq))))
    assert [seq for seq, _ in store.paths()] == [40, 30]
    assert [s.seq for s in store.load()] == [40, 30]
    assert [s.seq for s in store.load(max_seq=35)] == [30]


def test_leftover_temporary_file_from_a_crash_is_ignored_and_cleaned(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    (tmp_path / (snapshot_name(99) + ".tmp")).write_bytes(b"half written")
    store.write(10, encode_snapshot(_snapshot_of(_exchange_at(10))))
    assert sorted(p.name for p in tmp_path.iterdir()) == [snapshot_name(10)]


def test_recovery_falls_back_to_an_older_snapshot_when_the_newest_is_corrupt(
    tmp_path: Path,
) -> None:
    journal = _journal_with(tmp_path / "journal", 80)
    store = SnapshotStore(tmp_path / "snapshots")
    store.write(40, encode_snapshot(_snapshot_of(_exchange_at(40), extra="at 40")))
    newest = store.write(70, encode_snapshot(_snapshot_of(_exchange_at(70), extra="at 70")))
    data = bytearray(newest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    newest.write_bytes(bytes(data))

    recovery = recover(journal, store)
    assert recovery.snapshot_seq == 40
    assert recovery.snapshot_extra == "at 40"
    assert recovery.replayed == 40
    assert recovery.last_seq == 80
    assert recovery.exchange.state_hash() == _exchange_at(80).state_hash()


def test_snapshot_whose_state_does_not_match_its_hash_is_not_trusted(tmp_path: Path) -> None:
    journal = _journal_with(tmp_path / "journal", 50)
    store = SnapshotStore(tmp_path / "snapshots")
    lying = _snapshot_of(_exchange_at(45))
    lying.state_hash = _exchange_at(44).state_hash()
    store.write(45, encode_snapshot(lying))

    recovery = recover(journal, store)
    assert recovery.snapshot_seq == 0
    assert recovery.replayed == 50
    assert recovery.exchange.state_hash() == _exchange_at(50).state_hash()


def test_snapshot_ahead_of_the_journal_refuses_recovery(tmp_path: Path) -> None:
    journal = _journal_with(tmp_path / "journal", 30)
    store = SnapshotStore(tmp_path / "snapshots")
    store.write(20, encode_snapshot(_snapshot_of(_exchange_at(20))))
    ahead = store.write(35, encode_snapshot(_snapshot_of(_exchange_at(35))))

    with pytest.raises(SnapshotAheadError, match="beyond the journal's end at seq 30") as excinfo:
        recover(journal, store)
    assert str(ahead) in str(excinfo.value)
    assert ahead.exists()
