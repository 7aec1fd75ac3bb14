"""The applier's unit of work: the inbox of submissions and one applied batch.

Submissions wait in the ``Inbox`` as two parallel lists (items and their futures),
and a ``Batch`` carries parallel lists of futures and results to the writer, rather
than a tuple per command: at thousands of commands per batch, every object that
lives until the fsync adds garbage-collector work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, final

from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.core.exchange import Exchange
from aurex.engine import codec
from aurex.engine.journal import PendingBatch


@final
@dataclass(slots=True)
class Query:
    """A read of the exchange, answered in sequence with the commands around it."""

    fn: Callable[[Exchange], Any]


@dataclass(slots=True)
class QueryFailed:
    """A query's exception, held back like any answer until the batch is durable."""

    error: Exception


class Inbox:
    """Commands and queries waiting for the applier, oldest first."""

    def __init__(self) -> None:
        self._items: list[Command | Query] = []
        self._futures: list[asyncio.Future[Any]] = []
        self._wakeup = asyncio.Event()
        self._waiting = False
        """Whether ``wait`` is blocked: a plain flag, so that ``put`` does not pay
        a call to ``_wakeup.is_set()`` for every submission."""

    def __bool__(self) -> bool:
        return bool(self._items)

    def put(self, item: Command | Query) -> asyncio.Future[Any]:
        """Queue ``item``; its future is resolved once its batch is durable."""
        # The running loop's future, as loop.create_future() would make it, minus a
        # Python-level call with a keyword argument (~2% of a command's cost).
        future: asyncio.Future[Any] = asyncio.Future()
        self._items.append(item)
        self._futures.append(future)
        if self._waiting:
            self.wake()
        return future

    async def wait(self) -> None:
        """Block until something is queued or ``wake`` is called."""
        self._wakeup.clear()
        self._waiting = True
        await self._wakeup.wait()

    def wake(self) -> None:
        """Release ``wait`` (also without anything queued: stopping, halting)."""
        self._waiting = False
        self._wakeup.set()

    def take(self, limit: int) -> tuple[list[Command | Query], list[asyncio.Future[Any]]]:
        """Remove and return the oldest ``limit`` items and their futures."""
        items, futures = self._items, self._futures
        if len(items) <= limit:
            self._items, self._futures = [], []
            return items, futures
        taken = items[:limit], futures[:limit]
        del items[:limit], futures[:limit]
        return taken

    def clear(self) -> list[asyncio.Future[Any]]:
        """Drop everything queued; return the futures so they can be failed."""
        futures = self._futures
        self._items, self._futures = [], []
        return futures


@dataclass(slots=True)
class Batch:
    """One applied batch: ``futures[i]`` gets ``results[i]`` once it is durable."""

    futures: list[asyncio.Future[Any]]
    results: list[Any]
    events: list[Event]
    payloads: list[bytes]
    """Encoded commands, for the journal."""
    last_seq: int
    last_ts_ns: int
    failure: tuple[Command, Exception] | None = None
    """The command the core raised on; application stopped there."""
    unhandled: list[asyncio.Future[Any]] = field(default_factory=list)
    """With ``failure``: the futures of that command and of every item after it."""
    pending: PendingBatch | None = None
    """The journal frames, set by the sequencer after buffering ``payloads``."""

    def resolve(self) -> None:
        """Hand each submitter still waiting its result (the batch is durable)."""
        for future, result in zip(self.futures, self.results, strict=True):
            if future.done():
                continue
            if type(result) is QueryFailed:
                future.set_exception(result.error)
            else:
                future.set_result(result)

    def fail(self, error: Callable[[], BaseException]) -> None:
        """Fail each submitter still waiting with a fresh ``error()``."""
        for future in self.futures:
            if not future.done():
                future.set_exception(error())


def _answer(query: Query, exchange: Exchange) -> Any:
    try:
        return query.fn(exchange)
    except Exception as exc:
        return QueryFailed(exc)


def apply_batch(
    exchange: Exchange,
    items: list[Command | Query],
    futures: list[asyncio.Future[Any]],
    last_seq: int,
    last_ts_ns: int,
    clock: Callable[[], int],
) -> Batch:
    """Stamp each command with the next seq after ``last_seq`` and the clock (never
    below ``last_ts_ns``), encode and apply it; answer each query on the state so far.

    A command that cannot be encoded fails its future at once and uses no seq.
    Withdrawn (cancelled) submissions are skipped. At the first command the core
    raises on, application stops: see ``Batch.failure`` and ``Batch.unhandled``.
    """
    apply = exchange.apply
    encode = codec.encode
    results: list[Any] = []
    events: list[Event] = []
    payloads: list[bytes] = []
    seq, last_ts = last_seq, last_ts_ns
    for item, future in zip(items, futures, strict=True):
        if future.cancelled():
            results.append(None)  # the writer skips futures that are done
            continue
        if type(item) is Query:
            results.append(_answer(item, exchange))
            continue
        ts = clock()
        if ts < last_ts:
            ts = last_ts
        item.seq = seq + 1
        item.ts_ns = ts
        try:
            payload = encode(item)
        except codec.CodecError as exc:  # e.g. an int or a string too large
            future.set_exception(exc)
            results.append(None)
            continue
        try:
            result = apply(item)
        except Exception as exc:
            handled = len(results)
            unhandled = futures[handled:]
            del futures[handled:]
            failure = (item, exc)
            return Batch(futures, results, events, payloads, seq, last_ts, failure, unhandled)
        seq += 1
        last_ts = ts
        payloads.append(payload)
        results.append(result)
        events += result
    return Batch(futures, results, events, payloads, seq, last_ts)
