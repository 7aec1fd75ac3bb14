"""Request ids and one structured log line per order-entry request (or every request).

Each HTTP request and WebSocket connection gets a request id (the caller's
``X-Request-ID`` when it is short and plain, else a new one), bound to every record
logged while it is handled and echoed in the ``X-Request-ID`` response header. The
summary line carries the route (its template, never the query string), status,
duration and, for order entry, the order id, client order id and any reject code
read from the answer. Bodies are never logged.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any, Literal

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurex.logs import start_context

log = structlog.get_logger("aurex.http")

RequestLogMode = Literal["none", "orders", "all"]
ORDER_PATH = "/api/trading/orders"
ORDER_METHODS = frozenset({"POST", "PATCH", "DELETE"})
MAX_CAPTURED_BYTES = 64 * 1024
PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLogMiddleware:
    """ASGI middleware: request ids for everything; summary lines per ``mode``."""

    def __init__(self, app: ASGIApp, mode: RequestLogMode = "orders") -> None:
        self.app = app
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        fields = start_context(request_id=request_id)
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        method: str = scope.get("method", "")
        path: str = scope.get("path", "")
        order_entry = method in ORDER_METHODS and path.startswith(ORDER_PATH)
        status = 0
        captured: list[bytes] = []
        size = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
                message = {**message, "headers": headers}
            elif order_entry and message["type"] == "http.response.body":
                body = message.get("body", b"")
                if size + len(body) <= MAX_CAPTURED_BYTES:
                    captured.append(body)
                    size += len(body)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if self.mode == "all" or status >= 500 or (self.mode == "orders" and order_entry):
                duration_ms = round((time.perf_counter() - started) * 1000, 3)
                if order_entry:
                    fields.update(_order_fields(b"".join(captured)))
                log.info(
                    "request",
                    method=method,
                    route=_route(scope),
                    status=status,
                    duration_ms=duration_ms,
                )


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if PLAIN_ID.fullmatch(text):
                return text
    return secrets.token_hex(8)


def _route(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template or "unmatched")


def _order_fields(body: bytes) -> dict[str, Any]:
    """Order id, client order id, status and reject code from an order-entry answer."""
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(answer, dict):
        return {}
    fields: dict[str, Any] = {}
    order = answer.get("order")
    if isinstance(order, dict):
        for key, name in (
            ("orderId", "order_id"),
            ("clientOrderId", "client_order_id"),
            ("symbol", "symbol"),
            ("status", "order_status"),
        ):
            if key in order:
                fields[name] = order[key]
    cancelled = answer.get("cancelled")
    if isinstance(cancelled, list):
        fields["order_ids"] = [o.get("orderId") for o in cancelled if isinstance(o, dict)]
    if "code" in answer:
        fields["reject_code"] = answer["code"]
    return fields
