"""gRPC statuses for Aurex refusals, and the caller's tokens from call metadata.

A refusal ends the call with the status of its kind; the trailing metadata key
``aurex-code`` carries the numeric Aurex code (the same code REST puts in its JSON
body) and the status message its reason.
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc

from aurex.gateways.order_entry import EntryError, ErrorKind

CODE_KEY = "aurex-code"
TRADING_TOKEN_KEY = "x-trading-token"

STATUS: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.MALFORMED: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.CONFLICT: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.REFUSED: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.RATE_LIMITED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
}


async def abort(context: Any, error: EntryError) -> NoReturn:
    """End the call with ``error``'s status, code (trailing metadata) and message."""
    context.set_trailing_metadata(((CODE_KEY, str(error.code)),))
    await context.abort(STATUS[error.kind], error.message)
    raise AssertionError("context.abort returned")  # pragma: no cover


def credentials(context: Any) -> tuple[str | None, str | None]:
    """(access token of ``authorization: Bearer``, trading token) from the call metadata."""
    access: str | None = None
    trading: str | None = None
    for key, value in context.invocation_metadata() or ():
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                access = token.strip()
        elif key == TRADING_TOKEN_KEY and isinstance(value, str):
            trading = value.strip() or None
    return access, trading
