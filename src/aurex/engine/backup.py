"""``aurex backup``: a consistent copy of a data directory, safe while Aurex runs.

The order of the copies is what makes it consistent (docs/operations.md):

1. the SQLite database, with SQLite's online backup API (users, credentials, 2FA and
   sessions exist nowhere else); its projection of the journal may only lag behind
   the journal copied after it, which the projector fills in on start;
2. ``keys/``, the token-signing keys;
3. ``snapshots/``, before the journal, so no copied snapshot is ahead of the copied
   journal (recovery would refuse that);
4. ``journal/``, segment by segment, oldest first. Segments are append-only, so each
   copy is a prefix of the live file; a half-written last frame is a torn tail that
   the restored server repairs on start.

The result is itself a data directory: restoring is copying it back into place.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

from aurex.engine.journal import list_segments
from aurex.engine.recovery import JOURNAL_SUBDIR, SNAPSHOT_SUBDIR
from aurex.engine.snapshot import SnapshotStore

DATABASE_FILE = "aurex.db"
KEY_SUBDIR = "keys"


def _copy_database(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(source)) as live,
        contextlib.closing(sqlite3.connect(target)) as copy,
    ):
        live.backup(copy)


def backup(data_dir: Path, target: Path) -> list[str]:
    """Copy ``data_dir`` into the new directory ``target``; returns a line per step."""
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    done: list[str] = []
    database = data_dir / DATABASE_FILE
    if database.exists():
        _copy_database(database, target / DATABASE_FILE)
        done.append(f"database     {DATABASE_FILE} (SQLite online backup)")
    else:
        done.append("database     no SQLite file here: back up PostgreSQL with pg_dump first")
    if (data_dir / KEY_SUBDIR).is_dir():
        shutil.copytree(data_dir / KEY_SUBDIR, target / KEY_SUBDIR)
        done.append(f"keys         {KEY_SUBDIR}/")
    (target / SNAPSHOT_SUBDIR).mkdir()
    for _, path in sorted(SnapshotStore(data_dir / SNAPSHOT_SUBDIR).paths()):
        with contextlib.suppress(FileNotFoundError):  # pruned while we copied
            shutil.copy2(path, target / SNAPSHOT_SUBDIR / path.name)
    snapshots = len(list((target / SNAPSHOT_SUBDIR).iterdir()))
    done.append(f"snapshots    {snapshots} file(s)")
    (target / JOURNAL_SUBDIR).mkdir()
    segments = list_segments(data_dir / JOURNAL_SUBDIR)
    for _, path in segments:
        shutil.copy2(path, target / JOURNAL_SUBDIR / path.name)
    done.append(f"journal      {len(segments)} segment(s)")
    return done


def run(data_dir: Path, target: Path) -> int:
    """The ``aurex backup`` command."""
    for line in backup(data_dir, target):
        print(line)
    print(f"backed up    {data_dir} to {target}; check it with: aurex verify --data-dir {target}")
    return 0
