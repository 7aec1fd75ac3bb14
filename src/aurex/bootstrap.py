"""The composition root: the only place that decides which adapters are plugged in."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.adapters.engine_accounts import EngineAccounts
from aurex.auth import KeyRing, build_auth_services, memory_stores, redis_stores
from aurex.auth.mail import mailer_for
from aurex.config import Settings
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.recovery import iter_events
from aurex.engine.sequencer import Sequencer
from aurex.gateways.http import AppServices, create_app
from aurex.gateways.http.ops_routes import Probes, ops_router
from aurex.gateways.http.server import HttpServer
from aurex.listing import load_listings
from aurex.marketdata import MarketData
from aurex.store.audit_log import SqlAuditLog
from aurex.store.database import create_engine
from aurex.store.migrate import upgrade_database
from aurex.store.projector import Projector
from aurex.store.session_repository import SqlBackupCodeRepository, SqlSessionRepository
from aurex.store.user_repository import SqlUserRepository

log = logging.getLogger(__name__)

INDEX_INTERVAL_S = 0.1


def freeze_recovered_state() -> None:
    """Tune the cyclic garbage collector for an exchange process.

    The recovered book and accounts are long-lived: freezing them means no full
    collection walks them again. Everything else the engine allocates (commands,
    events, futures) is freed by reference counting, so young collections can run
    less often: at the default threshold they took about a quarter of the durable
    path's time (bench/core.py).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


class Runtime:
    """The running exchange: sequencer, market data and the 100 ms index timer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.market_data = MarketData()
        self._sequencer: Sequencer | None = None
        self._index_task: asyncio.Task[None] | None = None
        self.projector: Projector | None = None

    @property
    def sequencer(self) -> Sequencer:
        if self._sequencer is None:
            raise RuntimeError("runtime not started")
        return self._sequencer

    async def start(self) -> None:
        """Recover from the data directory, list the symbols if new, start timers."""
        data_dir = Path(self.settings.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        replayed: list[Event] = []
        sequencer, recovery = await asyncio.to_thread(
            Sequencer.open,
            data_dir,
            durability=self.settings.durability,
            snapshot_every=self.settings.snapshot_every,
            snapshot_extra=self.market_data.snapshot,
            on_replayed_events=lambda _cmd, events: replayed.extend(events),
        )
        if recovery.snapshot_extra is not None:
            self.market_data.restore(recovery.snapshot_extra)
        elif recovery.snapshot_seq > 0:
            replayed = [e for _cmd, batch in iter_events(data_dir, 0) for e in batch]
        self.market_data.apply(replayed)
        log.info(
            "recovered seq %d (snapshot %d + %d commands)",
            recovery.last_seq,
            recovery.snapshot_seq,
            recovery.replayed,
        )
        freeze_recovered_state()
        sequencer.bus.add_handler(self._on_events)
        self._sequencer = sequencer
        await sequencer.start()
        if not sequencer.exchange.markets:
            listings = load_listings(self.settings.symbols_file)
            for events in await asyncio.gather(*map(sequencer.submit, listings)):
                log.info("listed %s", getattr(events[0], "symbol", "?"))
        self._index_task = asyncio.create_task(self._index_loop(), name="aurex-index")

    async def stop(self) -> None:
        if self._index_task is not None:
            self._index_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._index_task
        if self._sequencer is not None:
            await self._sequencer.stop()

    async def submit(self, command: Command) -> list[Event]:
        """Sequence one command; returns its events once they are durable."""
        return await self.sequencer.submit(command)

    def _on_events(self, events: list[Event]) -> None:
        self.market_data.apply(events)

    async def _index_loop(self) -> None:
        """Recompute the index every 100 ms (it samples the day's high and low)."""
        while True:
            self.market_data.recompute_index(time.time_ns())
            await asyncio.sleep(INDEX_INTERVAL_S)


class Platform:
    """Everything ``aurex serve`` runs: the exchange runtime, the database projection,
    accounts and security, and the HTTP gateway."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime = Runtime(settings)
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.http_url = f"http://{settings.host}:{settings.http_port}"

    async def start(self) -> None:
        settings = self.settings
        await self.runtime.start()
        self._closers.append(self.runtime.stop)
        database = await open_database(settings)
        self._closers.append(database.dispose)
        projector_task = start_projector(self.runtime, database, Path(settings.data_dir))
        self._closers.append(lambda: _finish(projector_task, self.runtime))
        stores = redis_stores(settings.redis_url) if settings.redis_url else memory_stores()
        self._closers.append(stores.close)
        auth = build_auth_services(
            users=SqlUserRepository(database),
            session_repo=SqlSessionRepository(database),
            backup_codes=SqlBackupCodeRepository(database),
            audit=SqlAuditLog(database),
            stores=stores,
            mailer=mailer_for(settings.smtp_url, settings.mail_dir),
            accounts=EngineAccounts(self.runtime.sequencer.exchange, self.runtime.submit),
            keys=KeyRing.load_or_create(settings.key_dir),
            opening_cash_cents=settings.opening_cash_cents,
            public_url=self.http_url,
        )
        sequencer = self.runtime.sequencer
        probes = Probes(
            accepting=lambda: sequencer.accepting,
            last_seq=lambda: sequencer.last_seq,
            durable_seq=lambda: sequencer.durable_seq,
            projector_lag=lambda: self.runtime.projector.lag if self.runtime.projector else 0,
        )
        app = create_app(AppServices(auth=auth, routers=(ops_router(probes),)))
        server = HttpServer(app, settings.host, settings.http_port)
        await server.start()
        self._closers.append(server.stop)

    async def stop(self) -> None:
        """Stop in reverse order: no new requests, drain the engine, finish the projection."""
        while self._closers:
            closer = self._closers.pop()
            try:
                await closer()
            except Exception:
                log.exception("shutting down %r failed", closer)


async def open_database(settings: Settings) -> AsyncEngine:
    """Create or upgrade the schema, then connect (SQLite file or PostgreSQL URL)."""
    url = settings.resolved_database_url
    await upgrade_database(url)
    return create_engine(url)


def start_projector(runtime: Runtime, database: AsyncEngine, data_dir: Path) -> asyncio.Task[None]:
    """Project engine events into the database: journal catch-up, then the live feed."""
    sequencer = runtime.sequencer
    projector = Projector(database, engine_seq=lambda: sequencer.last_seq)
    runtime.projector = projector
    return asyncio.create_task(
        projector.follow(
            lambda: sequencer.bus.subscribe("store-projector", maxsize=4096),
            data_dir,
            lambda: sequencer.durable_seq,
        ),
        name="aurex-projector",
    )


async def _finish(projector_task: asyncio.Task[None], runtime: Runtime) -> None:
    """Let the projector write what the stopped engine published, then end it."""
    runtime.sequencer.bus.close()
    try:
        await asyncio.wait_for(projector_task, timeout=30)
    except TimeoutError:
        log.warning("projector did not finish in 30 s; it catches up from the journal next start")
