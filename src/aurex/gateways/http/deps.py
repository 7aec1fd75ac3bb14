"""Request dependencies: the services, the client address and the authenticated caller.

``current_principal`` accepts the access JWT from ``Authorization: Bearer`` (API
clients) or the ``sessionToken`` cookie (browsers, CSRF-checked on state changes).
``require_admin`` adds the role check against the user's *current* role, so a
demotion takes effect on the next request whatever tokens are around. Routers of
other gateways' parts (trading, market data) use these same dependencies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.ports import Role
from aurex.auth.services import AuthServices
from aurex.auth.sessions import Principal
from aurex.gateways.http.security import SESSION_COOKIE, TRADING_COOKIE, check_csrf


def auth_services(request: Request) -> AuthServices:
    services: AuthServices = request.app.state.auth
    return services


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header; NOT_AUTHENTICATED if malformed."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError(AuthCode.NOT_AUTHENTICATED, "use Authorization: Bearer <token>")
    return token


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


async def current_principal(request: Request) -> Principal:
    """The caller of a live access token (header or cookie)."""
    services = auth_services(request)
    token = bearer_token(request)
    if token is not None:
        principal = await services.sessions.authenticate(token)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            raise AuthError(AuthCode.NOT_AUTHENTICATED, "log in first")
        principal = await services.sessions.authenticate(cookie)
        check_csrf(request, services.keys, principal.session_id)
    request.state.principal = principal
    return principal


async def session_principal(request: Request) -> Principal:
    """Like ``current_principal`` but a trading token also counts (logout, refresh):
    a bearer token without JWT shape, or the ``tradingToken`` cookie."""
    services = auth_services(request)
    token = bearer_token(request)
    if token is not None:
        if looks_like_jwt(token):
            return await services.sessions.authenticate(token)
        return await services.sessions.authenticate_trading(token)
    access = request.cookies.get(SESSION_COOKIE)
    trading = request.cookies.get(TRADING_COOKIE)
    principal: Principal | None = None
    if access:
        try:
            principal = await services.sessions.authenticate(access)
        except AuthError:
            if not trading:
                raise
    if principal is None:
        if not trading:
            raise AuthError(AuthCode.NOT_AUTHENTICATED, "log in first")
        principal = await services.sessions.authenticate_trading(trading)
    check_csrf(request, services.keys, principal.session_id)
    return principal


async def require_admin(
    request: Request, principal: Annotated[Principal, Depends(current_principal)]
) -> Principal:
    """The caller, if both the token and the user's stored role say admin."""
    if principal.role != Role.ADMIN:
        raise AuthError(AuthCode.FORBIDDEN, "administrators only")
    user = await auth_services(request).users.get(principal.user_id)
    if user is None or user.role != Role.ADMIN:
        raise AuthError(AuthCode.FORBIDDEN, "administrators only")
    return principal


Services = Annotated[AuthServices, Depends(auth_services)]
CurrentUser = Annotated[Principal, Depends(current_principal)]
CurrentSession = Annotated[Principal, Depends(session_principal)]
AdminUser = Annotated[Principal, Depends(require_admin)]
ClientIp = Annotated[str, Depends(client_ip)]
UserAgent = Annotated[str, Depends(user_agent)]
