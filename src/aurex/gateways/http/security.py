"""Browser-facing security: response headers, session cookies and CSRF tokens.

Browsers get the tokens as HttpOnly, SameSite=Strict cookies (Secure over https),
plus a readable ``csrfToken`` cookie. A state-changing request authenticated by
cookie must echo that token in ``X-CSRF-Token``; it is an HMAC of the session id,
so it cannot be forged or planted from another site. Requests with an
``Authorization`` header are not cookie-authenticated and need no CSRF token.
"""

from __future__ import annotations

import hmac
import json

import structlog
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.sessions import IssuedTokens

log = structlog.get_logger(__name__)

SESSION_COOKIE = "sessionToken"
TRADING_COOKIE = "tradingToken"
CSRF_COOKIE = "csrfToken"
CSRF_HEADER = "x-csrf-token"
TRADING_COOKIE_PATH = "/api/auth"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI (/docs) loads its script and styles from a CDN and runs an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = ("/docs", "/redoc")


def is_https(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss")


class SecurityHeadersMiddleware:
    """Adds the security headers to every HTTP response, including unexpected 500s."""

    def __init__(self, app: ASGIApp, csp: str = DEFAULT_CSP) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path.startswith(DOCS_PATHS) else self.csp
        extra = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if path.startswith("/api/"):
            extra.append((b"cache-control", b"no-store"))
        if is_https(scope):
            extra.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                present = {name.lower() for name, _ in message.get("headers", [])}
                headers = list(message.get("headers", []))
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if started:
                raise
            log.exception("unhandled error", path=path, method=scope.get("method"))
            body = json.dumps({"code": int(AuthCode.INTERNAL_ERROR), "message": "internal error"})
            await send_with_headers(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send_with_headers({"type": "http.response.body", "body": body.encode()})


def csrf_token(keys: KeyRing, session_id: str) -> str:
    return keys.mac("csrf", session_id)


def check_csrf(request: Request, keys: KeyRing, session_id: str) -> None:
    """Refuse a cookie-authenticated state change without the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    expected = csrf_token(keys, session_id)
    sent = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not (hmac.compare_digest(sent, expected) and hmac.compare_digest(cookie, expected)):
        raise AuthError(AuthCode.CSRF_FAILED, "missing or wrong CSRF token (X-CSRF-Token header)")


def set_session_cookies(
    response: Response, request: Request, keys: KeyRing, tokens: IssuedTokens
) -> None:
    """The access token, trading token (only sent to /api/auth) and CSRF token cookies."""
    secure = request.url.scheme == "https"
    login_ttl = tokens.trading_expires_in
    cookies = (
        (SESSION_COOKIE, tokens.session_token, tokens.expires_in, "/", True),
        (TRADING_COOKIE, tokens.trading_token, login_ttl, TRADING_COOKIE_PATH, True),
        (CSRF_COOKIE, csrf_token(keys, tokens.session_id), login_ttl, "/", False),
    )
    for name, value, max_age, path, httponly in cookies:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite="strict",
        )


def clear_session_cookies(response: Response, request: Request) -> None:
    secure = request.url.scheme == "https"
    for name, path, httponly in (
        (SESSION_COOKIE, "/", True),
        (TRADING_COOKIE, TRADING_COOKIE_PATH, True),
        (CSRF_COOKIE, "/", False),
    ):
        response.delete_cookie(name, path=path, secure=secure, httponly=httponly, samesite="strict")
