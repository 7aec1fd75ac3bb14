"""The market-data facade: routes core events to the projections and reports changes.

``apply(events)`` is called by the runtime once per published batch and returns a
:class:`MarketDataUpdate` for the gateways; queries read the current state.
``recompute_index(ts_ns)`` is for the runtime's 100 ms index timer. The whole
state round-trips through plain data (:meth:`MarketData.snapshot` /
:meth:`MarketData.restore`) so it can be persisted next to engine snapshots.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from aurex.core.events import (
    DayEnded,
    Event,
    OrderAccepted,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderRested,
    SymbolAdded,
    SymbolDelisted,
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
_BUY: Final = Side.BUY  # Final: a C static in the compiled build
_SELL: Final = Side.SELL

# Final aliases of hot imported callables: the compiled build keeps them in C statics
# (a plain module-level name is a dict lookup on every use).
_insort: Final = insort
_bisect_left: Final = bisect_left

_RareHandler = Callable[[Any, list[DepthDelta], dict[str, None]], None]


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

    def __init__(
        self,
        tickers: list[TickerView] | None = None,
        depth: list[DepthDelta] | None = None,
        trades: list[TradePrint] | None = None,
        candles: list[CandleBar] | None = None,
    ) -> None:
        # Written out so mypyc compiles it: a batch builds one per command.
        self.tickers = [] if tickers is None else tickers
        self.depth = [] if depth is None else depth
        self.trades = [] if trades is None else trades
        self.candles = [] if candles is None else candles

    @property
    def is_empty(self) -> bool:
        return not (self.tickers or self.depth or self.trades or self.candles)


class MarketData:
    """All public market-data projections of one exchange."""

    __slots__ = ("_candles", "_depth", "_index", "_rare", "_tape", "_tickers", "_unpublished")

    def __init__(
        self, tape_size: int = 1000, candle_history: int = 1000, index_name: str = "TOP10"
    ) -> None:
        self._depth = DepthBooks()
        self._tickers = Tickers()
        self._tape = Tape(tape_size)
        self._candles = Candles(candle_history)
        self._index = MarketIndex(index_name)
        self._unpublished: (
            tuple[list[DepthDelta], list[TradePrint], dict[str, None] | None] | None
        ) = None
        self._rare: dict[type[Event], _RareHandler] = {
            OrderAmended: self._on_amended,
            SymbolAdded: self._on_symbol_added,
            SymbolHalted: self._on_halted,
            SymbolResumed: self._on_resumed,
            DayEnded: self._on_day_ended,
            SymbolDelisted: self._on_delisted,
        }

    # -- event path -------------------------------------------------------------

    def apply(self, events: Iterable[Event]) -> MarketDataUpdate:
        """Project a batch of core events (in sequence order) and report what changed.

        This runs once per sequenced command, so the frequent events are handled
        inline: a rest, cancel, expiry or trade is one level change, applied below
        exactly as :meth:`DepthBooks.adjust` does. ``touched`` collects, in order,
        the symbols whose ticker must be republished. Tape and candles depend on
        nothing but the trades, so they take the batch's trades at the end.
        """
        books = self._depth.books
        deltas: list[DepthDelta] = []
        trades: list[TradePrint] = []
        touched: dict[str, None] | None = None  # made on first use: most batches need none
        if self._unpublished is not None:
            deltas, trades, touched = self._unpublished
            self._unpublished = None
        symbol: str
        side: Side
        price: int
        change: int
        try:
            for event in events:
                # isinstance, not a dict of handlers: it narrows the type, so the
                # compiled build reads the fields straight from the object.
                if isinstance(event, OrderAccepted):
                    continue
                if isinstance(event, OrderRested):
                    symbol = event.symbol
                    side = event.side
                    price = event.price_ticks
                    change = event.quantity
                elif isinstance(event, (OrderCancelled, OrderExpired)):
                    change = event.remaining
                    if change <= 0 or not event.was_resting:
                        continue
                    symbol = event.symbol
                    side = event.side
                    price = event.price_ticks
                    change = -change
                elif isinstance(event, TradeExecuted):
                    symbol = event.symbol
                    price = event.price_ticks
                    change = event.quantity
                    ts_ns = event.ts_ns
                    stats = self._tickers.stats.get(symbol)
                    if stats is None:
                        stats = self._tickers.add(symbol)
                    stats.on_trade(price, change, ts_ns)
                    self._index.on_trade(symbol, price, ts_ns)
                    aggressor = event.aggressor
                    trades.append(
                        TradePrint(
                            symbol, event.trade_id, price, change, aggressor, ts_ns, event.seq
                        )
                    )
                    if touched is None:
                        touched = {symbol: None}
                    else:
                        touched[symbol] = None
                    side = _SELL if aggressor is _BUY else _BUY
                    change = -change
                else:
                    handler = self._rare.get(type(event))
                    if handler is not None:
                        if touched is None:
                            touched = {}
                        handler(event, deltas, touched)
                    continue
                # One level change, as DepthBooks.adjust makes it.
                try:
                    book = books[symbol]
                except KeyError:
                    book = self._depth.ensure(symbol)
                if side is _BUY:
                    levels = book.bids
                    prices = book.bid_prices
                else:
                    levels = book.asks
                    prices = book.ask_prices
                old = levels.get(price, 0)
                new = old + change
                if new > 0:
                    if new == old:
                        continue
                    levels[price] = new
                    if old == 0:
                        _insort(prices, price)
                else:
                    if new < 0:
                        self._depth.anomalies += 1
                    if old == 0:
                        continue
                    new = 0
                    del levels[price]
                    del prices[_bisect_left(prices, price)]
                seq = book.seq = book.seq + 1
                deltas.append(DepthDelta(symbol, side, price, new, seq))
                if prices and (price < prices[-1] if side is _BUY else price > prices[0]):
                    continue  # below the top of book: the ticker is unchanged
                book.top_ts_ns = event.ts_ns
                if touched is None:
                    touched = {symbol: None}
                else:
                    touched[symbol] = None
        except BaseException:
            # What was applied before the failure is published with the next batch,
            # so depth sequence numbers stay gap-free for clients.
            self._unpublished = (deltas, trades, touched)
            raise
        candles: list[CandleBar] = []
        if trades:
            self._tape.record(trades)
            candles = self._candles.on_trades(trades)
        tickers: list[TickerView] = []
        if touched:
            stats_of = self._tickers.stats
            for symbol in touched:
                stats = stats_of.get(symbol)
                if stats is not None:
                    tickers.append(stats.view(books.get(symbol)))
        return MarketDataUpdate(tickers, deltas, trades, candles)

    def _on_amended(self, e: OrderAmended, out: list[DepthDelta], touched: dict[str, None]) -> None:
        adjust = self._depth.adjust
        if e.kept_priority and e.price_ticks == e.old_price_ticks:
            change = e.remaining - e.old_remaining
            top = adjust(e.symbol, e.side, e.price_ticks, change, e.ts_ns, out)
        else:
            top = adjust(e.symbol, e.side, e.old_price_ticks, -e.old_remaining, e.ts_ns, out)
            if e.kept_priority:
                top |= adjust(e.symbol, e.side, e.price_ticks, e.remaining, e.ts_ns, out)
        if top:
            touched[e.symbol] = None

    def _on_symbol_added(
        self, e: SymbolAdded, out: list[DepthDelta], touched: dict[str, None]
    ) -> None:
        self._depth.ensure(e.symbol)
        self._tickers.list_symbol(e.symbol, e.name, e.reference_price_ticks, e.ts_ns)
        self._index.add_symbol(e.symbol, e.reference_price_ticks, e.shares_outstanding, e.ts_ns)
        touched[e.symbol] = None

    def _on_halted(self, e: SymbolHalted, out: list[DepthDelta], touched: dict[str, None]) -> None:
        self._tickers.set_halted(e.symbol, True, e.ts_ns)
        touched[e.symbol] = None

    def _on_resumed(
        self, e: SymbolResumed, out: list[DepthDelta], touched: dict[str, None]
    ) -> None:
        self._tickers.set_halted(e.symbol, False, e.ts_ns)
        touched[e.symbol] = None

    def _on_delisted(
        self, e: SymbolDelisted, out: list[DepthDelta], touched: dict[str, None]
    ) -> None:
        # The cancellations before this event already emptied the symbol's depth.
        self._depth.books.pop(e.symbol, None)
        self._tickers.stats.pop(e.symbol, None)
        self._index.remove_symbol(e.symbol, e.ts_ns)
        touched.pop(e.symbol, None)

    def _on_day_ended(self, e: DayEnded, out: list[DepthDelta], touched: dict[str, None]) -> None:
        self._tickers.end_day(e.closing_prices, e.ts_ns)
        self._index.end_day(e.closing_prices, e.ts_ns)
        for symbol in self._tickers.symbols():
            touched[symbol] = None

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
        stats = self._tickers.stats.get(symbol)
        return None if stats is None else stats.view(self._depth.book(symbol))

    def tickers(self) -> list[TickerView]:
        book = self._depth.book
        return [stats.view(book(symbol)) for symbol, stats in self._tickers.stats.items()]

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
        self._unpublished = None
