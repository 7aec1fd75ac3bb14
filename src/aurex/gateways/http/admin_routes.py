"""``/api/admin``: administrator-only actions (403 for traders)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from aurex.auth.ports import UserRecord
from aurex.gateways.http.deps import AdminUser, Services
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
