"""``/api/auth``: sign-up, the two-step login, refresh, logout, e-mail verification,
password change and reset."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from aurex.auth.devices import DEVICE_TTL_S
from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.sessions import IssuedTokens
from aurex.gateways.http.deps import (
    ClientIp,
    CurrentSession,
    CurrentUser,
    Services,
    UserAgent,
    bearer_token,
    looks_like_jwt,
)
from aurex.gateways.http.schemas import (
    EmailRequest,
    LoginRequest,
    LoginResponse,
    PasswordChangeRequest,
    PasswordResetRequest,
    RefreshRequest,
    RevokedResponse,
    SignupRequest,
    SignupResponse,
    SuccessResponse,
    TokenRequest,
    TokensResponse,
    VerifyTwoFactorRequest,
)
from aurex.gateways.http.security import (
    TRADING_COOKIE,
    check_csrf,
    clear_session_cookies,
    set_session_cookies,
)

router = APIRouter(prefix="/api/auth", tags=["auth"])

DEVICE_COOKIE = "deviceToken"
DEVICE_HEADER = "Aurex-Device-Token"


def _tokens_response(
    request: Request, services: Services, tokens: IssuedTokens, device_token: str | None = None
) -> JSONResponse:
    body = TokensResponse(
        session_token=tokens.session_token,
        trading_token=tokens.trading_token,
        expires_in=tokens.expires_in,
        trading_expires_in=tokens.trading_expires_in,
    )
    response = JSONResponse(body.model_dump(by_alias=True))
    set_session_cookies(response, request, services.keys, tokens)
    if device_token:
        # A known-device token: lets this client past account-wide login slowdowns.
        response.headers[DEVICE_HEADER] = device_token
        response.set_cookie(
            DEVICE_COOKIE,
            device_token,
            max_age=DEVICE_TTL_S,
            path="/api/auth",
            secure=request.url.scheme == "https",
            httponly=True,
            samesite="strict",
        )
    return response


def _device_token(request: Request, sent: str | None) -> str | None:
    return sent or request.cookies.get(DEVICE_COOKIE)


@router.post("/signup", status_code=201, response_model=SignupResponse)
async def signup(body: SignupRequest, services: Services, ip: ClientIp) -> SignupResponse:
    """Create a trader account with the opening cash; a verification link is e-mailed."""
    user = await services.signup.signup(
        body.email, body.password, body.first_name, body.last_name, body.country, ip
    )
    return SignupResponse(user_id=user.id)


@router.post(
    "/login",
    response_model=LoginResponse,
    responses={200: {"description": "LoginResponse, or TokensResponse when `code` was sent"}},
)
async def login(
    body: LoginRequest, request: Request, services: Services, ip: ClientIp, agent: UserAgent
) -> LoginResponse | JSONResponse:
    """Step one: the password; a second factor is required next. With a valid second
    factor in ``code`` as well, the session opens at once (answer as ``verify-2fa``)."""
    started = await services.login.start(
        body.email,
        body.password,
        ip,
        device_token=_device_token(request, body.device_token),
        code=body.code,
        user_agent=agent,
    )
    if started.tokens is not None:
        return _tokens_response(request, services, started.tokens, started.device_token)
    return LoginResponse(two_factor_type=started.two_factor_type)


@router.post("/login-code", response_model=SuccessResponse)
async def login_code(body: EmailRequest, services: Services, ip: ClientIp) -> SuccessResponse:
    """E-mail a code to send with the password to ``/login`` (for e-mail-code users;
    the answer does not reveal whether the user exists)."""
    await services.login.send_login_code(body.email, ip)
    return SuccessResponse(message="If the address can receive login codes, one was sent")


@router.post("/verify-2fa", response_model=TokensResponse)
async def verify_two_factor(
    body: VerifyTwoFactorRequest,
    request: Request,
    services: Services,
    ip: ClientIp,
    agent: UserAgent,
) -> JSONResponse:
    """Step two: a TOTP, backup or e-mailed code. Returns the tokens and sets cookies."""
    _user, tokens, device = await services.login.finish(
        body.email, body.code, ip, agent, _device_token(request, body.device_token)
    )
    return _tokens_response(request, services, tokens, device)


@router.post("/resend-code", response_model=SuccessResponse)
async def resend_code(body: EmailRequest, services: Services, ip: ClientIp) -> SuccessResponse:
    """A new e-mail code for a pending login (at most one a minute)."""
    await services.login.resend_code(body.email, ip)
    return SuccessResponse(message="A new code was sent")


@router.post("/refresh", response_model=TokensResponse)
async def refresh(
    request: Request, services: Services, body: RefreshRequest | None = None
) -> JSONResponse:
    """A new access token for the trading token's session; the previous one is revoked.

    The trading token comes from the body, a non-JWT bearer token or the cookie
    (the cookie route needs the CSRF header).
    """
    token = body.trading_token if body else None
    if token is None:
        header = bearer_token(request)
        token = header if header is not None and not looks_like_jwt(header) else None
    if token is None:
        token = request.cookies.get(TRADING_COOKIE)
        if token:
            principal = await services.sessions.authenticate_trading(token)
            check_csrf(request, services.keys, principal.session_id)
    if not token:
        raise AuthError(AuthCode.NOT_AUTHENTICATED, "send the trading token to refresh")
    tokens = await services.sessions.refresh(token)
    return _tokens_response(request, services, tokens)


@router.post("/logout", response_model=SuccessResponse)
async def logout(request: Request, services: Services, principal: CurrentSession) -> JSONResponse:
    """End this session: its access and trading tokens stop working everywhere."""
    await services.sessions.revoke(principal.user_id, principal.session_id)
    body = SuccessResponse(message="Logged out successfully")
    response = JSONResponse(body.model_dump(by_alias=True))
    clear_session_cookies(response, request)
    return response


@router.post("/verify-email", response_model=SuccessResponse)
async def verify_email(body: TokenRequest, services: Services) -> SuccessResponse:
    """Confirm the e-mail address with the token from the sign-up mail."""
    await services.signup.verify_email(body.token)
    return SuccessResponse(message="E-mail address verified")


@router.get("/verify-email", response_class=HTMLResponse, include_in_schema=False)
async def verify_email_link(
    services: Services, token: Annotated[str, Query(max_length=256)]
) -> HTMLResponse:
    """The link in the sign-up mail: verifies and shows a short page."""
    user = await services.signup.verify_email(token)
    name = html.escape(user.first_name)
    return HTMLResponse(
        "<!doctype html><title>Aurex</title>"
        f"<p>Thank you, {name}. Your e-mail address is verified; you can close this page.</p>"
    )


@router.post("/verify-email/resend", response_model=SuccessResponse)
async def resend_verification(
    body: EmailRequest, services: Services, ip: ClientIp
) -> SuccessResponse:
    """Send a new verification link (the answer does not reveal whether the user exists)."""
    await services.signup.resend_verification(body.email, ip)
    return SuccessResponse(message="If the address needs verifying, a new link was sent")


@router.post("/password/code", response_model=SuccessResponse)
async def password_code(services: Services, principal: CurrentUser) -> SuccessResponse:
    """E-mail the code a password change needs (e-mail-code users; one a minute)."""
    user = await services.users.get(principal.user_id)
    if user is None:
        raise AuthError(AuthCode.TOKEN_REVOKED, "the account no longer exists")
    await services.passwords.send_change_code(user)
    return SuccessResponse(message="A code was sent")


@router.post("/password", response_model=RevokedResponse)
async def change_password(
    body: PasswordChangeRequest, services: Services, principal: CurrentUser, ip: ClientIp
) -> RevokedResponse:
    """A new password, with the current one and the second factor; every other session
    ends (``revoked`` says how many), this one stays."""
    user = await services.users.get(principal.user_id)
    if user is None:
        raise AuthError(AuthCode.TOKEN_REVOKED, "the account no longer exists")
    ended = await services.passwords.change(
        user, principal.session_id, body.current_password, body.new_password, body.code, ip
    )
    return RevokedResponse(revoked=ended)


@router.post("/password/forgot", response_model=SuccessResponse)
async def forgot_password(body: EmailRequest, services: Services, ip: ClientIp) -> SuccessResponse:
    """Mail a reset token (the answer does not reveal whether the user exists)."""
    await services.passwords.request_reset(body.email, ip)
    return SuccessResponse(message="If the address belongs to an account, a reset mail was sent")


@router.post("/password/reset", response_model=SuccessResponse)
async def reset_password(
    body: PasswordResetRequest, services: Services, ip: ClientIp
) -> SuccessResponse:
    """A new password with the mailed token (and a TOTP/backup code for TOTP users);
    every session of the user ends."""
    await services.passwords.reset(body.token, body.new_password, body.code, ip)
    return SuccessResponse(message="Password changed; log in with the new password")
