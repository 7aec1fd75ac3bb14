"""Documented answers of ``/api/market-data`` (built by ``aurex.gateways.wire``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aurex.gateways.http.trading_schemas import Model


class SymbolInfo(Model):
    symbol: str
    name: str
    tick_size: str
    lot_size: int
    price_band_bps: int
    band_low: str
    band_high: str
    reference_price: str
    last_price: str | None
    shares_outstanding: int
    status: Literal["trading", "halted"]


class SymbolList(Model):
    symbols: list[SymbolInfo]


class Ticker(Model):
    symbol: str
    name: str
    last: str | None
    last_quantity: int
    bid: str | None
    bid_quantity: int
    ask: str | None
    ask_quantity: int
    open: str | None
    high: str | None
    low: str | None
    volume: int
    turnover: str
    vwap: str | None
    trade_count: int
    previous_close: str | None
    change: str
    change_percent: str
    halted: bool
    timestamp: int


class TickerList(Model):
    tickers: list[Ticker]


class Level(Model):
    price: str
    quantity: int = Field(description="Total shares resting at this price")


class Depth(Model):
    symbol: str
    seq: int = Field(description="The symbol's depth sequence number (WebSocket deltas follow)")
    bids: list[Level]
    asks: list[Level]


class Trade(Model):
    trade_id: int
    symbol: str
    price: str
    quantity: int
    aggressor: Literal["buy", "sell"]
    timestamp: int


class TradeList(Model):
    symbol: str
    trades: list[Trade]


class Candle(Model):
    symbol: str
    interval: str
    start: int
    open: str
    high: str
    low: str
    close: str
    volume: int
    trade_count: int


class CandleList(Model):
    symbol: str
    interval: str
    candles: list[Candle]


class Constituent(Model):
    symbol: str
    price: str
    weight: str
    contribution: str
    change_percent: str


class Index(Model):
    name: str
    value: str
    change: str
    change_percent: str
    day_open: str
    day_high: str
    day_low: str
    timestamp: int
    constituents: list[Constituent]


class IndexPoint(Model):
    timestamp: int
    value: str


class IndexHistory(Model):
    name: str
    points: list[IndexPoint]
