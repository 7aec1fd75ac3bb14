"""``/api/admin``: administrator-only actions (403 for traders)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from aurex.auth.admin import Rejected
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import AuditEntry, UserRecord
from aurex.auth.services import AuthServices
from aurex.auth.sessions import Principal
from aurex.core.codes import RejectCode
from aurex.core.commands import (
    AddSymbol,
    Command,
    DelistSymbol,
    Deposit,
    EndOfDay,
    SetLimits,
    SetReferencePrice,
)
from aurex.core.events import DayEnded, OrderCancelled, OrderExpired
from aurex.engine.port import EnginePort, EngineUnavailable, Outcome
from aurex.engine.queries import GetAccount, GetSymbol
from aurex.gateways import wire
from aurex.gateways.codes import GatewayCode
from aurex.gateways.http import market_schemas
from aurex.gateways.http.admin_schemas import (
    DelistResponse,
    EndOfDayResponse,
    LimitsBody,
    LimitsResponse,
    ListSymbolRequest,
    ReferencePriceRequest,
    SharesRequest,
    SharesResponse,
)
from aurex.gateways.http.deps import AdminUser, Services
from aurex.gateways.http.errors import GatewayError
from aurex.gateways.http.schemas import (
    AuditInfo,
    AuditResponse,
    CreditRequest,
    CreditResponse,
    RoleRequest,
    SymbolStateResponse,
    UserInfo,
    UsersResponse,
)

router = APIRouter(prefix="/api/admin", tags=["admin"])

MAX_OFFSET = 10**9  # far beyond any user count, well inside a database BIGINT
Symbol = Annotated[str, Path(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9.\-]+$")]


def _user_info(user: UserRecord) -> UserInfo:
    return UserInfo(
        user_id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        country=user.country,
        role=user.role,
        email_verified=user.email_verified,
        two_factor_type=user.two_factor_type,
        created_at=user.created_at,
    )


@router.get("/users", response_model=UsersResponse)
async def list_users(
    services: Services,
    _admin: AdminUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> UsersResponse:
    users = await services.admin.list_users(limit, offset)
    return UsersResponse(users=[_user_info(u) for u in users])


@router.put("/users/{user_id}/role", response_model=UserInfo)
async def set_role(
    user_id: str, body: RoleRequest, services: Services, admin: AdminUser
) -> UserInfo:
    """Make a user an admin or a trader; their sessions end so the change applies at once."""
    return _user_info(await services.admin.set_role(admin.user_id, user_id, body.role))


@router.post("/accounts/{user_id}/credit", response_model=CreditResponse)
async def credit(
    user_id: str, body: CreditRequest, services: Services, admin: AdminUser
) -> CreditResponse:
    """Add cash (integer cents) to a user's exchange account."""
    view = await services.admin.credit(admin.user_id, user_id, body.cash_cents)
    return CreditResponse(
        user_id=user_id, cash_cents=view.cash_cents, buying_power_cents=view.buying_power_cents
    )


@router.post("/symbols/{symbol}/halt", response_model=SymbolStateResponse)
async def halt(symbol: Symbol, services: Services, admin: AdminUser) -> SymbolStateResponse:
    """Stop trading in a symbol: new orders are rejected until it is resumed."""
    await services.admin.halt(admin.user_id, symbol.upper())
    return SymbolStateResponse(symbol=symbol.upper(), halted=True)


@router.post("/symbols/{symbol}/resume", response_model=SymbolStateResponse)
async def resume(symbol: Symbol, services: Services, admin: AdminUser) -> SymbolStateResponse:
    await services.admin.resume(admin.user_id, symbol.upper())
    return SymbolStateResponse(symbol=symbol.upper(), halted=False)


@router.get("/audit", response_model=AuditResponse)
async def audit(
    services: Services,
    _admin: AdminUser,
    user_id: Annotated[str | None, Query(alias="userId", max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditResponse:
    """Recent security events (logins, lockouts, 2FA changes, admin actions), newest first."""
    entries = await services.audit.recent(user_id=user_id, action=action, limit=limit)
    return AuditResponse(
        entries=[
            AuditInfo(
                at=e.at,
                action=e.action,
                user_id=e.user_id,
                ip_address=e.ip_address,
                detail=dict(e.detail),
            )
            for e in entries
        ]
    )


# -- market administration: symbols, reference prices, limits, shares, end of day --------


def _engine(request: Request) -> EnginePort:
    engine: EnginePort | None = request.app.state.services.engine
    if engine is None:
        raise EngineUnavailable("no engine")
    return engine


def _ticks(text: str, field: str) -> int:
    try:
        return wire.parse_price(text)
    except wire.PriceFormatError as exc:
        raise GatewayError(422, GatewayCode.INVALID_FIELD, f"{field}: {exc}") from exc


async def _submit(request: Request, command: Command) -> Outcome:
    outcome = await _engine(request).submit(command)
    if outcome.rejection is not None:
        raise Rejected(outcome.rejection.code)
    return outcome


async def _audit(services: AuthServices, admin: Principal, action: str, **detail: Any) -> None:
    await services.audit.record(
        AuditEntry(at=services.clock(), action=action, user_id=admin.user_id, detail=detail)
    )


async def _symbol_answer(request: Request, symbol: str, status: int = 200) -> JSONResponse:
    info = await _engine(request).query(GetSymbol(symbol))
    if info is None:
        raise Rejected(RejectCode.UNKNOWN_SYMBOL)
    return JSONResponse(wire.symbol_info(info), status)


async def _known_user(services: AuthServices, user_id: str) -> None:
    if len(user_id) > 64 or await services.users.get(user_id) is None:
        raise AuthError(AuthCode.NOT_FOUND, "no such user")


_SYMBOL_DOC: dict[int | str, dict[str, Any]] = {
    200: {"model": market_schemas.SymbolInfo, "description": "The symbol now"}
}


@router.post(
    "/symbols",
    status_code=201,
    response_model=None,
    responses={201: {"model": market_schemas.SymbolInfo, "description": "The new listing"}},
)
async def list_symbol(
    body: ListSymbolRequest, request: Request, services: Services, admin: AdminUser
) -> JSONResponse:
    """List a new symbol (409 if it is listed already)."""
    symbol = body.symbol.upper()
    await _submit(
        request,
        AddSymbol(
            symbol=symbol,
            name=body.name,
            reference_price_ticks=_ticks(body.reference_price, "referencePrice"),
            shares_outstanding=body.shares_outstanding,
            tick_size_ticks=_ticks(body.tick_size, "tickSize"),
            lot_size=body.lot_size,
            price_band_bps=body.price_band_bps,
        ),
    )
    await _audit(services, admin, "admin.list_symbol", symbol=symbol)
    return await _symbol_answer(request, symbol, 201)


@router.put("/symbols/{symbol}/reference-price", response_model=None, responses=_SYMBOL_DOC)
async def set_reference_price(
    symbol: Symbol,
    body: ReferencePriceRequest,
    request: Request,
    services: Services,
    admin: AdminUser,
) -> JSONResponse:
    """Move the reference price (and with it the price band); optionally change the band."""
    command = SetReferencePrice(
        symbol=symbol.upper(),
        reference_price_ticks=_ticks(body.reference_price, "referencePrice"),
        price_band_bps=body.price_band_bps or 0,
    )
    await _submit(request, command)
    await _audit(
        services,
        admin,
        "admin.set_reference_price",
        symbol=command.symbol,
        reference_price_ticks=command.reference_price_ticks,
        price_band_bps=command.price_band_bps,
    )
    return await _symbol_answer(request, command.symbol)


@router.delete("/symbols/{symbol}", response_model=DelistResponse)
async def delist_symbol(
    symbol: Symbol, request: Request, services: Services, admin: AdminUser
) -> DelistResponse:
    """Delist: every open order in the symbol is cancelled, holders keep their shares."""
    outcome = await _submit(request, DelistSymbol(symbol=symbol.upper()))
    cancelled = sum(isinstance(e, OrderCancelled) for e in outcome.events)
    await _audit(services, admin, "admin.delist_symbol", symbol=symbol.upper(), cancelled=cancelled)
    return DelistResponse(symbol=symbol.upper(), cancelled_orders=cancelled)


@router.put("/accounts/{user_id}/limits", response_model=LimitsResponse)
async def set_limits(
    user_id: str, body: LimitsBody, request: Request, services: Services, admin: AdminUser
) -> LimitsResponse:
    """Set an account's risk limits (order size and value, open orders, orders per day)."""
    await _known_user(services, user_id)
    await _submit(request, SetLimits(account=user_id, **body.model_dump()))
    await _audit(services, admin, "admin.set_limits", account=user_id, **body.model_dump())
    return LimitsResponse(user_id=user_id, **body.model_dump())


@router.post("/accounts/{user_id}/shares", response_model=SharesResponse)
async def deposit_shares(
    user_id: str, body: SharesRequest, request: Request, services: Services, admin: AdminUser
) -> SharesResponse:
    """Deposit shares into a user's account (e.g. a transfer in from another broker)."""
    await _known_user(services, user_id)
    user = await services.users.get(user_id)
    if user is None or not await services.account_opening.try_ensure(user):
        raise AuthError(AuthCode.ACCOUNT_UNAVAILABLE, "account is not available")
    symbol = body.symbol.upper()
    await _submit(request, Deposit(account=user_id, symbol=symbol, shares=body.shares))
    await _audit(services, admin, "admin.deposit_shares", account=user_id, symbol=symbol)
    account = await _engine(request).query(GetAccount(user_id))
    held = {p.symbol: p.shares for p in account.positions} if account is not None else {}
    return SharesResponse(user_id=user_id, symbol=symbol, shares=held.get(symbol, 0))


@router.post("/end-of-day", response_model=EndOfDayResponse)
async def end_of_day(request: Request, services: Services, admin: AdminUser) -> EndOfDayResponse:
    """End the trading day now (as the scheduled close does): DAY orders expire and closing
    prices become the next day's reference prices."""
    outcome = await _submit(request, EndOfDay())
    closes = next((e.closing_prices for e in outcome.events if isinstance(e, DayEnded)), {})
    expired = sum(isinstance(e, OrderExpired) for e in outcome.events)
    await _audit(services, admin, "admin.end_of_day", expired=expired)
    return EndOfDayResponse(
        closing_prices={s: wire.price(p) for s, p in closes.items()}, expired_orders=expired
    )
