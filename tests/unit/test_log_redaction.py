"""Log records never carry a secret: secret-named fields, JWTs and passwords in URLs
are masked wherever they appear, however often the same field name is logged."""

from __future__ import annotations

import io
import json
import logging

import structlog

from aurex.logs import configure_logging

JWT = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJlLWJ5dGVz"


def test_secrets_are_masked_in_fields_text_and_nested_values() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = configure_logging("INFO", "json", stream)
        log = structlog.get_logger("aurex.test.redaction")
        for _ in range(3):  # field names are remembered; masking must not change
            log.info(
                "connect",
                url="postgresql://aurex:hunter2@db:5432/aurex",
                note=f"header was Bearer {JWT} from ws://host",
                nested={"Api_Key": "k1", "items": [JWT, "plain"]},
                trading_token="t0k3n",
                route="/api/trading/orders",
            )
        handler.close()  # writes what it holds
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        structlog.reset_defaults()
    text = stream.getvalue()
    assert "hunter2" not in text and JWT not in text and "t0k3n" not in text and "k1" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 3
    for line in lines:
        assert line["url"] == "postgresql://aurex:***@db:5432/aurex"
        assert line["note"] == "header was Bearer *** from ws://host"
        assert line["nested"] == {"Api_Key": "***", "items": ["***", "plain"]}
        assert line["trading_token"] == "***" and line["route"] == "/api/trading/orders"
