"""Request body size limit, enforced before the application reads anything.

A request declaring a ``Content-Length`` above the limit is answered 413 at once,
unread; a chunked body is read only until it passes the limit. Either way the
connection is closed, so the rest of the upload is never buffered. Bodies within
the limit are read here and handed to the application whole, which bounds what
any route parses on the event loop it shares with the sequencer.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurex.auth.errors import AuthCode

DEFAULT_MAX_BODY_BYTES = 64 * 1024


async def send_error(send: Send, status: int, message: str) -> None:
    """A ``{"code", "message"}`` error response that also closes the connection."""
    body = json.dumps({"code": int(AuthCode.HTTP_ERROR), "message": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def declared_length(scope: Scope) -> int | None:
    """The request's Content-Length, None if absent, -1 if not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return None


class BodyLimitMiddleware:
    """Refuses HTTP request bodies over ``max_body_bytes`` with 413."""

    def __init__(self, app: ASGIApp, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_large = f"request body exceeds {self.max_body_bytes} bytes"
        length = declared_length(scope)
        if length is not None and length > self.max_body_bytes:
            await send_error(send, 413, too_large)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await send_error(send, 413, too_large)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, replay_body(b"".join(chunks), receive), send)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that yields ``body`` once, then waits on the real one (disconnects)."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
