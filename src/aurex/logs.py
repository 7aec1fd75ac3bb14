"""Structured logs: one JSON object per line, with request ids and no secrets.

``configure_logging`` routes both ``structlog`` and standard ``logging`` records
through one handler on stderr, which writes them in batches (``aurex.log_writer``).
Every record gets a time, level and logger name, the fields bound for the current
request (``request_id``, ``order_id`` ...), and passes :func:`redact`, which masks
values of secret-looking fields and anything shaped like a JWT wherever it appears.
Warnings and errors are rate-limited by ``aurex.log_throttle`` so a flood cannot
fill the disk.
"""

from __future__ import annotations

import functools
import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from structlog.types import EventDict, Processor, WrappedLogger

from aurex.log_throttle import LogThrottle
from aurex.log_writer import BatchingStreamHandler

MASK = "***"
SECRET_KEYS = re.compile(
    r"pass(word|wd|phrase)?|secret|token|authorization|cookie|otp|totp|code_?value|"
    r"backup_?codes?|verification_?code|login_?code|email_?code|api_?key|private_?key|csrf",
    re.IGNORECASE,
)
"""Field names whose values are never written (``code`` alone is a rejection code)."""
JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}")
URL_PASSWORD = re.compile(r"(\w+://[^:/@\s]*:)[^@\s]+@")

_fields: ContextVar[dict[str, Any] | None] = ContextVar("aurex_log_fields", default=None)


def bind(**fields: Any) -> None:
    """Add ``fields`` to every record logged for the current request (or task).

    The fields live in a dict shared by the request's whole call tree, so a route
    handler can add an ``order_id`` that the request's summary line then shows.
    """
    current = _fields.get()
    if current is None:
        _fields.set(dict(fields))
    else:
        current.update(fields)


def start_context(**fields: Any) -> dict[str, Any]:
    """Begin a fresh set of fields (a new request); returns it for the caller to read."""
    fresh = dict(fields)
    _fields.set(fresh)
    return fresh


def bound_fields() -> Mapping[str, Any]:
    return _fields.get() or {}


def _add_fields(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    for key, value in bound_fields().items():
        event.setdefault(key, value)
    return event


def redact(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """Mask secret-looking fields and JWT- or password-in-URL-shaped text anywhere."""
    _clean(event)
    return event


def _clean(mapping: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in list(mapping.items()):
        if key != "event" and _secret_key(key):
            mapping[key] = MASK
        else:
            mapping[key] = _clean_value(value)
    return mapping


@functools.lru_cache(maxsize=1024)
def _secret_key(key: str) -> bool:
    """Whether a field name looks secret (field names repeat: the answer is remembered)."""
    return SECRET_KEYS.search(key) is not None


def _clean_value(value: Any) -> Any:
    if isinstance(value, str):
        # Both patterns need a literal ("eyJ", "://"): most text is spared the regexes.
        if "eyJ" in value:
            value = JWT.sub(MASK, value)
        if "://" in value:
            value = URL_PASSWORD.sub(rf"\1{MASK}@", value)
        return value
    if isinstance(value, dict):
        return _clean(dict(value))
    if isinstance(value, (list, tuple)):
        return [_clean_value(v) for v in value]
    return value


def _shared_processors() -> list[Processor]:
    return [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
        _add_fields,
    ]


def configure_logging(
    level: str = "INFO", fmt: str = "json", stream: TextIO | None = None
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as JSON lines (``fmt="json"``) or
    readable text (``"console"``), at ``level`` and up; returns the handler."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_shared_processors(), structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )
    handler = BatchingStreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.addFilter(LogThrottle())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
        if isinstance(old, BatchingStreamHandler):
            old.close()
    root.addHandler(handler)
    root.setLevel(level.upper())
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return handler
