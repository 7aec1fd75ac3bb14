"""The composition root: the only place that decides which adapters are plugged in."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable
from pathlib import Path

from aurex.config import Settings
from aurex.core.commands import Command
from aurex.core.events import Event
from aurex.engine.recovery import iter_events
from aurex.engine.sequencer import Sequencer
from aurex.listing import load_listings
from aurex.marketdata import IndexView, MarketData, MarketDataUpdate

log = logging.getLogger(__name__)

INDEX_INTERVAL_S = 0.1

MarketListener = Callable[[MarketDataUpdate], None]
IndexListener = Callable[[IndexView], None]


def freeze_recovered_state() -> None:
    """Exempt everything recovered so far from cyclic garbage collection.

    The book and accounts are long-lived; without this every full collection walks
    them again, which costs the matching loop roughly a sixth of its throughput.
    """
    gc.collect()
    gc.freeze()


class Runtime:
    """The running exchange: sequencer, market data and the 100 ms index timer."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.market_data = MarketData()
        self._sequencer: Sequencer | None = None
        self._index_task: asyncio.Task[None] | None = None
        self._market_listeners: list[MarketListener] = []
        self._index_listeners: list[IndexListener] = []
        self.event_handlers: list[Callable[[list[Event]], None]] = []

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

    def on_market_data(self, listener: MarketListener) -> None:
        self._market_listeners.append(listener)

    def on_index(self, listener: IndexListener) -> None:
        self._index_listeners.append(listener)

    def _on_events(self, events: list[Event]) -> None:
        update = self.market_data.apply(events)
        for handler in self.event_handlers:
            handler(events)
        if not update.is_empty:
            for listener in self._market_listeners:
                listener(update)

    async def _index_loop(self) -> None:
        while True:
            view = self.market_data.recompute_index(time.time_ns())
            if view is not None:
                for listener in self._index_listeners:
                    listener(view)
            await asyncio.sleep(INDEX_INTERVAL_S)
