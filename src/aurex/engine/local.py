"""The in-process engine port: one sequencer, its order read side and market data.

Market data and order states are fed by the sequencer's bus handler, which runs
only after a batch is durable, so every answer they give is acknowledged state.
Queries about the exchange itself (accounts, symbol rules) go through
``Sequencer.query``, which answers in sequence once everything before is durable.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

from aurex.config import Durability
from aurex.core.commands import Command
from aurex.core.events import Event, OrderAlreadyAccepted, OrderRejected
from aurex.core.exchange import Exchange
from aurex.engine.bus import Feed, Subscription
from aurex.engine.port import EngineStatus, EngineUnavailable, EngineUpdate, Outcome
from aurex.engine.queries import (
    AccountLimits,
    AccountSnapshot,
    GetAccount,
    GetCandles,
    GetDepth,
    GetIndex,
    GetOrder,
    GetSymbol,
    GetTicker,
    IndexHistory,
    IndexPoint,
    ListSymbols,
    ListTickers,
    OpenOrders,
    PositionView,
    Query,
    RecentTrades,
    SymbolInfo,
)
from aurex.engine.recovery import iter_events
from aurex.engine.sequencer import Sequencer, SequencerHalted, SequencerStopped
from aurex.marketdata import MarketData
from aurex.readside import OrderLedger, OrderState, touched_orders
from aurex.readside.order_state import rejected

log = logging.getLogger(__name__)

T = TypeVar("T")

INDEX_INTERVAL_S = 0.1
INDEX_HISTORY_STEP_NS = 1_000_000_000
INDEX_HISTORY_POINTS = 24 * 3600
SNAPSHOT_EXTRA_VERSION = 2


class LocalEngine:
    """Implements ``EnginePort`` in process; build it with :meth:`open`."""

    def __init__(
        self,
        sequencer: Sequencer,
        market_data: MarketData,
        ledger: OrderLedger,
        *,
        clock_ns: Callable[[], int] = time.time_ns,
        index_interval_s: float = INDEX_INTERVAL_S,
    ) -> None:
        self.sequencer = sequencer
        self.market_data = market_data
        self.ledger = ledger
        self._clock_ns = clock_ns
        self._index_interval_s = index_interval_s
        self._feed: Feed[EngineUpdate] = Feed()
        self._index_task: asyncio.Task[None] | None = None
        self._index_history: deque[IndexPoint] = deque(maxlen=INDEX_HISTORY_POINTS)
        self._answers: dict[type[Query[Any]], Callable[[Any], Any]] = {
            GetOrder: self._get_order,
            OpenOrders: self._open_orders,
            GetTicker: lambda q: market_data.ticker(q.symbol),
            ListTickers: lambda q: tuple(market_data.tickers()),
            GetDepth: lambda q: market_data.depth(q.symbol, q.levels),
            RecentTrades: self._recent_trades,
            GetCandles: self._candles,
            GetIndex: lambda q: market_data.index(),
            IndexHistory: self._history,
        }
        self._exchange_answers: dict[type[Query[Any]], Callable[[Exchange, Any], Any]] = {
            GetAccount: _account_snapshot,
            ListSymbols: lambda ex, q: tuple(_symbol_info(ex, s) for s in ex.markets),
            GetSymbol: lambda ex, q: _symbol_info(ex, q.symbol) if q.symbol in ex.markets else None,
        }
        sequencer.bus.add_handler(self._on_events)

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        durability: Durability = Durability.FSYNC,
        snapshot_every: int = 50_000,
        clock_ns: Callable[[], int] = time.time_ns,
        index_interval_s: float = INDEX_INTERVAL_S,
    ) -> LocalEngine:
        """Recover the exchange, its market data and order states from ``data_dir`` (blocking).

        The cyclic garbage collector is paused meanwhile: recovery builds hundreds of
        thousands of long-lived objects, and collections triggered by their allocation
        kept rescanning them (more than half of the restart time at 300k commands).
        """
        paused = gc.isenabled()
        gc.disable()
        try:
            return cls._recover(data_dir, durability, snapshot_every, clock_ns, index_interval_s)
        finally:
            if paused:
                gc.enable()

    @classmethod
    def _recover(
        cls,
        data_dir: Path,
        durability: Durability,
        snapshot_every: int,
        clock_ns: Callable[[], int],
        index_interval_s: float,
    ) -> LocalEngine:
        data_dir.mkdir(parents=True, exist_ok=True)
        market_data = MarketData()
        ledger = OrderLedger()
        replayed: list[Event] = []

        def extra() -> dict[str, Any]:
            return {
                "version": SNAPSHOT_EXTRA_VERSION,
                "market_data": market_data.snapshot(),
                "orders": ledger.snapshot(),
            }

        sequencer, recovery = Sequencer.open(
            data_dir,
            durability=durability,
            snapshot_every=snapshot_every,
            snapshot_extra=extra,
            on_replayed_events=lambda _cmd, events: replayed.extend(events),
            clock=clock_ns,
        )
        saved = recovery.snapshot_extra
        if isinstance(saved, dict) and saved.get("version") == SNAPSHOT_EXTRA_VERSION:
            market_data.restore(saved["market_data"])
            ledger.restore(saved["orders"])
        elif recovery.snapshot_seq > 0:
            replayed = [e for _cmd, batch in iter_events(data_dir, 0) for e in batch]
        market_data.apply(replayed)
        ledger.apply(replayed)
        log.info(
            "recovered seq %d (snapshot %d + %d commands)",
            recovery.last_seq,
            recovery.snapshot_seq,
            recovery.replayed,
        )
        return cls(
            sequencer, market_data, ledger, clock_ns=clock_ns, index_interval_s=index_interval_s
        )

    # -- lifecycle ------------------------------------------------------------------

    async def start(self) -> None:
        await self.sequencer.start()
        self._index_task = asyncio.create_task(self._index_loop(), name="aurex-index")

    async def stop(self) -> None:
        """Stop the index timer, drain the sequencer, end every subscription."""
        if self._index_task is not None:
            self._index_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._index_task
            self._index_task = None
        await self.sequencer.stop()
        self._feed.close()

    # -- the port -------------------------------------------------------------------

    async def submit(self, command: Command) -> Outcome:
        try:
            events = await self.sequencer.submit(command)
        except (SequencerStopped, SequencerHalted) as exc:
            raise EngineUnavailable(str(exc)) from exc
        return self._outcome(events)

    async def query(self, query: Query[T]) -> T:
        answer = self._answers.get(type(query))
        if answer is not None:
            return cast(T, answer(query))
        on_exchange = self._exchange_answers.get(type(query))
        if on_exchange is None:
            raise TypeError(f"unknown query {type(query).__name__}")
        try:
            result = await self.sequencer.query(lambda ex: on_exchange(ex, query))
        except (SequencerStopped, SequencerHalted) as exc:
            raise EngineUnavailable(str(exc)) from exc
        return cast(T, result)

    def subscribe(self, name: str, maxsize: int = 1024) -> Subscription[EngineUpdate]:
        return self._feed.subscribe(name, maxsize)

    def unsubscribe(self, subscription: Subscription[EngineUpdate]) -> None:
        self._feed.unsubscribe(subscription)

    def status(self) -> EngineStatus:
        s = self.sequencer
        return EngineStatus(s.accepting, s.last_seq, s.durable_seq)

    @property
    def dropped_subscribers(self) -> list[str]:
        return self._feed.dropped

    # -- internals --------------------------------------------------------------------

    def _on_events(self, events: list[Event]) -> None:
        market = self.market_data.apply(events)
        update = self.ledger.apply(events)
        if self._feed.subscriptions:
            self._feed.offer(
                EngineUpdate(
                    events[-1].seq, market, tuple(update.orders), tuple(update.fills), None
                )
            )

    def _outcome(self, events: list[Event]) -> Outcome:
        ledger = self.ledger
        seen: dict[int, None] = {}
        states: list[OrderState] = []
        for event in events:
            if type(event) is OrderRejected:
                states.append(rejected(event))
                continue
            ids = (
                (event.order_id,) if type(event) is OrderAlreadyAccepted else touched_orders(event)
            )
            for order_id in ids:
                if order_id not in seen:
                    seen[order_id] = None
                    state = ledger.get(order_id)
                    if state is not None:
                        states.append(state)
        seq = events[0].seq if events else self.sequencer.durable_seq
        return Outcome(seq, tuple(events), tuple(states))

    def _get_order(self, q: GetOrder) -> OrderState | None:
        ledger = self.ledger
        state = ledger.get(q.order_id) if q.order_id else None
        if state is None and not q.order_id and q.client_order_id:
            state = ledger.by_client_id(q.account, q.client_order_id)
        return state if state is not None and state.account == q.account else None

    def _open_orders(self, q: OpenOrders) -> tuple[OrderState, ...]:
        return tuple(self.ledger.open_orders(q.account, q.symbol))

    def _recent_trades(self, q: RecentTrades) -> tuple[Any, ...] | None:
        if q.symbol not in self.market_data.symbols():
            return None
        return tuple(self.market_data.trades(q.symbol, q.limit))

    def _candles(self, q: GetCandles) -> tuple[Any, ...] | None:
        if q.symbol not in self.market_data.symbols():
            return None
        return tuple(self.market_data.candles(q.symbol, q.interval, q.limit))

    def _history(self, q: IndexHistory) -> tuple[IndexPoint, ...]:
        points = tuple(self._index_history)
        return points if q.limit is None else points[-q.limit :] if q.limit > 0 else ()

    async def _index_loop(self) -> None:
        """Recompute the index every 100 ms (it samples the day's high and low)."""
        while True:
            now = self._clock_ns()
            view = self.market_data.recompute_index(now)
            if view is not None:
                history = self._index_history
                if not history or now - history[-1].ts_ns >= INDEX_HISTORY_STEP_NS:
                    history.append(IndexPoint(now, view.value_hundredths))
                if self._feed.subscriptions:
                    self._feed.offer(EngineUpdate(self.sequencer.durable_seq, None, (), (), view))
            await asyncio.sleep(self._index_interval_s)


def _account_snapshot(ex: Exchange, q: GetAccount) -> AccountSnapshot | None:
    account = ex.account(q.account)
    if account is None:
        return None
    lim = account.limits
    return AccountSnapshot(
        account=account.account_id,
        cash_cents=account.cash_cents,
        cash_held_cents=account.cash_held_cents,
        positions=tuple(
            PositionView(symbol, p.shares, p.held)
            for symbol, p in sorted(account.positions.items())
            if p.shares or p.held
        ),
        open_orders=len(account.open_orders),
        orders_today=account.orders_today,
        limits=AccountLimits(
            lim.max_order_quantity,
            lim.max_notional_cents,
            lim.max_open_orders,
            lim.max_orders_per_day,
        ),
    )


def _symbol_info(ex: Exchange, symbol: str) -> SymbolInfo:
    m = ex.markets[symbol]
    return SymbolInfo(
        symbol=m.symbol,
        name=m.name,
        tick_size_ticks=m.tick_size_ticks,
        lot_size=m.lot_size,
        price_band_bps=m.price_band_bps,
        band_low_ticks=m.band_low_ticks,
        band_high_ticks=m.band_high_ticks,
        reference_price_ticks=m.reference_price_ticks,
        last_price_ticks=m.last_price_ticks,
        shares_outstanding=m.shares_outstanding,
        halted=m.halted,
    )
