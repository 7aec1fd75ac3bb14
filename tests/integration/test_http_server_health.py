"""/healthz and /readyz reflect the database, the session stores and the journal
(issue 9, finding 6); an unusable database stops start-up with one line.

The parts ``aurex serve`` wires together (a recovered engine, the migrated SQLite
database, real Redis, the ops routes behind the real HTTP server) are damaged
from outside: bytes of the database file overwritten, Redis stopped, the journal
directory removed.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from aurex.auth import memory_stores, redis_stores
from aurex.auth.stores import ShortLivedStores
from aurex.bootstrap import start_engine
from aurex.config import Settings
from aurex.gateways.http.ops_routes import Probes, ops_router
from aurex.gateways.http.server import HttpServer
from aurex.health import platform_checks
from aurex.store.health import DatabaseUnusable, open_usable_database

from .conftest import running
from .serve_process import free_port
from .services import RedisServer


@dataclass(slots=True)
class Stack:
    client: httpx.AsyncClient
    settings: Settings

    @property
    def database_file(self) -> Path:
        return Path(self.settings.data_dir) / "aurex.db"


@asynccontextmanager
async def _stack(tmp_path: Path, stores: ShortLivedStores) -> AsyncIterator[Stack]:
    settings = Settings(data_dir=tmp_path / "var", http_port=free_port())
    engine = await start_engine(settings)
    database = await open_usable_database(settings.resolved_database_url)
    status = engine.status
    probes = Probes(
        accepting=lambda: status().accepting,
        last_seq=lambda: status().last_seq,
        durable_seq=lambda: status().durable_seq,
        projector_lag=lambda: 0,
        checks=platform_checks(database, stores, engine.sequencer, settings.journal_dir),
    )
    app = FastAPI()
    app.include_router(ops_router(probes))
    server = HttpServer.from_settings(app, settings)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            yield Stack(client, settings)
    finally:
        await server.stop()
        await stores.close()
        await database.dispose()
        await engine.stop()


async def _probe(stack: Stack) -> tuple[httpx.Response, httpx.Response]:
    return await stack.client.get("/healthz"), await stack.client.get("/readyz")


def _damage_table(database_file: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, as a failing disk might."""
    with sqlite3.connect(database_file) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)
        ).fetchone()
    with database_file.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


async def test_healthy_parts_answer_ok_with_each_check_named(tmp_path: Path) -> None:
    async with _stack(tmp_path, memory_stores()) as stack:
        health, ready = await _probe(stack)
        assert health.status_code == 200
        assert health.json() == {
            "status": "ok",
            "checks": {"database": "ok", "stores": "ok", "journal": "ok"},
        }
        assert ready.status_code == 200 and ready.json()["ready"] is True
        assert (await stack.client.head("/healthz")).status_code == 200


async def test_a_damaged_database_makes_health_and_readiness_fail(tmp_path: Path) -> None:
    async with _stack(tmp_path, memory_stores()) as stack:
        assert (await stack.client.get("/healthz")).status_code == 200
        _damage_table(stack.database_file, "users")
        await _past_the_cache()
        health, ready = await _probe(stack)
        assert health.status_code == 503, health.text
        checks = health.json()["checks"]
        assert health.json()["status"] == "failing"
        assert "malformed" in checks["database"], checks
        assert checks["stores"] == checks["journal"] == "ok"
        assert ready.status_code == 503 and ready.json()["ready"] is False
        assert ready.json()["checks"]["database"] == checks["database"]


async def test_stopped_redis_makes_health_and_readiness_fail(tmp_path: Path) -> None:
    with running("Redis", RedisServer) as redis_server:
        stores = redis_stores(redis_server.url)
        async with _stack(tmp_path, stores) as stack:
            assert (await stack.client.get("/healthz")).status_code == 200
            redis_server.stop()
            await _past_the_cache()
            health, ready = await _probe(stack)
            assert health.status_code == 503, health.text
            assert health.json()["checks"]["stores"] != "ok"
            assert health.json()["checks"]["database"] == "ok"
            assert ready.status_code == 503


async def test_a_missing_journal_directory_makes_health_fail(tmp_path: Path) -> None:
    async with _stack(tmp_path, memory_stores()) as stack:
        assert (await stack.client.get("/healthz")).status_code == 200
        shutil.rmtree(stack.settings.journal_dir)
        await _past_the_cache()
        health, ready = await _probe(stack)
        assert health.status_code == 503
        assert "journal" in health.json()["checks"]["journal"]
        assert ready.status_code == 503


async def test_a_database_damaged_before_start_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'aurex.db'}"
    await (await open_usable_database(url)).dispose()
    _damage_table(tmp_path / "aurex.db", "user_sessions")
    with pytest.raises(DatabaseUnusable) as refused:
        await open_usable_database(url)
    message = str(refused.value)
    assert "\n" not in message and str(tmp_path / "aurex.db") in message
    assert "malformed" in message


async def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path: Path) -> None:
    database_file = tmp_path / "aurex.db"
    database_file.write_bytes(b"not a database at all, " * 1000)
    with pytest.raises(DatabaseUnusable) as refused:
        await open_usable_database(f"sqlite+aiosqlite:///{database_file}")
    assert "\n" not in str(refused.value) and "not a database" in str(refused.value)


async def _past_the_cache() -> None:
    import asyncio

    from aurex.gateways.http.ops_routes import CHECK_CACHE_S

    await asyncio.sleep(CHECK_CACHE_S)
