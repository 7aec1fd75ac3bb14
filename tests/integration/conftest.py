"""Session-scoped fixtures giving tests real, throwaway PostgreSQL, Redis and SMTP servers.

See ``services.py`` for what each fixture yields. A missing binary skips the test,
or fails it when ``AUREX_REQUIRE_SERVICES=1``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import NoReturn, Protocol, TypeVar

import pytest

from .services import PostgresServer, RedisServer, ServiceUnavailable, SmtpServer


class _Server(Protocol):
    def start(self) -> None: ...
    def stop(self) -> None: ...


S = TypeVar("S", bound=_Server)


def services_required() -> bool:
    return os.environ.get("AUREX_REQUIRE_SERVICES", "") == "1"


def unavailable(what: str, why: str) -> NoReturn:
    message = f"{what} unavailable: {why}"
    if services_required():
        pytest.fail(f"{message} (AUREX_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@contextlib.contextmanager
def running(what: str, make: Callable[[], S]) -> Iterator[S]:
    """Start a server for the duration of the block; skip/fail if it cannot exist here."""
    try:
        server = make()
    except ServiceUnavailable as exc:
        unavailable(what, str(exc))
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with running("PostgreSQL", PostgresServer) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    return postgres_server.url("aurex")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with running("Redis", RedisServer) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    return redis_server.url


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with running("SMTP server", SmtpServer) as server:
        yield server
