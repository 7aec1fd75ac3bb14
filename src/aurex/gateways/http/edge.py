"""The one ASGI middleware every request passes: ids, headers, the summary log line.

Merged so a request pays for one wrapper and one pass over its response headers
instead of three (security headers, rate-limit headers, request log). It

* gives each HTTP request and WebSocket connection its request id
  (``request_log.request_id``) and binds it to the request's log records;
* adds the security headers (``security.HeaderSets``), and on ``/api/trading`` the
  ``X-RateLimit-*`` headers the rate-limit dependencies recorded, to every response;
* turns an unexpected exception into a ``{"code", "message"}`` 500;
* writes the request's summary line as ``EdgeOptions.log_mode`` says (``request_log``;
  ``aurex.observability`` turns it on for the platform).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurex.auth.errors import AuthCode
from aurex.gateways.http.rate_limit import RATE_LIMIT_STATE, TRADING_PREFIX, Quota
from aurex.gateways.http.request_log import (
    MAX_CAPTURED_BYTES,
    ORDER_METHODS,
    ORDER_PATH,
    RequestLogMode,
    order_fields,
    request_id,
    route_template,
)
from aurex.gateways.http.security import DEFAULT_CSP, HeaderSets
from aurex.logs import start_context

log = structlog.get_logger("aurex.http")
errors_log = structlog.get_logger("aurex.gateways.http.security")


@dataclass(slots=True)
class EdgeOptions:
    """What the edge adds; shared with the app (``app.state.edge``) so the request log
    can be switched on after the app is built."""

    csp: str = DEFAULT_CSP
    log_mode: RequestLogMode = "none"
    headers: HeaderSets = field(init=False)

    def __post_init__(self) -> None:
        self.headers = HeaderSets(self.csp)


class EdgeMiddleware:
    """Request ids, security and rate-limit headers, 500s and request log lines."""

    def __init__(self, app: ASGIApp, options: EdgeOptions) -> None:
        self.app = app
        self.options = options

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket":
            start_context(request_id=request_id(scope))
            await self.app(scope, receive, send)
            return
        if kind != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        fields = start_context(request_id=rid)
        method: str = scope["method"]
        path: str = scope["path"]
        options = self.options
        extra = [*options.headers.for_request(scope), (b"x-request-id", rid.encode())]
        state: dict[str, Any] | None = None
        if path.startswith(TRADING_PREFIX):
            state = scope.setdefault("state", {})
        mode = options.log_mode
        order_entry = method in ORDER_METHODS and path.startswith(ORDER_PATH)
        status = 0
        captured: list[bytes] = []
        size = 0
        started = time.perf_counter()

        async def edge_send(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", ()))
                added = extra
                quota: Quota | None = None if state is None else state.get(RATE_LIMIT_STATE)
                if quota is not None:
                    added = [*added, *quota.raw_headers()]
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in added if h[0] not in present)
                message = {**message, "headers": headers}
            elif order_entry and message["type"] == "http.response.body":
                body = message.get("body", b"")
                if size + len(body) <= MAX_CAPTURED_BYTES:
                    captured.append(body)
                    size += len(body)
            await send(message)

        try:
            await self.app(scope, receive, edge_send)
        except Exception:
            if status:
                raise
            errors_log.exception("unhandled error", path=path, method=method)
            await _internal_error(edge_send)
        finally:
            if mode == "all" or status >= 500 or (mode == "orders" and order_entry):
                if order_entry:
                    fields.update(order_fields(b"".join(captured)))
                log.info(
                    "request",
                    method=method,
                    route=route_template(scope),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                )


async def _internal_error(send: Send) -> None:
    body = json.dumps({"code": int(AuthCode.INTERNAL_ERROR), "message": "internal error"})
    start = {
        "type": "http.response.start",
        "status": 500,
        "headers": [(b"content-type", b"application/json")],
    }
    await send(start)
    await send({"type": "http.response.body", "body": body.encode()})
