"""``aurex serve`` logs JSON lines with request and order ids, and never a secret:
not the password, the mailed code, the tokens, nor a password in a database URL."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import structlog

from aurex.logs import configure_logging

from .ops_support import new_user, place
from .serve_process import PASSWORD, free_port, latest_code, serve


def records(log_text: str) -> list[dict[str, Any]]:
    """Every log record; the few human lines ``aurex serve`` prints are not records."""
    found = []
    for line in log_text.splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))  # every record is one JSON object per line
    return found


def test_logs_are_json_with_request_and_order_ids_and_no_secrets(tmp_path: Path) -> None:
    env = {
        "AUREX_GRPC_PORT": str(free_port()),
        "AUREX_TCP_PORT": str(free_port()),
        "AUREX_LOG_REQUESTS": "all",
        "AUREX_METRICS_TOKEN": "metrics-secret-token",
    }
    with serve(tmp_path, env) as server, httpx.Client(base_url=server.url, timeout=10) as client:
        mail_dir = server.data_dir / "mail"
        user = new_user(client, mail_dir, "lou@example.com")
        code = latest_code(mail_dir)
        # Failures that carry secrets in their bodies.
        weak = client.post(
            "/api/auth/signup",
            json={
                "email": "weak@example.com",
                "password": "hunter2",
                "firstName": "W",
                "lastName": "K",
                "country": "US",
            },
        )
        assert weak.status_code in (400, 422)
        wrong = client.post(
            "/api/auth/login", json={"email": "lou@example.com", "password": PASSWORD + "x"}
        )
        assert wrong.status_code == 401
        client.post("/api/auth/login", json={"email": "lou@example.com", "password": PASSWORD})
        bad_code = client.post(
            "/api/auth/verify-2fa", json={"email": "lou@example.com", "code": "000000"}
        )
        assert bad_code.status_code in (400, 401)
        client.get("/metrics", headers={"Authorization": "Bearer metrics-secret-token"})

        placed = place(client, user, headers={"X-Request-ID": "trace-42"})
        assert placed.status_code == 201, placed.text
        assert placed.headers["x-request-id"] == "trace-42"
        order_id = placed.json()["order"]["orderId"]
        refused = place(client, user, price="999.00")
        assert refused.status_code == 422
        assert len(refused.headers["x-request-id"]) >= 8
    log_text = server.log_path.read_text()  # once stopped: a line may follow its answer

    logged = records(log_text)
    assert logged, log_text[-2000:]
    for record in logged:
        assert {"event", "level", "time", "logger"} <= record.keys(), record
    order_lines = [r for r in logged if r.get("request_id") == "trace-42"]
    assert any(r.get("order_id") == order_id and r["status"] == 201 for r in order_lines)
    assert any(r.get("reject_code") == 106 for r in logged)  # outside the price band
    assert all(r.get("route") != "/metrics" or "request_id" in r for r in logged)
    for secret in (
        PASSWORD,
        "hunter2",
        code,
        user.access,
        user.trading,
        user.access.split(".")[2],  # even a JWT's signature alone
        "metrics-secret-token",
    ):
        assert secret not in log_text, f"a secret was logged: {secret[:6]}..."


def test_a_flood_of_one_error_logs_a_few_masked_json_lines() -> None:
    """The JSON handler keeps the log throttle, and masks secret fields of plain records."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = configure_logging("INFO", "json", stream)
        log = logging.getLogger("aurex.test.flood")
        for attempt in range(500):
            log.error("database unreachable (attempt %d)", attempt, extra={"password": "pw1"})
        handler.close()  # writes what it holds
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        structlog.reset_defaults()
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert 1 <= len(lines) <= 20
    assert all(line["password"] == "***" for line in lines)
