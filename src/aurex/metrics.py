"""Prometheus instruments for operators: one registry per running platform.

Nothing here sits in the matching loop itself. The sequencer reports each batch's
size and apply, journal-commit and snapshot times through its ``observer`` hook
(a few integer operations per batch); trades and rejections are counted from each
durable event batch on the bus; order results and end-to-end latency are measured
where commands enter the engine port (:class:`MeteredEngine`). Everything else
(clients per gateway, projector lag, index value, disk, memory) is read only when
``/metrics`` is scraped.
"""

from __future__ import annotations

import os
import shutil
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from aurex.core.commands import Command, PlaceOrder
from aurex.core.events import (
    CommandRejected,
    Event,
    OrderAccepted,
    OrderAlreadyAccepted,
    OrderRejected,
    TradeExecuted,
)
from aurex.engine.port import (
    EnginePort,
    EngineStatus,
    EngineUnavailable,
    EngineUpdate,
    Outcome,
    Subscription,
)
from aurex.engine.queries import Query
from aurex.marketdata import IndexView

T = TypeVar("T")

LATENCY_BUCKETS_S = (
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
)  # fmt: skip
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)
SNAPSHOT_BUCKETS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
ORDER_TYPES = {0: "market", 1: "limit", 2: "stop", 3: "stop_limit"}


class FastHistogram(Collector):
    """A histogram without locks for the event loop's thread, with weighted
    observations: ``observe(v, n)`` counts ``n`` commands that each took ``v``."""

    def __init__(self, name: str, documentation: str, buckets: Iterable[float]) -> None:
        self.name = name
        self.documentation = documentation
        self.bounds = tuple(buckets)
        self.counts = [0] * (len(self.bounds) + 1)
        self.sum = 0.0

    def observe(self, value: float, count: int = 1) -> None:
        self.counts[bisect_left(self.bounds, value)] += count
        self.sum += value * count

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(self.name, self.documentation)
        running, buckets = 0, []
        for bound, count in zip((*self.bounds, float("inf")), self.counts, strict=True):
            running += count
            buckets.append((_bound(bound), float(running)))
        family.add_metric([], buckets, self.sum)
        yield family


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(float(value))


class _Reading(Collector):
    """Gauges and counters read from callbacks at scrape time (label values -> reader)."""

    def __init__(self, name: str, documentation: str, kind: str, label: str = "") -> None:
        self.name = name
        self.documentation = documentation
        self.kind = kind
        self.label = label
        self.readers: dict[str, Callable[[], float]] = {}

    def collect(self) -> Iterator[Metric]:
        labels = [self.label] if self.label else []
        family: GaugeMetricFamily | CounterMetricFamily
        if self.kind == "counter":
            family = CounterMetricFamily(self.name, self.documentation, labels=labels)
        else:
            family = GaugeMetricFamily(self.name, self.documentation, labels=labels)
        for value, reader in sorted(self.readers.items()):
            try:
                reading = float(reader())
            except Exception:  # a part not running (yet): no sample rather than a 500
                continue
            family.add_metric([value] if self.label else [], reading)
        yield family


class Metrics:
    """The registry and every instrument Aurex exports on ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        self.orders = Counter(
            "aurex_orders", "Orders entered, by type and result", ["type", "result"], registry=r
        )
        self.commands = Counter(
            "aurex_commands", "Commands submitted to the engine, by kind", ["command"], registry=r
        )
        self.rejections = Counter(
            "aurex_rejections", "Rejected orders and commands, by code", ["code", "reason"],
            registry=r,
        )  # fmt: skip
        self.trades = Counter("aurex_trades", "Trades executed", registry=r)
        self.traded_shares = Counter("aurex_traded_shares", "Shares traded", registry=r)
        self.order_latency = Histogram(
            "aurex_order_latency_seconds",
            "End-to-end time of a command at the engine port: queued, matched, journalled, "
            "answered",
            ["command"],
            buckets=LATENCY_BUCKETS_S,
            registry=r,
        )
        self.matching = FastHistogram(
            "aurex_matching_latency_seconds",
            "Time the core spent applying one command (mean within its batch)",
            LATENCY_BUCKETS_S,
        )
        self.batch_size = FastHistogram(
            "aurex_sequencer_batch_size", "Commands per sequencer batch", BATCH_BUCKETS
        )
        self.journal_commit = FastHistogram(
            "aurex_journal_commit_seconds",
            "Time to write (and, with AUREX_DURABILITY=fsync, fsync) one batch to the journal",
            LATENCY_BUCKETS_S,
        )
        self.snapshot_time = FastHistogram(
            "aurex_snapshot_seconds", "Time to write one snapshot", SNAPSHOT_BUCKETS_S
        )
        for collector in (self.matching, self.batch_size, self.journal_commit, self.snapshot_time):
            r.register(collector)
        self.snapshot_bytes = Gauge(
            "aurex_snapshot_bytes", "Size of the latest snapshot written", registry=r
        )
        self.clients = _Reading(
            "aurex_connected_clients", "Open client connections, by gateway", "gauge", "gateway"
        )
        self.drops = _Reading(
            "aurex_client_drops",
            "Streaming clients disconnected for falling behind, by gateway",
            "counter",
            "gateway",
        )
        self.dependencies = _Reading(
            "aurex_dependency_up",
            "1 when a health check (database, stores = Redis, journal) passes, else 0",
            "gauge",
            "check",
        )
        for reading in (self.clients, self.drops, self.dependencies):
            r.register(reading)
        self._gauges: dict[str, _Reading] = {}
        self._order_children: dict[tuple[int, str], Any] = {}
        self._latency_children: dict[type[Command], tuple[Any, Any]] = {}

    # -- wiring (bootstrap) -------------------------------------------------------

    def gauge(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        """Export ``read()`` as the gauge ``name`` at every scrape."""
        reading = _Reading(name, documentation, "gauge")
        reading.readers[""] = read
        self._gauges[name] = reading
        self.registry.register(reading)

    def watch_clients(self, gateway: str, count: Callable[[], int]) -> None:
        """Report ``count()`` as the open connections of ``gateway`` (http, ws, grpc, tcp)."""
        self.clients.readers[gateway] = count

    def watch_drops(self, gateway: str, count: Callable[[], int]) -> None:
        """Report ``count()`` as the clients ``gateway`` dropped for being slow."""
        self.drops.readers[gateway] = count

    def watch_platform(self, index: Callable[[], IndexView | None], data_dir: Path) -> None:
        """The index value, the data directory's disk and the memory limit."""
        self.gauge("aurex_index_value", "The market index in points", lambda: _index_value(index))
        self.gauge(
            "aurex_data_dir_free_bytes",
            "Free space on the data directory's disk",
            lambda: shutil.disk_usage(data_dir).free,
        )
        self.gauge(
            "aurex_data_dir_size_bytes",
            "Size of the data directory's disk",
            lambda: shutil.disk_usage(data_dir).total,
        )
        self.gauge(
            "aurex_memory_limit_bytes",
            "Memory this process may use: the cgroup limit, else physical memory",
            memory_limit_bytes,
        )

    def set_dependencies(self, checks: dict[str, str]) -> None:
        """Record the latest health-check verdicts (``{name: "ok" | reason}``)."""
        self.dependencies.readers = {
            name: _constant(1.0 if verdict == "ok" else 0.0) for name, verdict in checks.items()
        }

    # -- the sequencer's observer ---------------------------------------------------

    def batch_applied(self, commands: int, elapsed_ns: int) -> None:
        if commands:
            self.batch_size.observe(commands)
            self.matching.observe(elapsed_ns / commands / 1e9, commands)

    def batch_committed(self, commands: int, elapsed_ns: int) -> None:
        if commands:
            self.journal_commit.observe(elapsed_ns / 1e9)

    def snapshot_written(self, elapsed_ns: int, size_bytes: int) -> None:
        self.snapshot_time.observe(elapsed_ns / 1e9)
        self.snapshot_bytes.set(size_bytes)

    # -- durable events (a bus handler) -------------------------------------------

    def count_events(self, events: list[Event]) -> None:
        """Count the trades and rejections of one durable batch."""
        trades = shares = 0
        rejected: list[Event] = []
        for event in events:
            kind = type(event)
            if kind is TradeExecuted:
                trades += 1
                shares += event.quantity  # type: ignore[attr-defined]
            elif kind is OrderRejected or kind is CommandRejected:
                rejected.append(event)
        if trades:
            self.trades.inc(trades)
            self.traded_shares.inc(shares)
        for event in rejected:
            code = event.code  # type: ignore[attr-defined]
            self.rejections.labels(str(int(code)), code.name.lower()).inc()

    # -- the engine port --------------------------------------------------------------

    def command_done(self, command: Command, outcome: Outcome | None, elapsed_s: float) -> None:
        """Record one command's result (None: the engine was unavailable) and latency."""
        kind = type(command)
        children = self._latency_children.get(kind)
        if children is None:
            name = kind.__name__
            children = (self.order_latency.labels(name), self.commands.labels(name))
            self._latency_children[kind] = children
        children[0].observe(elapsed_s)
        children[1].inc()
        if kind is not PlaceOrder:
            return
        assert isinstance(command, PlaceOrder)
        result = "unavailable" if outcome is None else _order_result(outcome.events)
        key = (int(command.order_type), result)
        child = self._order_children.get(key)
        if child is None:
            type_name = ORDER_TYPES.get(key[0], str(key[0]))
            child = self._order_children[key] = self.orders.labels(type_name, result)
        child.inc()


def _order_result(events: tuple[Event, ...]) -> str:
    for event in events:
        kind = type(event)
        if kind is OrderAccepted:
            return "accepted"
        if kind is OrderRejected:
            return "rejected"
        if kind is OrderAlreadyAccepted:
            return "duplicate"
    return "unknown"


def _constant(value: float) -> Callable[[], float]:
    return lambda: value


def _index_value(index: Callable[[], IndexView | None]) -> float:
    view = index()
    if view is None:
        raise LookupError("no index yet")
    return view.value_hundredths / 100


def memory_limit_bytes() -> float:
    """The cgroup (v2, then v1) memory limit when one is set, else physical memory."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 1 << 60:
            return float(text)
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


class MeteredEngine:
    """The engine port with every submission counted and timed; gateways get this."""

    def __init__(self, engine: EnginePort, metrics: Metrics) -> None:
        self._engine = engine
        self._metrics = metrics

    async def submit(self, command: Command) -> Outcome:
        started = time.perf_counter()
        try:
            outcome = await self._engine.submit(command)
        except EngineUnavailable:
            self._metrics.command_done(command, None, time.perf_counter() - started)
            raise
        self._metrics.command_done(command, outcome, time.perf_counter() - started)
        return outcome

    async def query(self, query: Query[T]) -> T:
        return await self._engine.query(query)

    def subscribe(self, name: str, maxsize: int = 1024) -> Subscription[EngineUpdate]:
        return self._engine.subscribe(name, maxsize)

    def unsubscribe(self, subscription: Subscription[EngineUpdate]) -> None:
        self._engine.unsubscribe(subscription)

    def status(self) -> EngineStatus:
        return self._engine.status()
