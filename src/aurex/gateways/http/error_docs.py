"""The one error model of the REST API and the OpenAPI entries for every error status.

Every error answer is ``{"code": int, "message": str}`` (``ErrorBody``). Routes of
the trading and market-data routers list their statuses with :func:`errors`; the
statuses of the auth, account and admin routes are listed in ``ROUTE_ERRORS`` and
added by :func:`install_openapi`, which also puts ``ErrorBody`` in place of
FastAPI's default validation-error schema (our 422s are ``{code, message}`` too).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: a body that is not JSON, an invalid cursor or verification token",
    401: "Not authenticated: missing, invalid, expired or revoked token",
    403: "Forbidden: CSRF check failed, wrong role, or a trading token of another session",
    404: "Not found (unknown symbol, order, user or session)",
    409: "Conflict with the current state (e.g. symbol halted, already enabled)",
    413: "Request body too large",
    422: "A field is missing, malformed or out of range, or the engine refused the values",
    429: "Rate limited: see Retry-After",
    503: "The exchange (or mail) is not available right now: retry later",
}

_ERROR_REF = {"$ref": "#/components/schemas/ErrorBody"}

# Statuses (besides 422 for any input and 400 and 413 for any body, added to every route)
# that the routes outside the trading and market-data routers can answer.
_AUTHENTICATED = (401, 403)
ROUTE_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("post", "/api/auth/signup"): (409, 429, 503),
    ("post", "/api/auth/login"): (401, 429, 503),
    ("post", "/api/auth/login-code"): (429, 503),
    ("post", "/api/auth/verify-2fa"): (401, 429, 503),
    ("post", "/api/auth/resend-code"): (401, 429, 503),
    ("post", "/api/auth/refresh"): (401, 403),
    ("post", "/api/auth/logout"): (*_AUTHENTICATED, 404),
    ("post", "/api/auth/verify-email"): (400,),
    ("post", "/api/auth/verify-email/resend"): (429, 503),
    ("post", "/api/auth/password/code"): (*_AUTHENTICATED, 429, 503),
    ("post", "/api/auth/password"): (*_AUTHENTICATED, 429),
    ("post", "/api/auth/password/forgot"): (429, 503),
    ("post", "/api/auth/password/reset"): (400, 401, 429),
    ("get", "/api/auth/2fa"): _AUTHENTICATED,
    ("post", "/api/auth/2fa/totp/setup"): (*_AUTHENTICATED, 409),
    ("post", "/api/auth/2fa/totp/confirm"): (*_AUTHENTICATED, 409, 429),
    ("post", "/api/auth/2fa/totp/disable"): (*_AUTHENTICATED, 409, 429),
    ("post", "/api/auth/2fa/backup-codes"): (*_AUTHENTICATED, 409, 429),
    ("get", "/api/auth/sessions"): _AUTHENTICATED,
    ("delete", "/api/auth/sessions"): _AUTHENTICATED,
    ("delete", "/api/auth/sessions/{session_id}"): (*_AUTHENTICATED, 404),
    ("get", "/api/account"): (*_AUTHENTICATED, 503),
    ("get", "/api/account/positions"): (*_AUTHENTICATED, 503),
    ("get", "/api/admin/users"): _AUTHENTICATED,
    ("put", "/api/admin/users/{user_id}/role"): (*_AUTHENTICATED, 404, 409),
    ("post", "/api/admin/accounts/{user_id}/credit"): (*_AUTHENTICATED, 404, 503),
    ("post", "/api/admin/symbols/{symbol}/halt"): (*_AUTHENTICATED, 404, 409, 503),
    ("post", "/api/admin/symbols/{symbol}/resume"): (*_AUTHENTICATED, 404, 409, 503),
    ("get", "/api/admin/audit"): _AUTHENTICATED,
    ("post", "/api/admin/symbols"): (*_AUTHENTICATED, 409, 503),
    ("put", "/api/admin/symbols/{symbol}/reference-price"): (*_AUTHENTICATED, 404, 503),
    ("delete", "/api/admin/symbols/{symbol}"): (*_AUTHENTICATED, 404, 503),
    ("put", "/api/admin/accounts/{user_id}/limits"): (*_AUTHENTICATED, 404, 503),
    ("post", "/api/admin/accounts/{user_id}/shares"): (*_AUTHENTICATED, 404, 503),
    ("post", "/api/admin/end-of-day"): (*_AUTHENTICATED, 503),
    ("get", "/readyz"): (503,),
    ("head", "/readyz"): (503,),
}


# Answers that are not JSON.
ROUTE_CONTENT: dict[tuple[str, str], str] = {
    ("get", "/metrics"): "text/plain",
}


class ErrorBody(BaseModel):
    """Every error: a stable numeric code (docs/api.md lists them) and a readable message."""

    code: int = Field(description="AuthCode (10xx), RejectCode (1xx-4xx) or GatewayCode (2xxx)")
    message: str


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for a route that can answer these error statuses."""
    return {s: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


def install_openapi(app: FastAPI, route_errors: Mapping[tuple[str, str], tuple[int, ...]]) -> None:
    """Generate the app's OpenAPI with every error status documented by ``ErrorBody``."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schemas = schema.setdefault("components", {}).setdefault("schemas", {})
        schemas["ErrorBody"] = ErrorBody.model_json_schema()
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                statuses = set(route_errors.get((method, path), ()))
                if operation.get("parameters") or "requestBody" in operation:
                    statuses.add(422)
                if "requestBody" in operation:
                    statuses |= {400, 413}  # a body that is not JSON at all; too large
                responses = operation.setdefault("responses", {})
                media_type = ROUTE_CONTENT.get((method, path))
                if media_type is not None:
                    responses["200"]["content"] = {media_type: {"schema": {"type": "string"}}}
                for status in sorted(statuses | {int(s) for s in responses if s[0] in "45"}):
                    responses[str(status)] = {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
