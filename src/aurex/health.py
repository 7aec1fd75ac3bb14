"""The dependency checks behind /healthz and /readyz: database, Redis, journal.

Each check is an async callable that returns when its dependency is usable and
raises with a short reason when it is not. ``platform_checks`` builds the three
for ``aurex serve``; the ops routes run them (bounded in time, cached briefly).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from aurex.auth.stores import ShortLivedStores
from aurex.engine.sequencer import Sequencer
from aurex.store.database import create_engine
from aurex.store.health import check_database

Check = Callable[[], Awaitable[None]]

# Below this much free space the journal may fail its next write.
MIN_FREE_JOURNAL_BYTES = 64 * 1024 * 1024


def database_check(engine: AsyncEngine) -> Check:
    """Reads on a fresh connection each time: a pooled one would answer from its page
    cache and miss a file damaged since it was opened."""
    url = engine.url.render_as_string(hide_password=False)
    fresh = create_engine(url, poolclass=NullPool)

    async def check() -> None:
        await check_database(fresh)

    return check


def stores_check(stores: ShortLivedStores) -> Check:
    """A read through the rate-limit counters: Redis when configured, else in-process."""

    async def check() -> None:
        await stores.counters.count("health", "probe")

    return check


def journal_check(sequencer: Sequencer, journal_dir: Path) -> Check:
    """The sequencer has not halted (a failed write halts it) and the disk has room."""

    async def check() -> None:
        halted = sequencer.halted
        if halted is not None:
            raise RuntimeError(f"sequencer halted: {halted}")
        if not os.access(journal_dir, os.W_OK):
            raise RuntimeError(f"journal directory {journal_dir} is not writable")
        stat = os.statvfs(journal_dir)
        free = stat.f_bavail * stat.f_frsize
        if free < MIN_FREE_JOURNAL_BYTES:
            raise RuntimeError(f"only {free // (1024 * 1024)} MiB free for the journal")

    return check


def platform_checks(
    database: AsyncEngine, stores: ShortLivedStores, sequencer: Sequencer, journal_dir: Path
) -> dict[str, Check]:
    """The checks ``aurex serve`` reports, by the name /healthz shows them under."""
    return {
        "database": database_check(database),
        "stores": stores_check(stores),
        "journal": journal_check(sequencer, journal_dir),
    }
