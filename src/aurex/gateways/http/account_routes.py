"""``/api/account``: the caller's profile, cash, buying power and positions."""

from __future__ import annotations

from fastapi import APIRouter

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import AccountView
from aurex.gateways.http.deps import CurrentUser, Services
from aurex.gateways.http.schemas import AccountResponse, PositionInfo, PositionsResponse

router = APIRouter(prefix="/api/account", tags=["account"])


async def _view(services: Services, user_id: str) -> AccountView:
    view = await services.accounts.account_view(user_id)
    if view is None:
        raise AuthError(AuthCode.ACCOUNT_UNAVAILABLE, "the exchange account is not available")
    return view


def _positions(view: AccountView) -> list[PositionInfo]:
    return [
        PositionInfo(symbol=symbol, shares=shares, held_shares=held, available_shares=shares - held)
        for symbol, (shares, held) in sorted(view.positions.items())
        if shares or held
    ]


@router.get("", response_model=AccountResponse)
async def account(services: Services, principal: CurrentUser) -> AccountResponse:
    """Profile plus cash in cents: total, held by open buy orders, and buying power."""
    user = await services.users.get(principal.user_id)
    if user is None:
        raise AuthError(AuthCode.TOKEN_REVOKED, "the account no longer exists")
    if not user.account_opened:
        await services.account_opening.try_ensure(user)  # a sign-up the engine could not take
    view = await _view(services, user.id)
    return AccountResponse(
        user_id=user.id,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        country=user.country,
        role=user.role,
        email_verified=user.email_verified,
        two_factor_type=user.two_factor_type,
        cash_cents=view.cash_cents,
        cash_held_cents=view.cash_held_cents,
        buying_power_cents=view.buying_power_cents,
        positions=_positions(view),
    )


@router.get("/positions", response_model=PositionsResponse)
async def positions(services: Services, principal: CurrentUser) -> PositionsResponse:
    """Shares per symbol, with those held by open sell orders."""
    return PositionsResponse(positions=_positions(await _view(services, principal.user_id)))
