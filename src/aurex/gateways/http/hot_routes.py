"""Order entry without FastAPI's per-request machinery, same functions, same answers.

Routing through every included router, solving the dependency graph and the
exception middlewares cost more CPU than placing the order. For the order routes
(place, amend, cancel, cancel-all, get by id) this middleware calls the very route
functions and dependencies FastAPI would call, in the same order, and answers
their exceptions with the app's own exception handlers. FastAPI still documents
the routes (OpenAPI) and serves everything else, including every request this
path does not take *exactly*: a body that is not ``application/json``, not JSON or
not valid for the route's model, an id that is not plain digits in range, a query
string. Those go to FastAPI untouched (the body replayed), so error answers, their
order of precedence (JSON syntax before authentication before field validation)
and the documented shapes stay FastAPI's own.
"""

from __future__ import annotations

import email.message
import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from aurex.gateways.http import trading_routes as routes
from aurex.gateways.http.limits import replay_body
from aurex.gateways.http.rate_limit import order_entry_principal, trading_principal
from aurex.gateways.http.trading_schemas import AmendOrderRequest, PlaceOrderRequest

ORDERS = "/api/trading/orders"
_ORDER_ID = re.compile(r"/api/trading/orders/([1-9][0-9]{0,18})")
_MAX_ID = 2**63 - 1

Handler = Callable[[Request, Any, int], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class HotRoute:
    """One route served here: its FastAPI route (for the log's route template), the
    body model (None: no body) and how to call the route function."""

    route: APIRoute
    body: type[BaseModel] | None
    call: Handler


async def _place(request: Request, body: Any, _order_id: int) -> Response:
    principal = await order_entry_principal(request, await trading_principal(request))
    return await routes.place_order(body, request, principal)


async def _amend(request: Request, body: Any, order_id: int) -> Response:
    principal = await order_entry_principal(request, await trading_principal(request))
    return await routes.amend_order(order_id, body, request, principal)


async def _cancel(request: Request, _body: Any, order_id: int) -> Response:
    principal = await order_entry_principal(request, await trading_principal(request))
    return await routes.cancel_order(order_id, request, principal)


async def _cancel_all(request: Request, _body: Any, _order_id: int) -> Response:
    principal = await order_entry_principal(request, await trading_principal(request))
    return await routes.cancel_all(request, principal, None)


async def _get(request: Request, _body: Any, order_id: int) -> Response:
    return await routes.get_order(order_id, request, await trading_principal(request))


def _route_of(endpoint: Callable[..., Any]) -> APIRoute:
    for route in routes.router.routes:
        if isinstance(route, APIRoute) and route.endpoint is endpoint:
            return route
    raise LookupError(f"{endpoint.__name__} is not a route of {routes.router.prefix}")


class HotRoutes:
    """ASGI middleware: the order routes served directly, the rest passed to ``app``."""

    def __init__(self, app: ASGIApp, fastapi: FastAPI) -> None:
        self.app = app
        self.fastapi = fastapi
        hot = {
            ("POST", False): HotRoute(_route_of(routes.place_order), PlaceOrderRequest, _place),
            ("DELETE", False): HotRoute(_route_of(routes.cancel_all), None, _cancel_all),
            ("PATCH", True): HotRoute(_route_of(routes.amend_order), AmendOrderRequest, _amend),
            ("DELETE", True): HotRoute(_route_of(routes.cancel_order), None, _cancel),
            ("GET", True): HotRoute(_route_of(routes.get_order), None, _get),
        }
        self.hot = hot

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(ORDERS) or scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        order_id = 0
        if path != ORDERS:
            match = _ORDER_ID.fullmatch(path)
            if match is None or (order_id := int(match.group(1))) > _MAX_ID:
                await self.app(scope, receive, send)
                return
        hot = self.hot.get((scope["method"], order_id != 0))
        if hot is None:
            await self.app(scope, receive, send)
            return
        body: Any = None
        if hot.body is not None:
            raw = await _read(receive)
            if raw is None:
                return  # the client went away
            receive = replay_body(raw, receive)
            body = _valid_body(scope, raw, hot.body)
            if body is None:
                await self.app(scope, receive, send)
                return
        scope["route"] = hot.route
        scope["endpoint"] = hot.route.endpoint
        if order_id:
            scope["path_params"] = {"order_id": str(order_id)}
        request = Request(scope, receive)
        try:
            response = await hot.call(request, body, order_id)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise
            answer = handler(request, exc)
            response = await answer if inspect.isawaitable(answer) else answer
        await response(scope, receive, send)

    def _handler(self, exc: Exception) -> Callable[[Request, Exception], Any] | None:
        """The app's handler for ``exc``, found as Starlette's exception middleware does."""
        handlers = self.fastapi.exception_handlers
        if isinstance(exc, HTTPException) and exc.status_code in handlers:
            by_status: Callable[[Request, Exception], Any] = handlers[exc.status_code]
            return by_status
        for cls in type(exc).__mro__:
            if cls in handlers:
                by_class: Callable[[Request, Exception], Any] = handlers[cls]
                return by_class
        return None


def _valid_body(scope: Scope, raw: bytes, model: type[BaseModel]) -> BaseModel | None:
    """The body as ``model`` when FastAPI would accept it the same way, else None."""
    if not raw or not _is_json(scope):
        return None
    try:
        return model.model_validate(json.loads(raw))
    except (ValueError, ValidationError):  # JSONDecodeError and UnicodeError are ValueErrors
        return None


def _is_json(scope: Scope) -> bool:
    """Whether FastAPI reads this request's body as JSON (``application/json`` or
    ``application/*+json``; a missing content type is not JSON for FastAPI)."""
    content_type = None
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = value.decode("latin-1")
            break
    if content_type is None:
        return False
    if content_type == "application/json":
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def _read(receive: Receive) -> bytes | None:
    """The whole request body; None if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)
