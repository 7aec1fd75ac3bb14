"""The client's sans-I/O vocabulary: what a call asks its driver to do, and how answers
are checked and decoded.

A call is a generator (a *flow*) that yields effects and receives their results:
``Request`` -> ``Reply`` (an HTTP exchange), ``AskSecondFactor`` -> the code the user's
callback returned, ``RefreshTokens`` -> None (the driver refreshes once even if many
calls ask at the same time). The sync and async clients differ only in how they carry
out these effects, so every rule (headers, refresh, retries, decoding) exists once.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias, TypeVar

import msgspec

from aurex.client._errors import AurexError, api_error

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    params: Mapping[str, str | int] = field(default_factory=dict)
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def with_headers(self, extra: Mapping[str, str]) -> Request:
        return Request(self.method, self.path, self.params, self.json, {**self.headers, **extra})


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    content: bytes


@dataclass(frozen=True, slots=True)
class AskSecondFactor:
    """Ask the user's callback for the code of this second factor (``email``/``totp``)."""

    kind: str


@dataclass(frozen=True, slots=True)
class RefreshTokens:
    """Refresh the access token unless it changed since ``generation``."""

    generation: int


Effect: TypeAlias = Request | AskSecondFactor | RefreshTokens
Flow: TypeAlias = Generator[Effect, Any, T]


class _ErrorBody(msgspec.Struct):
    code: int = 0
    message: str = ""


def error_code(reply: Reply) -> int:
    """The ``code`` of an error answer (0 when the body is not an error object)."""
    try:
        return msgspec.json.decode(reply.content, type=_ErrorBody).code
    except msgspec.DecodeError:
        return 0


def raise_for_status(reply: Reply) -> None:
    """Raise the typed ``ApiError`` of an error answer; do nothing for 1xx-3xx."""
    if reply.status < 400:
        return
    try:
        body = msgspec.json.decode(reply.content, type=_ErrorBody)
    except msgspec.DecodeError:
        body = _ErrorBody(0, reply.content[:200].decode(errors="replace"))
    retry_after: float | None = None
    header = reply.headers.get("retry-after")
    if header is not None:
        try:
            retry_after = float(header)
        except ValueError:
            retry_after = None
    raise api_error(reply.status, body.code, body.message, retry_after)


def decode(reply: Reply, kind: type[T]) -> T:
    """The answer's body as ``kind``, after raising any error answer."""
    raise_for_status(reply)
    try:
        return msgspec.json.decode(reply.content, type=kind)
    except msgspec.DecodeError as exc:
        raise AurexError(f"unexpected answer from the server: {exc}") from exc


def price_text(value: Decimal | str | int) -> str:
    """A price for the wire: Decimal, int or a decimal string; floats are refused
    because they cannot represent most prices exactly."""
    if isinstance(value, (bool, float)):
        raise TypeError("prices must be Decimal, int or str, not float")
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"unsupported price type {type(value).__name__}")


def query(**values: str | int | None) -> dict[str, str | int]:
    """Query parameters without the ones left out (None)."""
    return {key: value for key, value in values.items() if value is not None}
