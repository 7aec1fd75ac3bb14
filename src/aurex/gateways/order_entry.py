"""Order entry shared by every gateway (REST, gRPC, TCP): one translation, one set of codes.

A request in any protocol becomes the same engine command through ``place_order``;
its numbers are checked the same way (``check_quantity``, ``ticks_from_float``,
``ticks_from_text``); an engine refusal or a gateway-level refusal is an
:class:`EntryError` carrying its numeric code and an :class:`ErrorKind`, which each
protocol maps once onto its own statuses (HTTP 404/409/422, gRPC NOT_FOUND/...).
So the same invalid input gets the same code whichever door it comes through.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import Enum

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.sessions import Principal, SessionService
from aurex.core.codes import RejectCode
from aurex.core.commands import Command, PlaceOrder
from aurex.core.events import Event, OrderAccepted, OrderAmended, TradeExecuted
from aurex.core.model import OrderType, Side, StpMode, TimeInForce
from aurex.engine.port import EnginePort, EngineUnavailable, Outcome
from aurex.engine.queries import GetOrder
from aurex.gateways import wire
from aurex.gateways.codes import GatewayCode
from aurex.readside import Fill, OrderState, evolve, fill_for
from aurex.readside.history import History
from aurex.readside.order_state import accepted

MAX_QUANTITY = 10**12
MAX_SYMBOL_LENGTH = 16
MAX_CLIENT_ORDER_ID_LENGTH = 64


class ErrorKind(Enum):
    """What sort of refusal: each protocol maps a kind to its own status."""

    MALFORMED = "malformed"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    REFUSED = "refused"
    """Valid, but the account's risk checks or limits say no."""
    UNAUTHENTICATED = "unauthenticated"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class EntryError(Exception):
    """A refused request: its Aurex code (RejectCode, AuthCode or GatewayCode) and reason."""

    def __init__(self, kind: ErrorKind, code: int, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = int(code)
        self.message = message

    @classmethod
    def invalid(cls, message: str) -> EntryError:
        return cls(ErrorKind.INVALID, GatewayCode.INVALID_FIELD, message)

    @classmethod
    def rejected(cls, code: RejectCode, reason: str) -> EntryError:
        return cls(reject_kind(code), code, reason)

    @classmethod
    def from_auth(cls, error: AuthError) -> EntryError:
        return cls(auth_kind(error.code), error.code, error.message)


_NOT_FOUND = {RejectCode.UNKNOWN_SYMBOL, RejectCode.UNKNOWN_ACCOUNT, RejectCode.UNKNOWN_ORDER}
_CONFLICT = {
    RejectCode.SYMBOL_HALTED,
    RejectCode.SYMBOL_EXISTS,
    RejectCode.SYMBOL_ALREADY_HALTED,
    RejectCode.SYMBOL_NOT_HALTED,
    RejectCode.ORDER_NOT_AMENDABLE,
}
_REFUSED = {
    RejectCode.INSUFFICIENT_CASH,
    RejectCode.INSUFFICIENT_POSITION,
    RejectCode.MAX_ORDER_QUANTITY_EXCEEDED,
    RejectCode.MAX_NOTIONAL_EXCEEDED,
    RejectCode.MAX_OPEN_ORDERS_EXCEEDED,
    RejectCode.MAX_DAILY_ORDERS_EXCEEDED,
}
_UNAUTHENTICATED = {
    AuthCode.NOT_AUTHENTICATED,
    AuthCode.TOKEN_INVALID,
    AuthCode.TOKEN_EXPIRED,
    AuthCode.TOKEN_REVOKED,
}


def reject_kind(code: RejectCode) -> ErrorKind:
    """Unknown things are NOT_FOUND, state conflicts CONFLICT, risk REFUSED, else INVALID."""
    if code in _NOT_FOUND:
        return ErrorKind.NOT_FOUND
    if code in _CONFLICT:
        return ErrorKind.CONFLICT
    if code in _REFUSED:
        return ErrorKind.REFUSED
    return ErrorKind.INVALID


def auth_kind(code: AuthCode) -> ErrorKind:
    if code in _UNAUTHENTICATED:
        return ErrorKind.UNAUTHENTICATED
    if code in (AuthCode.RATE_LIMITED, AuthCode.LOCKED_OUT):
        return ErrorKind.RATE_LIMITED
    if code in (AuthCode.ACCOUNT_UNAVAILABLE, AuthCode.MAIL_UNAVAILABLE):
        return ErrorKind.UNAVAILABLE
    return ErrorKind.FORBIDDEN


# -- checking numbers and names -------------------------------------------------------


def check_quantity(quantity: int, field: str = "quantity") -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise EntryError(
            ErrorKind.MALFORMED, GatewayCode.MALFORMED_REQUEST, f"{field}: not an integer"
        )
    if not 1 <= quantity <= MAX_QUANTITY:
        raise EntryError.invalid(
            f"{field}: must be a whole number of shares from 1 to {MAX_QUANTITY}"
        )
    return quantity


def check_symbol(symbol: str) -> str:
    """The symbol upper-cased; its existence is the engine's to judge (code 100)."""
    if not 1 <= len(symbol) <= MAX_SYMBOL_LENGTH:
        raise EntryError.invalid(f"symbol: 1 to {MAX_SYMBOL_LENGTH} characters")
    return symbol.upper()


def check_client_order_id(client_order_id: str, field: str = "clientOrderId") -> str:
    if not 1 <= len(client_order_id) <= MAX_CLIENT_ORDER_ID_LENGTH:
        raise EntryError.invalid(f"{field}: 1 to {MAX_CLIENT_ORDER_ID_LENGTH} characters")
    return client_order_id


def check_ticks(ticks: int, field: str = "price") -> int:
    """A price already in ticks: positive and at most ``wire.MAX_PRICE_TICKS``."""
    if not 1 <= ticks < wire.MAX_PRICE_TICKS:
        raise EntryError.invalid(
            f"{field}: must be greater than 0 and below {wire.MAX_PRICE_TICKS} ticks"
        )
    return ticks


def ticks_from_float(value: float, field: str = "price") -> int:
    """A binary floating-point price to ticks, exactly or not at all.

    The double is read as the shortest decimal that round-trips to it (what the
    sender typed: 234.51, not 234.509999...). That decimal must have at most two
    decimals; ``1.005`` is refused, never rounded. NaN, infinities, zero and negative
    values are refused too (0 means "no price" and is the caller's to handle).
    """
    if not math.isfinite(value):
        raise EntryError.invalid(f"{field}: {value!r} is not a finite number")
    if value <= 0:
        raise EntryError.invalid(f"{field}: must be greater than 0, got {value!r}")
    try:
        exact = Decimal(repr(value))
    except InvalidOperation:  # pragma: no cover - repr of a finite float always parses
        raise EntryError.invalid(f"{field}: {value!r} is not a number") from None
    scaled = exact * wire.TICKS_PER_UNIT
    if scaled != scaled.to_integral_value():
        raise EntryError.invalid(
            f"{field}: {value!r} has more decimals than the tick (0.01); it is not rounded"
        )
    return check_ticks(int(scaled), field)


def ticks_from_text(text: str, field: str = "price") -> int:
    """``"234.50"`` -> 23450, with ``wire.parse_price``'s exact rules."""
    try:
        return wire.parse_price(text)
    except wire.PriceFormatError as exc:
        raise EntryError.invalid(f"{field}: {exc}") from None


def one_price(field: str, as_float: float, as_ticks: int) -> int:
    """The price given as a double and/or as ticks (0 = not given); both must agree."""
    ticks = 0
    if as_ticks != 0:
        ticks = check_ticks(as_ticks, f"{field}_ticks")
    if as_float != 0 or math.isnan(as_float):
        from_float = ticks_from_float(as_float, field)
        if ticks and from_float != ticks:
            raise EntryError.invalid(
                f"{field} and {field}_ticks disagree ({as_float!r} vs {as_ticks})"
            )
        ticks = from_float
    return ticks


# -- commands -------------------------------------------------------------------------


def default_tif(order_type: OrderType) -> TimeInForce:
    """Market orders are immediate-or-cancel unless told otherwise; others good till cancelled."""
    return TimeInForce.IOC if order_type is OrderType.MARKET else TimeInForce.GTC


def place_order(
    *,
    account: str,
    client_order_id: str,
    symbol: str,
    side: Side,
    order_type: OrderType,
    quantity: int,
    tif: TimeInForce | None = None,
    price_ticks: int = 0,
    stop_price_ticks: int = 0,
    post_only: bool = False,
    stp: StpMode = StpMode.CANCEL_NEWEST,
) -> PlaceOrder:
    """The engine command for a new order, with the gateways' shared defaults and checks."""
    return PlaceOrder(
        account=account,
        client_order_id=check_client_order_id(client_order_id),
        symbol=check_symbol(symbol),
        side=side,
        order_type=order_type,
        quantity=check_quantity(quantity),
        tif=default_tif(order_type) if tif is None else tif,
        price_ticks=price_ticks,
        stop_price_ticks=stop_price_ticks,
        post_only=post_only,
        stp=stp,
    )


async def submit(engine: EnginePort, command: Command) -> Outcome:
    """Send ``command``; its outcome once durable, or ``EntryError`` for a refusal."""
    try:
        outcome = await engine.submit(command)
    except EngineUnavailable as exc:
        raise EntryError(
            ErrorKind.UNAVAILABLE,
            GatewayCode.ENGINE_UNAVAILABLE,
            f"the exchange is not accepting requests: {exc}",
        ) from None
    rejection = outcome.rejection
    if rejection is not None:
        raise EntryError.rejected(rejection.code, rejection.reason)
    return outcome


def created(outcome: Outcome) -> bool:
    """True for a new order; False for a retry of an open order's client order id."""
    return any(type(e) is OrderAccepted for e in outcome.events)


def fills_of(order: OrderState, events: Iterable[Event]) -> list[Fill]:
    """The fills of ``order`` among one command's events, each with the order's
    filled and leaves quantities right after it (the read side's own fold)."""
    order_id = order.order_id
    state = order
    fills: list[Fill] = []
    for event in events:
        kind = type(event)
        if kind is OrderAccepted and event.order_id == order_id:  # type: ignore[attr-defined]
            assert isinstance(event, OrderAccepted)
            state = accepted(event)
        elif kind is OrderAmended and event.order_id == order_id:  # type: ignore[attr-defined]
            state = evolve(state, event)
            # an amendment states the new total and what is left: the rest was filled
            state = state._replace(filled=state.quantity - state.leaves)
        elif kind is TradeExecuted:
            assert isinstance(event, TradeExecuted)
            if order_id in (event.buy_order_id, event.sell_order_id):
                state = evolve(state, event)
                fills.append(fill_for(state, event))
    return fills


def touched(outcome: Outcome, order_id: int) -> OrderState:
    """The state of ``order_id`` after the command (it is among the orders touched)."""
    for state in outcome.orders:
        if state.order_id == order_id:
            return state
    raise EntryError(
        ErrorKind.NOT_FOUND, GatewayCode.ORDER_NOT_FOUND, f"order {order_id} not found"
    )


async def find_order(
    engine: EnginePort,
    history: History | None,
    account: str,
    order_id: int = 0,
    client_order_id: str = "",
) -> OrderState:
    """One of ``account``'s orders: the engine's live and recent orders, then the history."""
    state = await engine.query(GetOrder(account, order_id, client_order_id))
    if state is None and history is not None and order_id:
        state = await history.order(account, order_id)
    if state is None:
        which = f"order {order_id}" if order_id else f"client order id {client_order_id!r}"
        raise EntryError(ErrorKind.NOT_FOUND, GatewayCode.ORDER_NOT_FOUND, f"{which} not found")
    return state


def parse_order_id(text: str, field: str = "order_id") -> int:
    """An exchange order id sent as text: decimal digits of a positive 63-bit integer."""
    if not text.isascii() or not text.isdigit() or not 0 < int(text) < 2**63:
        raise EntryError.invalid(f"{field}: {text[:32]!r} is not an exchange order id")
    return int(text)


# -- credentials ----------------------------------------------------------------------


async def authenticate(
    sessions: SessionService,
    access_token: str | None,
    trading_token: str | None = None,
    *,
    needs_trading: bool = False,
) -> Principal:
    """The caller of an access token; for order entry also the same session's trading token."""
    if not access_token:
        raise EntryError(
            ErrorKind.UNAUTHENTICATED,
            AuthCode.NOT_AUTHENTICATED,
            "send the access token: authorization: Bearer <token>",
        )
    try:
        principal = await sessions.authenticate(access_token)
        if not needs_trading:
            return principal
        if not trading_token:
            raise EntryError(
                ErrorKind.UNAUTHENTICATED,
                GatewayCode.TRADING_TOKEN_REQUIRED,
                "order entry needs the trading token: send it as x-trading-token",
            )
        owner = await sessions.authenticate_trading(trading_token)
    except AuthError as exc:
        raise EntryError.from_auth(exc) from None
    if owner.session_id != principal.session_id or owner.user_id != principal.user_id:
        raise EntryError(
            ErrorKind.FORBIDDEN, AuthCode.FORBIDDEN, "the trading token belongs to another session"
        )
    return principal


def check_user(principal: Principal, user_id: str) -> str:
    """The account to act on: the token's user; a ``user_id`` sent must be that user."""
    if user_id and user_id != principal.user_id:
        raise EntryError(
            ErrorKind.FORBIDDEN, AuthCode.FORBIDDEN, "user_id does not match the token's user"
        )
    return principal.user_id
