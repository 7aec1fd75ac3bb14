"""Schemathesis over the whole OpenAPI of a real ``aurex serve``-style server.

The platform is built through ``bootstrap`` and serves HTTP on a free port from a
thread of its own; Schemathesis generates requests for every operation (valid and
invalid ones) and sends them over the socket, authenticated as a real trader who
signed up and logged in with the e-mailed code (access token plus trading token,
so order entry is exercised too). Admin routes use an administrator's tokens; the
operations that end sessions use fresh sessions of a third user so the others stay
logged in. Every answer must be no 5xx, have a documented status, content type and
headers, and match its documented schema.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aurex.auth.mail import MaildirMailer
from aurex.auth.ports import Role
from aurex.bootstrap import Adapters, Platform
from aurex.config import Settings
from aurex.core.commands import Deposit

from .test_http_harness import PASSWORD, Inbox

T = TypeVar("T")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
SESSION_ENDING = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/password"),
    ("DELETE", "/api/auth/sessions"),
    ("DELETE", "/api/auth/sessions/{session_id}"),
}
EXAMPLES_PER_OPERATION = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """The platform serving HTTP on a socket, its event loop on a background thread."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.inbox = Inbox(data_dir / "mail", None)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        settings = Settings(data_dir=data_dir, host="127.0.0.1", http_port=self.port)
        self.platform = Platform(
            settings, Adapters(mailer=MaildirMailer(data_dir / "mail"), public_url=self.url)
        )
        self.trader: dict[str, str] = {}
        self.admin: dict[str, str] = {}
        self.spare_id = ""
        self.statuses: dict[str, set[int]] = {}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def start(self) -> None:
        self.thread.start()
        self.run(self.platform.start(serve_http=True))
        with httpx.Client(base_url=self.url) as client:
            trader_id = self._signup(client, "trader@example.com")
            self.trader = self._login(client, "trader@example.com")
            self.run(
                self.platform.engine.submit(
                    Deposit(account=trader_id, symbol="AAPL", shares=10_000)
                )
            )
            self.spare_id = self._signup(client, "spare@example.com")
            self.run(
                self.platform.auth.signup.create_user(
                    "admin@example.com",
                    PASSWORD,
                    "Ada",
                    "Admin",
                    "GB",
                    role=Role.ADMIN,
                    email_verified=True,
                )
            )
            self.admin = self._login(client, "admin@example.com")

    def stop(self) -> None:
        try:
            self.run(self.platform.stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=30)
            self.loop.close()

    def _signup(self, client: httpx.Client, email: str) -> str:
        body = {"email": email, "password": PASSWORD, "firstName": "T", "lastName": "R"}
        response = client.post("/api/auth/signup", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["userId"])

    def _login(self, client: httpx.Client, email: str) -> dict[str, str]:
        started = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert started.status_code == 200, started.text
        code = self.inbox.latest_code(email)
        finished = client.post("/api/auth/verify-2fa", json={"email": email, "code": code})
        assert finished.status_code == 200, finished.text
        tokens = finished.json()
        return {
            "Authorization": f"Bearer {tokens['sessionToken']}",
            "X-Trading-Token": tokens["tradingToken"],
        }

    def fresh_spare_session(self) -> dict[str, str]:
        """A new session of the spare user, for operations that end sessions."""
        auth = self.platform.auth

        async def open_session() -> dict[str, str]:
            user = await auth.users.get(self.spare_id)
            assert user is not None
            tokens = await auth.sessions.open(user, "127.0.0.1", "schemathesis")
            return {
                "Authorization": f"Bearer {tokens.session_token}",
                "X-Trading-Token": tokens.trading_token,
            }

        return self.run(open_session())

    def headers_for(self, method: str, path: str) -> dict[str, str]:
        if (method, path) in SESSION_ENDING:
            return self.fresh_spare_session()
        if path.startswith("/api/admin"):
            return self.admin
        return self.trader


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("schemathesis"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def _check_operation(live: LiveServer, operation: Any, mode: GenerationMode) -> None:
    method, path = operation.method.upper(), operation.path

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def check(case: Any) -> None:
        headers = {**live.headers_for(method, path), **(case.headers or {})}
        response = case.call(base_url=live.url, headers=headers)
        live.statuses.setdefault(f"{method} {path}", set()).add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    try:
        check()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise  # else every input is valid (e.g. a free-form path segment): nothing to send


def test_every_operation_answers_as_documented(live: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    assert any(op.path == "/api/trading/orders" and op.method == "post" for op in operations)
    failures: list[str] = []
    for operation in operations:
        has_inputs = any(True for _ in operation.iter_parameters()) or bool(operation.body)
        modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if has_inputs else [])]
        for mode in modes:
            try:
                _check_operation(live, operation, mode)
            except (Exception, BaseExceptionGroup) as exc:  # collect all, then fail once
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode.value}):\n{exc}"
                )
    assert not failures, "\n\n".join(failures)
    # authenticated for real: orders were placed and read back, not just refused
    assert 201 in live.statuses["POST /api/trading/orders"], live.statuses
    assert 200 in live.statuses["GET /api/trading/orders"], live.statuses
    assert 200 in live.statuses["GET /api/account"], live.statuses
