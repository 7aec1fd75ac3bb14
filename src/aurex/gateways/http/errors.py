"""Every HTTP error is JSON ``{"code": int, "message": str}`` with a fitting status.

Auth failures carry their ``AuthCode``; engine refusals their ``RejectCode``;
FastAPI's request validation errors (422) become ``VALIDATION_FAILED`` with the
offending fields named; unknown routes and methods get codes of their own.
Unexpected exceptions become a 500 in ``edge.EdgeMiddleware``.
docs/api.md lists the codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from aurex.auth.admin import Rejected
from aurex.auth.errors import AuthCode, AuthError
from aurex.core.codes import RejectCode
from aurex.engine.port import EngineUnavailable
from aurex.gateways.codes import GatewayCode
from aurex.gateways.order_entry import ErrorKind, reject_kind

GATEWAY_PREFIXES = ("/api/trading", "/api/market-data")
"""Routes whose own errors (validation included) carry ``GatewayCode``s."""
_MALFORMED = {"missing", "json_invalid", "extra_forbidden", "model_attributes_type"}

AUTH_STATUS: dict[AuthCode, int] = {
    AuthCode.VALIDATION_FAILED: 422,
    AuthCode.INVALID_CREDENTIALS: 401,
    AuthCode.EMAIL_TAKEN: 409,
    AuthCode.WEAK_PASSWORD: 422,
    AuthCode.INVALID_EMAIL: 422,
    AuthCode.NO_PENDING_LOGIN: 401,
    AuthCode.INVALID_CODE: 401,
    AuthCode.CODE_EXPIRED: 401,
    AuthCode.CODE_ALREADY_USED: 401,
    AuthCode.CODE_ATTEMPTS_EXHAUSTED: 401,
    AuthCode.TOO_MANY_CODE_REQUESTS: 429,
    AuthCode.TOTP_SETUP_NOT_STARTED: 409,
    AuthCode.TOTP_ALREADY_ENABLED: 409,
    AuthCode.TOTP_NOT_ENABLED: 409,
    AuthCode.LOCKED_OUT: 429,
    AuthCode.RATE_LIMITED: 429,
    AuthCode.NOT_AUTHENTICATED: 401,
    AuthCode.TOKEN_INVALID: 401,
    AuthCode.TOKEN_EXPIRED: 401,
    AuthCode.TOKEN_REVOKED: 401,
    AuthCode.CSRF_FAILED: 403,
    AuthCode.FORBIDDEN: 403,
    AuthCode.VERIFICATION_TOKEN_INVALID: 400,
    AuthCode.NOT_FOUND: 404,
    AuthCode.INVALID_AMOUNT: 422,
    AuthCode.METHOD_NOT_ALLOWED: 405,
    AuthCode.ACCOUNT_UNAVAILABLE: 503,
    AuthCode.MAIL_UNAVAILABLE: 503,
    AuthCode.HTTP_ERROR: 400,
    AuthCode.INTERNAL_ERROR: 500,
}

_UNAUTHENTICATED = {
    AuthCode.NOT_AUTHENTICATED,
    AuthCode.TOKEN_INVALID,
    AuthCode.TOKEN_EXPIRED,
    AuthCode.TOKEN_REVOKED,
}


class GatewayError(Exception):
    """A gateway-level refusal (``GatewayCode``) or an engine rejection (``RejectCode``)."""

    def __init__(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers

    @classmethod
    def rejected(cls, code: RejectCode, reason: str) -> GatewayError:
        """The engine refused a command: its code and reason, with ``reject_status``."""
        return cls(reject_status(code), code, reason)


def error_response(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"code": int(code), "message": message}, status, headers=headers)


KIND_STATUS: dict[ErrorKind, int] = {
    ErrorKind.MALFORMED: 422,
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.REFUSED: 422,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
}
"""HTTP status of each kind of refusal (gRPC's is in ``grpc.errors.STATUS``)."""


def reject_status(code: RejectCode) -> int:
    """HTTP status for an engine refusal, from the gateways' shared classification
    (``order_entry.reject_kind``): 404 unknown things, 409 state conflicts, else 422."""
    return KIND_STATUS[reject_kind(code)]


def auth_error_response(exc: AuthError) -> JSONResponse:
    headers: dict[str, str] = {}
    if exc.retry_after_s is not None:
        headers["Retry-After"] = str(exc.retry_after_s)
    if exc.code in _UNAUTHENTICATED:
        headers["WWW-Authenticate"] = "Bearer"
    return error_response(AUTH_STATUS[exc.code], exc.code, exc.message, headers)


def describe_validation(errors: Sequence[Any]) -> str:
    """``firstName: Field required; password: ...`` from pydantic's error list."""
    parts = []
    for error in errors:
        location = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
        where = ".".join(location) or "request"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "; ".join(parts) or "request is not valid"


def install_error_handlers(app: FastAPI) -> None:
    async def on_auth_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AuthError)
        return auth_error_response(exc)

    async def on_rejected(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Rejected)
        return error_response(reject_status(exc.code), exc.code, str(exc))

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = exc.errors()
        code: int = AuthCode.VALIDATION_FAILED
        if request.url.path.startswith(GATEWAY_PREFIXES):
            malformed = any(
                e.get("type") in _MALFORMED or str(e.get("type", "")).endswith("_type")
                for e in errors
            )
            code = GatewayCode.MALFORMED_REQUEST if malformed else GatewayCode.INVALID_FIELD
        return error_response(422, code, describe_validation(errors))

    async def on_gateway_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, GatewayError)
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    async def on_engine_unavailable(_request: Request, exc: Exception) -> JSONResponse:
        message = f"the exchange is not accepting requests: {exc}"
        return error_response(503, GatewayCode.ENGINE_UNAVAILABLE, message, {"Retry-After": "1"})

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code: int = {404: AuthCode.NOT_FOUND, 405: AuthCode.METHOD_NOT_ALLOWED}.get(
            exc.status_code, AuthCode.HTTP_ERROR
        )
        if exc.status_code == 400 and request.url.path.startswith(GATEWAY_PREFIXES):
            code = GatewayCode.MALFORMED_REQUEST
        return error_response(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))

    app.add_exception_handler(AuthError, on_auth_error)
    app.add_exception_handler(Rejected, on_rejected)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(GatewayError, on_gateway_error)
    app.add_exception_handler(EngineUnavailable, on_engine_unavailable)
