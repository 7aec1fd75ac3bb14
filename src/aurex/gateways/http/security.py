"""Browser-facing security: response headers, session cookies and CSRF tokens.

Every response gets the security headers of ``HeaderSets`` (added by
``edge.EdgeMiddleware``). Browsers get the tokens as HttpOnly, SameSite=Strict
cookies (Secure over https), plus a readable ``csrfToken`` cookie. A state-changing
request authenticated by cookie must echo that token in ``X-CSRF-Token``; it is an
HMAC of the session id, so it cannot be forged or planted from another site. Requests with an
``Authorization`` header are not cookie-authenticated and need no CSRF token.
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from aurex.auth.errors import AuthCode, AuthError
from aurex.auth.keys import KeyRing
from aurex.auth.sessions import IssuedTokens

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


class HeaderSets:
    """The security headers of a response, built once per kind of path (docs, API,
    other) and scheme, so a request only picks its set."""

    def __init__(self, csp: str = DEFAULT_CSP) -> None:
        self._sets = {
            (docs, api, https): _security_headers(DOCS_CSP if docs else csp, api, https)
            for docs in (False, True)
            for api in (False, True)
            for https in (False, True)
        }

    def for_request(self, scope: Scope) -> tuple[tuple[bytes, bytes], ...]:
        path: str = scope.get("path", "")
        return self._sets[path.startswith(DOCS_PATHS), path.startswith("/api/"), is_https(scope)]


def _security_headers(csp: str, api: bool, https: bool) -> tuple[tuple[bytes, bytes], ...]:
    headers = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if api:
        headers.append((b"cache-control", b"no-store"))
    if https:
        headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
    return tuple(headers)


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
