"""The market-data facade: routes core events to the projections and reports changes.

``apply(events)`` is called by the runtime once per published batch and returns a
:class:`MarketDataUpdate` for the gateways; queries read the current state.
``recompute_index(ts_ns)`` is for the runtime's 100 ms index timer. The whole
state round-trips through plain data (:meth:`MarketData.snapshot` /
:meth:`MarketData.restore`) so it can be persisted next to engine snapshots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aurex.core.events import (
    DayEnded,
    Event,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderRested,
    SymbolAdded,
    SymbolHalted,
    SymbolResumed,
    TradeExecuted,
)
from aurex.core.model import Side
from aurex.marketdata.candle import CandleBar, Candles
from aurex.marketdata.depth import DepthBooks, DepthDelta, DepthSnapshot
from aurex.marketdata.index import IndexView, MarketIndex
from aurex.marketdata.tape import Tape, TradePrint
from aurex.marketdata.ticker import Tickers, TickerView

SNAPSHOT_VERSION = 1
_BUY, _SELL = Side.BUY, Side.SELL


@dataclass(slots=True)
class MarketDataUpdate:
    """What one batch changed, each list in event order.

    ``tickers`` holds the new view of every symbol whose ticker changed (a trade, a
    new best bid/ask or size, a listing, halt/resume or day end); ``depth`` every
    level change; ``trades`` the new prints; ``candles`` the state of every candle a
    trade touched (one per interval per symbol).
    """

    tickers: list[TickerView] = field(default_factory=list)
    depth: list[DepthDelta] = field(default_factory=list)
    trades: list[TradePrint] = field(default_factory=list)
    candles: list[CandleBar] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.tickers or self.depth or self.trades or self.candles)


class MarketData:
    """All public market-data projections of one exchange."""

    __slots__ = (
        "_candles",
        "_depth",
        "_handlers",
        "_index",
        "_tape",
        "_tickers",
        "_touched",
        "_trades",
    )

    def __init__(
        self, tape_size: int = 1000, candle_history: int = 1000, index_name: str = "TOP10"
    ) -> None:
        self._depth = DepthBooks()
        self._tickers = Tickers()
        self._tape = Tape(tape_size)
        self._candles = Candles(candle_history)
        self._index = MarketIndex(index_name)
        self._touched: dict[str, None] = {}
        self._trades: list[TradePrint] = []
        self._handlers: dict[type[Event], Callable[[Any], None]] = {
            OrderRested: self._on_rested,
            TradeExecuted: self._on_trade,
            OrderCancelled: self._on_removed,
            OrderExpired: self._on_removed,
            OrderAmended: self._on_amended,
            SymbolAdded: self._on_symbol_added,
            SymbolHalted: self._on_halted,
            SymbolResumed: self._on_resumed,
            DayEnded: self._on_day_ended,
        }

    # -- event path -------------------------------------------------------------

    def apply(self, events: Iterable[Event]) -> MarketDataUpdate:
        """Project a batch of core events (in sequence order) and report what changed."""
        handlers = self._handlers
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event)
        touched, trades = self._touched, self._trades
        self._touched, self._trades = {}, []
        stats, book = self._tickers.stats, self._depth.book
        tickers = []
        for symbol in touched:
            symbol_stats = stats(symbol)
            if symbol_stats is not None:
                tickers.append(symbol_stats.view(book(symbol)))
        return MarketDataUpdate(tickers, self._depth.drain(), trades, self._candles.drain())

    def _on_rested(self, e: OrderRested) -> None:
        if self._depth.adjust(e.symbol, e.side, e.price_ticks, e.quantity, e.ts_ns):
            self._touched[e.symbol] = None

    def _on_trade(self, e: TradeExecuted) -> None:
        symbol, price, qty, ts = e.symbol, e.price_ticks, e.quantity, e.ts_ns
        maker = _SELL if e.aggressor is _BUY else _BUY
        self._depth.adjust(symbol, maker, price, -qty, ts)
        self._tickers.on_trade(symbol, price, qty, ts)
        self._candles.on_trade(symbol, price, qty, ts)
        self._index.on_trade(symbol, price, ts)
        trade = TradePrint(symbol, e.trade_id, price, qty, e.aggressor, ts, e.seq)
        self._tape.record(trade)
        self._trades.append(trade)
        self._touched[symbol] = None

    def _on_removed(self, e: OrderCancelled | OrderExpired) -> None:
        if (
            e.was_resting
            and e.remaining > 0
            and self._depth.adjust(e.symbol, e.side, e.price_ticks, -e.remaining, e.ts_ns)
        ):
            self._touched[e.symbol] = None

    def _on_amended(self, e: OrderAmended) -> None:
        adjust = self._depth.adjust
        if e.kept_priority and e.price_ticks == e.old_price_ticks:
            top = adjust(e.symbol, e.side, e.price_ticks, e.remaining - e.old_remaining, e.ts_ns)
        else:
            top = adjust(e.symbol, e.side, e.old_price_ticks, -e.old_remaining, e.ts_ns)
            if e.kept_priority:
                top |= adjust(e.symbol, e.side, e.price_ticks, e.remaining, e.ts_ns)
        if top:
            self._touched[e.symbol] = None

    def _on_symbol_added(self, e: SymbolAdded) -> None:
        self._depth.ensure(e.symbol)
        self._tickers.list_symbol(e.symbol, e.name, e.reference_price_ticks, e.ts_ns)
        self._index.add_symbol(e.symbol, e.reference_price_ticks, e.shares_outstanding, e.ts_ns)
        self._touched[e.symbol] = None

    def _on_halted(self, e: SymbolHalted) -> None:
        self._tickers.set_halted(e.symbol, True, e.ts_ns)
        self._touched[e.symbol] = None

    def _on_resumed(self, e: SymbolResumed) -> None:
        self._tickers.set_halted(e.symbol, False, e.ts_ns)
        self._touched[e.symbol] = None

    def _on_day_ended(self, e: DayEnded) -> None:
        self._tickers.end_day(e.closing_prices, e.ts_ns)
        self._index.end_day(e.closing_prices, e.ts_ns)
        for symbol in self._tickers.symbols():
            self._touched[symbol] = None

    # -- index timer, seeding ---------------------------------------------------

    def recompute_index(self, ts_ns: int) -> IndexView | None:
        """The index when it changed since the last returned update, else None."""
        return self._index.recompute(ts_ns)

    def seed_depth(
        self, symbol: str, bids: list[tuple[int, int]], asks: list[tuple[int, int]]
    ) -> None:
        """Replace a symbol's levels (as ``Exchange.depth`` returns them) after a restart.

        No deltas are produced; the symbol's depth sequence moves on, so clients
        holding an older snapshot see a gap and re-request one.
        """
        self._depth.seed(symbol, bids, asks)

    # -- queries ----------------------------------------------------------------

    def symbols(self) -> list[str]:
        """Known symbols in listing order."""
        return self._tickers.symbols()

    def ticker(self, symbol: str) -> TickerView | None:
        stats = self._tickers.stats(symbol)
        return None if stats is None else stats.view(self._depth.book(symbol))

    def tickers(self) -> list[TickerView]:
        book = self._depth.book
        views = []
        for symbol in self._tickers.symbols():
            stats = self._tickers.stats(symbol)
            if stats is not None:
                views.append(stats.view(book(symbol)))
        return views

    def depth(self, symbol: str, levels: int | None = 10) -> DepthSnapshot | None:
        """Best ``levels`` per side (all when None); None for a symbol never seen."""
        return self._depth.snapshot(symbol, levels)

    def trades(self, symbol: str, limit: int | None = 100) -> list[TradePrint]:
        """Recent trades, newest first."""
        return self._tape.recent(symbol, limit)

    def candles(self, symbol: str, interval: str, limit: int | None = None) -> list[CandleBar]:
        """Recent candles, oldest first; ``ValueError`` for an unknown interval."""
        return self._candles.recent(symbol, interval, limit)

    def index(self) -> IndexView | None:
        """The index now, or None before any symbol is listed."""
        return self._index.view()

    @property
    def depth_anomalies(self) -> int:
        """Count of removals larger than the level held (events missed before seeding)."""
        return self._depth.anomalies

    # -- persistence --------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """All state as plain dicts/lists/ints/strs (JSON and msgpack friendly)."""
        return {
            "version": SNAPSHOT_VERSION,
            "depth": self._depth.to_data(),
            "tickers": self._tickers.to_data(),
            "tape": self._tape.to_data(),
            "candles": self._candles.to_data(),
            "index": self._index.to_data(),
        }

    def restore(self, data: dict[str, Any]) -> None:
        """Replace all state with a :meth:`snapshot`; pending changes are discarded."""
        if data.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unsupported market-data snapshot version {data.get('version')!r}")
        self._depth.load_data(data["depth"])
        self._tickers.load_data(data["tickers"])
        self._tape.load_data(data["tape"])
        self._candles.load_data(data["candles"])
        self._index.load_data(data["index"])
        self._touched, self._trades = {}, []
