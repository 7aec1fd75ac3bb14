"""Is the database usable? At start (refuse in one line) and while running (health).

A damaged SQLite file used to start the server anyway (and make every signup and
login a 500) or fail start-up with a long traceback. ``open_usable_database``
migrates, connects and reads every table once, and turns any failure into
``DatabaseUnusable`` with a one-line reason; ``check_database`` repeats the reads
for /healthz and /readyz.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.store.database import create_engine
from aurex.store.migrate import upgrade_database
from aurex.store.tables import metadata


class DatabaseUnusable(Exception):
    """The database cannot be opened, migrated or read; the message is one line."""


def one_line(exc: BaseException) -> str:
    """The innermost driver message of ``exc``, without SQLAlchemy's SQL and links."""
    inner: BaseException = exc
    while getattr(inner, "orig", None) is not None:
        inner = inner.orig  # type: ignore[attr-defined]
    text = str(inner).strip().splitlines()
    return (text[0] if text else type(inner).__name__)[:300]


async def check_database(engine: AsyncEngine) -> None:
    """Read the first row of every table (whole rows, so the table's own pages are read,
    not just a covering index); ``DatabaseUnusable`` if any cannot be read."""
    try:
        async with engine.connect() as conn:
            for table in metadata.sorted_tables:
                await conn.execute(select(table).limit(1))
    except Exception as exc:
        raise DatabaseUnusable(one_line(exc)) from exc


async def open_usable_database(url: str) -> AsyncEngine:
    """Create or upgrade the schema, connect, and read every table once.

    Raises ``DatabaseUnusable`` naming the database (without its password) and why.
    """
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        await upgrade_database(url)
    except Exception as exc:
        raise DatabaseUnusable(f"database {shown} is unusable: {one_line(exc)}") from exc
    engine = create_engine(url)
    try:
        await check_database(engine)
    except DatabaseUnusable as exc:
        await engine.dispose()
        raise DatabaseUnusable(f"database {shown} is unusable: {exc}") from exc.__cause__
    return engine
