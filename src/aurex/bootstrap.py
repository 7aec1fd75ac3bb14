"""The composition root: the only place that decides which adapters are plugged in.

``Platform(settings, adapters)`` builds everything ``aurex serve`` runs; ``aurex
demo``, the test harnesses and the benchmarks build the system the same way, giving
their own clock, stores or mailer through :class:`Adapters` instead of wiring parts
by hand.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from aurex.adapters.engine_accounts import EngineAccounts
from aurex.auth import (
    AuthServices,
    KeyRing,
    build_auth_services,
    memory_stores,
    reconcile_accounts,
    redis_stores,
)
from aurex.auth.mail import mailer_for
from aurex.auth.ports import Clock, Mailer, utc_now
from aurex.auth.stores import ShortLivedStores
from aurex.config import Settings
from aurex.engine.calendar import DayCloser, SessionCalendar
from aurex.engine.local import INDEX_INTERVAL_S, LocalEngine
from aurex.gateways.grpc.server import GrpcServer
from aurex.gateways.http import AppServices, create_app
from aurex.gateways.http.ops_routes import Probes, ops_router
from aurex.gateways.http.rate_limit import TradingLimits
from aurex.gateways.http.server import HttpServer
from aurex.gateways.tcp.server import TcpServer, tls_context
from aurex.gateways.throttle import OrderThrottle
from aurex.health import platform_checks
from aurex.listing import load_listings
from aurex.observability import close_streams, instrument_app, instrument_engine, watch_http_server
from aurex.store.audit_log import SqlAuditLog
from aurex.store.health import open_usable_database
from aurex.store.history import SqlHistory
from aurex.store.projector import Projector
from aurex.store.session_repository import SqlBackupCodeRepository, SqlSessionRepository
from aurex.store.user_repository import SqlUserRepository
from aurex.web import web_router

log = logging.getLogger(__name__)

PROJECTOR_COALESCE_S = 0.01
"""The database projection writes at most about every 10 ms: far less SQL per order
when orders arrive one at a time, and lists still read their writes (they wait)."""


GC_THRESHOLDS = (10_000, 3, 10)
"""Young collections every 10,000 allocations; a middle one every third, so it walks at
most three young collections' survivors (a middle collection of ten took about 0.1 s
at 1M commands, bench/durability.py)."""


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
    gc.set_threshold(*GC_THRESHOLDS)


def freeze_snapshotted_state() -> None:
    """Move everything alive when a snapshot is taken out of the collector's reach.

    Most of it is the book, the accounts and the read side, which outlive many
    snapshots; left in the oldest generation, every full collection walked all of it
    again, stalling the event loop for 0.3-0.8 s at 1M commands (bench/durability.py).
    Frozen objects are still freed by reference counting when they die (the core
    unlinks orders from their queues, so it leaves no cycles behind); only cyclic
    garbage that happens to exist at that instant is never collected.
    """
    gc.freeze()


@dataclass(slots=True)
class Adapters:
    """What a caller may plug in instead of the defaults chosen from ``Settings``."""

    clock: Clock = utc_now
    """Wall clock of the auth services (token expiry, codes, lockouts)."""
    clock_ns: Callable[[], int] = time.time_ns
    """The sequencer's timestamp source."""
    monotonic: Callable[[], float] = time.monotonic
    """Seconds for the gRPC/TCP order throttle's buckets."""
    index_interval_s: float = INDEX_INTERVAL_S
    stores: ShortLivedStores | None = None
    """Default: Redis when ``AUREX_REDIS_URL`` is set, else in-process."""
    mailer: Mailer | None = None
    """Default: SMTP when ``AUREX_SMTP_URL`` is set, else the Maildir."""
    public_url: str | None = None
    extra_routers: tuple[APIRouter, ...] = field(default_factory=tuple)


class Platform:
    """Everything ``aurex serve`` runs: the engine, the database projection, accounts
    and security, and the HTTP gateway (REST, WebSocket, operations)."""

    def __init__(self, settings: Settings, adapters: Adapters | None = None) -> None:
        self.settings = settings
        self.adapters = adapters or Adapters()
        scheme = "https" if settings.tls_cert_file else "http"
        self.http_url = f"{scheme}://{settings.host}:{settings.http_port}"
        self._engine: LocalEngine | None = None
        self._auth: AuthServices | None = None
        self._app: FastAPI | None = None
        self.database: AsyncEngine | None = None
        self.projector: Projector | None = None
        self.grpc_port = 0
        """The gRPC server's bound port once started (``settings.grpc_port`` may be 0)."""
        self.tcp_port = 0
        """The binary TCP server's bound port once started (``settings.tcp_port`` may be 0)."""
        self.day_closer: DayCloser | None = None
        self._closers: list[Callable[[], Awaitable[None]]] = []

    @property
    def engine(self) -> LocalEngine:
        if self._engine is None:
            raise RuntimeError("platform not started")
        return self._engine

    @property
    def auth(self) -> AuthServices:
        if self._auth is None:
            raise RuntimeError("platform not started")
        return self._auth

    @property
    def app(self) -> FastAPI:
        if self._app is None:
            raise RuntimeError("platform not started")
        return self._app

    async def start(
        self,
        *,
        serve_http: bool = True,
        serve_grpc: bool | None = None,
        serve_tcp: bool | None = None,
    ) -> None:
        """Recover and start the engine, open the database, build the app; serve it
        on ``settings.host:http_port`` unless ``serve_http`` is false (in-process tests),
        and gRPC on ``settings.host:grpc_port`` when ``serve_grpc`` (default: as HTTP),
        the binary TCP protocol on ``settings.host:tcp_port`` when ``serve_tcp`` (idem)."""
        settings, adapters = self.settings, self.adapters
        engine = await start_engine(settings, adapters)
        self._engine = engine
        self._closers.append(engine.stop)
        self.metrics, port = instrument_engine(engine, Path(settings.data_dir))
        calendar = SessionCalendar.parse(
            settings.session_open, settings.session_close, settings.timezone
        )
        if calendar is not None:  # EndOfDay at each scheduled close (the trading day)
            self.day_closer = DayCloser(port, calendar, adapters.clock)
            self.day_closer.start()
            self._closers.append(self.day_closer.stop)
        database = await open_database(settings)
        self.database = database
        self._closers.append(database.dispose)
        projector_task = self._start_projector(engine, database)
        self._closers.append(lambda: _finish(projector_task, engine, settings.shutdown_timeout_s))
        stores = adapters.stores
        if stores is None:
            stores = redis_stores(settings.redis_url) if settings.redis_url else memory_stores()
        self._closers.append(stores.close)
        self._auth = build_auth_services(
            users=SqlUserRepository(database),
            session_repo=SqlSessionRepository(database),
            backup_codes=SqlBackupCodeRepository(database),
            audit=SqlAuditLog(database),
            stores=stores,
            mailer=adapters.mailer or mailer_for(settings.smtp_url, settings.mail_dir),
            accounts=EngineAccounts(engine),
            keys=KeyRing.load_or_create(settings.key_dir),
            opening_cash_cents=settings.opening_cash_cents,
            public_url=adapters.public_url or self.http_url,
            clock=adapters.clock,
        )
        await reconcile_accounts(self._auth)
        self._app = create_app(
            AppServices(
                auth=self._auth,
                engine=port,
                history=SqlHistory(database, wait_for_seq=self._wait_for_projection),
                trading_limits=TradingLimits(
                    per_user=settings.trading_requests_per_user_per_minute,
                    per_address=settings.trading_requests_per_address_per_minute,
                ),
                routers=(
                    ops_router(
                        self._probes(database), 100_000, self.metrics, settings.metrics_token
                    ),
                    web_router(),
                    *adapters.extra_routers,
                ),
            )
        )
        instrument_app(self._app, self.metrics, settings)
        if serve_http:
            server = HttpServer.from_settings(self._app, settings)
            await server.start()
            watch_http_server(self.metrics, server)
            self._closers.append(server.stop)
            app = self._app
            self._closers.append(lambda: close_streams(app))
        throttle = OrderThrottle(settings.orders_per_user_per_second, clock=adapters.monotonic)
        if serve_http if serve_grpc is None else serve_grpc:
            grpc_server = GrpcServer.from_settings(
                settings, port, self._auth.sessions, SqlHistory(database), throttle
            )
            await grpc_server.start()
            self.grpc_port = grpc_server.port
            self._closers.append(grpc_server.stop)
        if serve_http if serve_tcp is None else serve_tcp:
            cert, key = settings.tls_cert_file, settings.tls_key_file
            tcp_server = TcpServer(
                port,
                self._auth.sessions,
                SqlHistory(database),
                tls=tls_context(cert, key) if cert and key else None,
                throttle=throttle,
            )
            _, self.tcp_port = await tcp_server.start(settings.host, settings.tcp_port)
            self._closers.append(tcp_server.stop)

    async def stop(self) -> None:
        """Stop in reverse order: no new requests, drain the engine, finish the projection."""
        while self._closers:
            closer = self._closers.pop()
            try:
                await closer()
            except Exception:
                log.exception("shutting down %r failed", closer)

    async def _wait_for_projection(self, seq: int, timeout_s: float) -> bool:
        projector = self.projector
        return projector is not None and await projector.wait_for(seq, timeout_s)

    def _probes(self, database: AsyncEngine) -> Probes:
        engine = self.engine
        return Probes(
            accepting=lambda: engine.status().accepting,
            last_seq=lambda: engine.status().last_seq,
            durable_seq=lambda: engine.status().durable_seq,
            projector_lag=lambda: self.projector.lag if self.projector else 0,
            checks=platform_checks(
                database, self.auth.stores, engine.sequencer, self.settings.journal_dir
            ),
        )

    def _start_projector(self, engine: LocalEngine, database: AsyncEngine) -> asyncio.Task[None]:
        """Project engine events into the database: journal catch-up, then the live feed."""
        sequencer = engine.sequencer
        projector = Projector(
            database, engine_seq=lambda: sequencer.last_seq, coalesce_s=PROJECTOR_COALESCE_S
        )
        self.projector = projector
        return asyncio.create_task(
            projector.follow(
                lambda: sequencer.bus.subscribe("store-projector", maxsize=4096),
                Path(self.settings.data_dir),
                lambda: sequencer.durable_seq,
            ),
            name="aurex-projector",
        )


async def start_engine(settings: Settings, adapters: Adapters | None = None) -> LocalEngine:
    """Recover the engine from ``settings.data_dir``, start it, list the symbols if new."""
    adapters = adapters or Adapters()
    engine = await asyncio.to_thread(
        LocalEngine.open,
        Path(settings.data_dir),
        durability=settings.durability,
        snapshot_every=settings.snapshot_every,
        clock_ns=adapters.clock_ns,
        index_interval_s=adapters.index_interval_s,
    )
    freeze_recovered_state()
    engine.sequencer.after_snapshot = freeze_snapshotted_state
    await engine.start()
    if not engine.sequencer.exchange.markets:
        listings = load_listings(settings.symbols_file)
        for outcome in await asyncio.gather(*map(engine.submit, listings)):
            if outcome.rejection is not None:
                log.error("listing failed: %s", outcome.rejection.reason)
    return engine


async def open_database(settings: Settings) -> AsyncEngine:
    """Create or upgrade the schema, then connect (SQLite file or PostgreSQL URL)."""
    return await open_usable_database(settings.resolved_database_url)


async def _finish(
    projector_task: asyncio.Task[None], engine: LocalEngine, shutdown_timeout_s: float
) -> None:
    """Let the projector write what the stopped engine published (for at most part of
    the shutdown budget: it catches up from the journal on the next start), then end it."""
    engine.sequencer.bus.close()
    timeout = min(30.0, shutdown_timeout_s / 3)
    try:
        await asyncio.wait_for(projector_task, timeout=timeout)
    except TimeoutError:
        log.warning(
            "projector did not finish in %.1f s; it catches up from the journal next start",
            timeout,
        )
