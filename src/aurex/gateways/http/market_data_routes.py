"""``/api/market-data``: public market data (no login): symbols, tickers, depth,
trades, candles and the index. Answers come from the engine port's durable state;
an unknown symbol is a 404 with code 2003. Symbols are case-insensitive."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from aurex.engine.port import EnginePort
from aurex.engine.queries import (
    GetCandles,
    GetDepth,
    GetIndex,
    GetTicker,
    IndexHistory,
    ListSymbols,
    ListTickers,
    RecentTrades,
)
from aurex.gateways import wire
from aurex.gateways.codes import GatewayCode
from aurex.gateways.http import market_schemas as m
from aurex.gateways.http.error_docs import errors
from aurex.gateways.http.errors import GatewayError
from aurex.marketdata import INTERVALS, IndexView

router = APIRouter(prefix="/api/market-data", tags=["market data"])

Symbol = Annotated[str, Path(min_length=1, max_length=16, description="e.g. AAPL")]
IndexName = Annotated[str, Path(min_length=1, max_length=32, description="e.g. TOP10")]
Interval = Annotated[
    str, Query(pattern="^(" + "|".join(INTERVALS) + ")$", description="Candle length")
]
Count = Annotated[int, Query(ge=1, le=1000)]
SYMBOL_ERRORS = errors(404, 422, 503)


def _ok(model: type, description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"model": model, "description": description}}


def _engine(request: Request) -> EnginePort:
    engine: EnginePort = request.app.state.services.engine
    return engine


def _unknown(symbol: str) -> GatewayError:
    return GatewayError(404, GatewayCode.UNKNOWN_SYMBOL, f"symbol {symbol!r} is not listed")


@router.get(
    "/symbols",
    response_model=None,
    responses={**_ok(m.SymbolList, "Listed symbols"), **errors(503)},
)
async def symbols(request: Request) -> JSONResponse:
    """Every listed symbol with its tick size, lot size, price band and status."""
    listed = await _engine(request).query(ListSymbols())
    return JSONResponse({"symbols": [wire.symbol_info(s) for s in listed]})


@router.get(
    "/ticker",
    response_model=None,
    responses={**_ok(m.TickerList, "A ticker per listed symbol"), **errors(503)},
)
async def tickers(request: Request) -> JSONResponse:
    tickers = await _engine(request).query(ListTickers())
    return JSONResponse({"tickers": [wire.ticker(t) for t in tickers]})


@router.get(
    "/ticker/{symbol}",
    response_model=None,
    responses={**_ok(m.Ticker, "The symbol's ticker"), **SYMBOL_ERRORS},
)
async def ticker(symbol: Symbol, request: Request) -> JSONResponse:
    view = await _engine(request).query(GetTicker(symbol.upper()))
    if view is None:
        raise _unknown(symbol)
    return JSONResponse(wire.ticker(view))


@router.get(
    "/depth/{symbol}",
    response_model=None,
    responses={**_ok(m.Depth, "Best levels per side, best first"), **SYMBOL_ERRORS},
)
async def depth(symbol: Symbol, request: Request, levels: Count = 10) -> JSONResponse:
    """The order book aggregated by price: ``levels`` best bids and asks."""
    snapshot = await _engine(request).query(GetDepth(symbol.upper(), levels))
    if snapshot is None:
        raise _unknown(symbol)
    return JSONResponse(wire.depth(snapshot))


@router.get(
    "/trades/{symbol}",
    response_model=None,
    responses={**_ok(m.TradeList, "Recent trades, newest first"), **SYMBOL_ERRORS},
)
async def trades(symbol: Symbol, request: Request, limit: Count = 100) -> JSONResponse:
    prints = await _engine(request).query(RecentTrades(symbol.upper(), limit))
    if prints is None:
        raise _unknown(symbol)
    return JSONResponse({"symbol": symbol.upper(), "trades": [wire.trade(t) for t in prints]})


@router.get(
    "/candles/{symbol}",
    response_model=None,
    responses={**_ok(m.CandleList, "Candles, oldest first"), **SYMBOL_ERRORS},
)
async def candles(
    symbol: Symbol, request: Request, interval: Interval = "1m", limit: Count = 100
) -> JSONResponse:
    """OHLC candles of ``interval`` (the current one included)."""
    bars = await _engine(request).query(GetCandles(symbol.upper(), interval, limit))
    if bars is None:
        raise _unknown(symbol)
    return JSONResponse(
        {"symbol": symbol.upper(), "interval": interval, "candles": [wire.candle(c) for c in bars]}
    )


async def _index(request: Request, name: str | None = None) -> IndexView:
    view = await _engine(request).query(GetIndex())
    if view is None or (name is not None and name.upper() != view.name.upper()):
        raise GatewayError(404, GatewayCode.UNKNOWN_SYMBOL, f"no index named {name!r}")
    return view


@router.get(
    "/index",
    response_model=None,
    responses={**_ok(m.Index, "The index with its constituents"), **errors(404, 503)},
)
async def index(request: Request) -> JSONResponse:
    """The TOP10 index: value, day range and each constituent's weight and contribution."""
    return JSONResponse(wire.index(await _index(request)))


@router.get(
    "/index/{name}",
    response_model=None,
    responses={**_ok(m.Index, "The index with its constituents"), **SYMBOL_ERRORS},
)
async def named_index(name: IndexName, request: Request) -> JSONResponse:
    return JSONResponse(wire.index(await _index(request, name)))


@router.get(
    "/index/{name}/history",
    response_model=None,
    responses={**_ok(m.IndexHistory, "Intraday values, oldest first"), **SYMBOL_ERRORS},
)
async def index_history(
    name: IndexName, request: Request, limit: Annotated[int, Query(ge=1, le=86_400)] = 1000
) -> JSONResponse:
    """The index's intraday history: at most one point per second."""
    view = await _index(request, name)
    points = await _engine(request).query(IndexHistory(limit))
    return JSONResponse({"name": view.name, "points": [wire.index_point(p) for p in points]})
