"""Hand-built core events for market-data tests: seq and ids count up automatically."""

from __future__ import annotations

from aurex.core.events import (
    DayEnded,
    OrderAmended,
    OrderCancelled,
    OrderExpired,
    OrderRested,
    SymbolAdded,
    SymbolHalted,
    SymbolResumed,
    TradeExecuted,
)
from aurex.core.model import CancelReason, Side

SECOND_NS = 1_000_000_000
T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z, a boundary of every interval


class Feed:
    """Makes events the way the sequencer would stamp them (seq + ts_ns)."""

    def __init__(self, ts_ns: int = T0) -> None:
        self.seq = 0
        self.ts_ns = ts_ns
        self.order_id = 0
        self.trade_id = 0

    def _stamp(self, ts_ns: int | None) -> tuple[int, int]:
        self.seq += 1
        if ts_ns is not None:
            self.ts_ns = ts_ns
        return self.seq, self.ts_ns

    def listing(
        self, symbol: str, ref: int, shares: int = 1_000, ts_ns: int | None = None
    ) -> SymbolAdded:
        seq, ts = self._stamp(ts_ns)
        return SymbolAdded(
            seq=seq,
            ts_ns=ts,
            symbol=symbol,
            name=f"{symbol} Inc.",
            reference_price_ticks=ref,
            shares_outstanding=shares,
            tick_size_ticks=1,
            lot_size=1,
            price_band_bps=2000,
        )

    def rest(
        self, symbol: str, side: Side, price: int, qty: int, ts_ns: int | None = None
    ) -> OrderRested:
        seq, ts = self._stamp(ts_ns)
        self.order_id += 1
        return OrderRested(
            seq=seq,
            ts_ns=ts,
            order_id=self.order_id,
            account="acct",
            symbol=symbol,
            side=side,
            price_ticks=price,
            quantity=qty,
        )

    def trade(
        self,
        symbol: str,
        price: int,
        qty: int,
        aggressor: Side = Side.BUY,
        ts_ns: int | None = None,
    ) -> TradeExecuted:
        seq, ts = self._stamp(ts_ns)
        self.trade_id += 1
        return TradeExecuted(
            seq=seq,
            ts_ns=ts,
            trade_id=self.trade_id,
            symbol=symbol,
            price_ticks=price,
            quantity=qty,
            buy_order_id=1,
            sell_order_id=2,
            buyer="alice",
            seller="bob",
            aggressor=aggressor,
            buy_remaining=0,
            sell_remaining=0,
        )

    def cancel(
        self, symbol: str, side: Side, price: int, remaining: int, was_resting: bool = True
    ) -> OrderCancelled:
        seq, ts = self._stamp(None)
        return OrderCancelled(
            seq=seq,
            ts_ns=ts,
            order_id=99,
            account="acct",
            symbol=symbol,
            side=side,
            price_ticks=price,
            remaining=remaining,
            reason=CancelReason.USER_REQUESTED,
            was_resting=was_resting,
        )

    def expire(self, symbol: str, side: Side, price: int, remaining: int) -> OrderExpired:
        seq, ts = self._stamp(None)
        return OrderExpired(
            seq=seq,
            ts_ns=ts,
            order_id=98,
            account="acct",
            symbol=symbol,
            side=side,
            price_ticks=price,
            remaining=remaining,
            was_resting=True,
        )

    def amend(
        self,
        symbol: str,
        side: Side,
        old_price: int,
        old_remaining: int,
        price: int,
        remaining: int,
        kept_priority: bool,
    ) -> OrderAmended:
        seq, ts = self._stamp(None)
        return OrderAmended(
            seq=seq,
            ts_ns=ts,
            order_id=97,
            account="acct",
            symbol=symbol,
            side=side,
            price_ticks=price,
            quantity=remaining,
            remaining=remaining,
            old_price_ticks=old_price,
            old_remaining=old_remaining,
            kept_priority=kept_priority,
        )

    def halt(self, symbol: str) -> SymbolHalted:
        seq, ts = self._stamp(None)
        return SymbolHalted(seq=seq, ts_ns=ts, symbol=symbol)

    def resume(self, symbol: str) -> SymbolResumed:
        seq, ts = self._stamp(None)
        return SymbolResumed(seq=seq, ts_ns=ts, symbol=symbol)

    def day_end(self, closing_prices: dict[str, int], ts_ns: int | None = None) -> DayEnded:
        seq, ts = self._stamp(ts_ns)
        return DayEnded(seq=seq, ts_ns=ts, closing_prices=closing_prices)
