"""``/api/trading``: place, list, get, amend and cancel orders; fills.

Every route needs the access token and counts against the trading rate limits;
order entry (POST, PATCH, DELETE) also needs the session's trading token. Commands
go to the engine port and answer once durable; an engine refusal answers with its
``RejectCode`` and reason (status from ``errors.reject_status``). JSON shapes come
from ``aurex.gateways.wire``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from aurex.core.commands import AmendOrder, CancelAll, CancelOrder, Command
from aurex.engine.port import EnginePort, Outcome
from aurex.gateways import order_entry, wire
from aurex.gateways.codes import GatewayCode
from aurex.gateways.http.error_docs import errors
from aurex.gateways.http.errors import GatewayError
from aurex.gateways.http.order_reads import OrderQuery, OrderReader, parse_side
from aurex.gateways.http.rate_limit import OrderEntryUser, TradingUser
from aurex.gateways.http.trading_schemas import (
    AmendOrderRequest,
    CancelledOrders,
    FillPage,
    Order,
    OrderAnswer,
    OrderPage,
    OrderWithFills,
    PlaceOrderRequest,
)
from aurex.readside import OrderState
from aurex.readside.history import FillFilter, InvalidCursor, OrderFilter

RATE_HEADERS = {
    name: {"description": text, "schema": {"type": "integer"}}
    for name, text in (
        ("X-RateLimit-Limit", "Requests allowed in the current window"),
        ("X-RateLimit-Remaining", "Requests left in the current window"),
        ("X-RateLimit-Reset", "Seconds until the window ends"),
    )
}
READ_ERRORS = errors(400, 401, 403, 422, 429, 503)
ENTRY_ERRORS = errors(401, 403, 404, 409, 413, 422, 429, 503)

router = APIRouter(prefix="/api/trading", tags=["trading"])

OrderId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The exchange's order id")]
SymbolParam = Annotated[str | None, Query(min_length=1, max_length=16)]
MAX_MILLIS = 9_000_000_000_000  # year 2255: in nanoseconds still a signed 64-bit integer
Millis = Annotated[
    int | None, Query(ge=0, le=MAX_MILLIS, description="Milliseconds since the epoch")
]
Cursor = Annotated[str | None, Query(max_length=512)]
Limit = Annotated[int, Query(ge=1, le=500)]


def _ok(model: type, description: str) -> dict[str, Any]:
    return {"model": model, "description": description, "headers": RATE_HEADERS}


def _engine(request: Request) -> EnginePort:
    engine: EnginePort = request.app.state.services.engine
    return engine


def _reader(request: Request) -> OrderReader:
    return OrderReader(_engine(request), request.app.state.services.history)


async def _submit(request: Request, command: Command) -> Outcome:
    outcome = await _engine(request).submit(command)
    rejection = outcome.rejection
    if rejection is not None:
        raise GatewayError.rejected(rejection.code, rejection.reason)
    return outcome


def _touched(outcome: Outcome, order_id: int) -> OrderState:
    for state in outcome.orders:
        if state.order_id == order_id:
            return state
    raise GatewayError(404, GatewayCode.ORDER_NOT_FOUND, f"order {order_id} not found")


def _ticks(text: str | None) -> int:
    return 0 if text is None else wire.parse_price(text)


def _invalid_cursor(cursor: str | None) -> GatewayError:
    return GatewayError(400, GatewayCode.INVALID_CURSOR, f"cursor {cursor!r} is not valid here")


@router.post(
    "/orders",
    status_code=201,
    response_model=None,
    responses={
        201: _ok(OrderWithFills, "The new order and its immediate fills"),
        200: _ok(OrderWithFills, "A retry: the open order that has this clientOrderId"),
        **ENTRY_ERRORS,
    },
)
async def place_order(
    body: PlaceOrderRequest, request: Request, principal: OrderEntryUser
) -> JSONResponse:
    """Place an order. Market orders default to ioc, others to gtc; ``postOnly`` orders
    never take liquidity; ``selfTradePrevention`` says which side of a self-trade ends."""
    command = order_entry.place_order(
        account=principal.user_id,
        client_order_id=body.client_order_id,
        symbol=body.symbol,
        side=wire.SIDES[body.side],
        order_type=wire.ORDER_TYPES[body.type],
        quantity=body.quantity,
        tif=wire.TIME_IN_FORCE[body.time_in_force] if body.time_in_force else None,
        price_ticks=_ticks(body.price),
        stop_price_ticks=_ticks(body.stop_price),
        post_only=body.post_only,
        stp=wire.STP_MODES[body.self_trade_prevention],
    )
    outcome = await _submit(request, command)
    order = outcome.order
    if order is None:
        raise GatewayError(404, GatewayCode.ORDER_NOT_FOUND, "the order is no longer known")
    created = order_entry.created(outcome)
    answer = {
        "order": wire.order(order),
        "fills": [wire.fill(f) for f in order_entry.fills_of(order, outcome.events)],
    }
    return JSONResponse(answer, status_code=201 if created else 200)


@router.get(
    "/orders",
    response_model=None,
    responses={200: _ok(OrderPage, "Orders, newest first"), **READ_ERRORS},
)
async def list_orders(
    request: Request,
    principal: TradingUser,
    status: Literal["open", "closed", "all"] = "all",
    symbol: SymbolParam = None,
    side: Literal["buy", "sell"] | None = None,
    client_order_id: Annotated[
        str | None, Query(alias="clientOrderId", min_length=1, max_length=64)
    ] = None,
    from_ms: Annotated[Millis, Query(alias="from")] = None,
    to_ms: Annotated[Millis, Query(alias="to")] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> JSONResponse:
    """Your orders, newest first; ``from``/``to`` bound the creation time (ms, ``to``
    excluded). Open orders come from the engine, ended ones from the order history."""
    query = OrderQuery(
        filter=OrderFilter(
            account=principal.user_id,
            symbol=symbol.upper() if symbol else "",
            side=parse_side(side),
            client_order_id=client_order_id or "",
            since_ns=None if from_ms is None else from_ms * 1_000_000,
            until_ns=None if to_ms is None else to_ms * 1_000_000,
        ),
        status=status,
        cursor=cursor,
        limit=limit,
    )
    try:
        page = await _reader(request).orders(query)
    except InvalidCursor:
        raise _invalid_cursor(cursor) from None
    return JSONResponse(
        {"orders": [wire.order(s) for s in page.items], "nextCursor": page.next_cursor}
    )


@router.get(
    "/orders/{order_id}",
    response_model=None,
    responses={200: _ok(Order, "The order"), **errors(401, 403, 404, 422, 429, 503)},
)
async def get_order(order_id: OrderId, request: Request, principal: TradingUser) -> JSONResponse:
    """One of your orders by its exchange id (404, code 2004, if unknown or not yours)."""
    state = await _reader(request).order(principal.user_id, order_id)
    if state is None:
        raise GatewayError(404, GatewayCode.ORDER_NOT_FOUND, f"order {order_id} not found")
    return JSONResponse(wire.order(state))


@router.patch(
    "/orders/{order_id}",
    response_model=None,
    responses={200: _ok(OrderWithFills, "The amended order"), **ENTRY_ERRORS},
)
async def amend_order(
    order_id: OrderId, body: AmendOrderRequest, request: Request, principal: OrderEntryUser
) -> JSONResponse:
    """Change a resting limit order: ``quantity`` is the new total. Lowering the quantity
    keeps the order's place in the queue; a new price or a larger quantity loses it
    (and a new price that crosses trades at once)."""
    if body.quantity is None and body.price is None:
        raise GatewayError(422, GatewayCode.INVALID_FIELD, "send quantity and/or price")
    command = AmendOrder(
        account=principal.user_id,
        order_id=order_id,
        quantity=body.quantity or 0,
        price_ticks=_ticks(body.price),
    )
    outcome = await _submit(request, command)
    order = _touched(outcome, order_id)
    answer = {
        "order": wire.order(order),
        "fills": [wire.fill(f) for f in order_entry.fills_of(order, outcome.events)],
    }
    return JSONResponse(answer)


@router.delete(
    "/orders/{order_id}",
    response_model=None,
    responses={200: _ok(OrderAnswer, "The cancelled order"), **ENTRY_ERRORS},
)
async def cancel_order(
    order_id: OrderId, request: Request, principal: OrderEntryUser
) -> JSONResponse:
    """Cancel one open order (404, code 300, if it is unknown or already ended)."""
    outcome = await _submit(request, CancelOrder(account=principal.user_id, order_id=order_id))
    return JSONResponse({"order": wire.order(_touched(outcome, order_id))})


@router.delete(
    "/orders",
    response_model=None,
    responses={200: _ok(CancelledOrders, "The orders cancelled"), **ENTRY_ERRORS},
)
async def cancel_all(
    request: Request, principal: OrderEntryUser, symbol: SymbolParam = None
) -> JSONResponse:
    """Cancel all your open orders, or those in one symbol."""
    command = CancelAll(account=principal.user_id, symbol=symbol.upper() if symbol else "")
    outcome = await _submit(request, command)
    return JSONResponse({"cancelled": [wire.order(s) for s in outcome.orders]})


@router.get(
    "/fills",
    response_model=None,
    responses={200: _ok(FillPage, "Your fills, newest first"), **READ_ERRORS},
)
async def list_fills(
    request: Request,
    principal: TradingUser,
    symbol: SymbolParam = None,
    order_id: Annotated[int | None, Query(alias="orderId", ge=1, le=2**63 - 1)] = None,
    from_ms: Annotated[Millis, Query(alias="from")] = None,
    to_ms: Annotated[Millis, Query(alias="to")] = None,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> JSONResponse:
    """Your fills (each side of a trade you took part in), newest first, from the history."""
    fill_filter = FillFilter(
        account=principal.user_id,
        symbol=symbol.upper() if symbol else "",
        order_id=order_id or 0,
        since_ns=None if from_ms is None else from_ms * 1_000_000,
        until_ns=None if to_ms is None else to_ms * 1_000_000,
    )
    try:
        page = await _reader(request).fills(fill_filter, cursor, limit)
    except InvalidCursor:
        raise _invalid_cursor(cursor) from None
    return JSONResponse(
        {"fills": [wire.fill(f) for f in page.items], "nextCursor": page.next_cursor}
    )
