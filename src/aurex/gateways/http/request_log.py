"""Request ids and one structured log line per order-entry request (or every request).

Each HTTP request and WebSocket connection gets a request id (the caller's
``X-Request-ID`` when it is short and plain, else a new one), bound to every record
logged while it is handled and echoed in the ``X-Request-ID`` response header. The
summary line carries the route (its template, never the query string), status,
duration and, for order entry, the order id, client order id and any reject code
read from the answer. Bodies are never logged. ``edge.EdgeMiddleware`` does the
work per request; these are its parts.
"""

from __future__ import annotations

import itertools
import re
import secrets
from typing import Any, Literal

import msgspec
from starlette.types import Scope

RequestLogMode = Literal["none", "orders", "all"]
ORDER_PATH = "/api/trading/orders"
ORDER_METHODS = frozenset({"POST", "PATCH", "DELETE"})
MAX_CAPTURED_BYTES = 64 * 1024
PLAIN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def log_requests(app: Any, mode: RequestLogMode) -> None:
    """Write summary lines of ``app``'s requests as ``mode`` says (the edge middleware
    writes them, see ``edge.py``)."""
    app.state.edge.log_mode = mode


_PREFIX = secrets.token_hex(4)
_numbers = itertools.count(1)


def request_id(scope: Scope) -> str:
    """The caller's plain ``X-Request-ID``, else a new id: this process's random prefix
    and a counter (unique without asking the OS for random bytes per request)."""
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = bytes(value).decode("latin-1")
            if PLAIN_ID.fullmatch(text):
                return text
    return f"{_PREFIX}-{next(_numbers):x}"


def route_template(scope: Scope) -> str:
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template or "unmatched")


def order_fields(body: bytes) -> dict[str, Any]:
    """Order id, client order id, status and reject code from an order-entry answer."""
    try:
        answer = msgspec.json.decode(body)
    except msgspec.DecodeError:
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
