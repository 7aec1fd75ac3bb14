"""Errors of the Aurex client: every refusal carries the server's ``{code, message}``
and the HTTP status, as one exception class per kind of status."""

from __future__ import annotations


class AurexError(Exception):
    """Base of every error the client raises."""


class TransportError(AurexError):
    """The server could not be reached, or the connection broke mid-request."""


class ApiError(AurexError):
    """The server answered with an error: ``code`` (stable number), ``message`` (for
    people) and ``status`` (HTTP status; 0 for WebSocket errors)."""

    def __init__(self, code: int, message: str, status: int = 0) -> None:
        super().__init__(f"{code}: {message}" + (f" (HTTP {status})" if status else ""))
        self.code = code
        self.message = message
        self.status = status


class InvalidRequest(ApiError):
    """400 or 422: a value the server refuses (price off the tick, unknown field...)."""


class AuthenticationError(ApiError):
    """401: missing, wrong, expired or revoked credentials."""


class PermissionDenied(ApiError):
    """403: authenticated but not allowed (CSRF, role)."""


class NotFound(ApiError):
    """404: unknown symbol, order, route."""


class Conflict(ApiError):
    """409: the request contradicts current state (halted symbol, existing e-mail)."""


class RateLimited(ApiError):
    """429: too many requests; ``retry_after`` seconds until the next try makes sense."""

    def __init__(self, code: int, message: str, status: int, retry_after: float | None) -> None:
        super().__init__(code, message, status)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the server failed or is not ready."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    422: InvalidRequest,
}


def api_error(status: int, code: int, message: str, retry_after: float | None) -> ApiError:
    """The exception for an error answer with this HTTP status."""
    if status == 429:
        return RateLimited(code, message, status, retry_after)
    if status >= 500:
        return ServerError(code, message, status)
    return _BY_STATUS.get(status, ApiError)(code, message, status)
