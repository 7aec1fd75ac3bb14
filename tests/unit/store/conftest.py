"""Store tests run against a real SQLite file in the test's temporary directory.

The PostgreSQL variants in ``tests/integration/test_store_postgres.py`` import the
same tests and override ``db_url`` and ``engine``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.store.database import create_engine
from aurex.store.migrate import upgrade_database


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'var' / 'aurex.db'}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_database(db_url)
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()
