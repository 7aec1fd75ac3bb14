"""``/healthz``, ``/readyz`` and ``/metrics`` for operators and load balancers.

Both probes run the dependency checks bootstrap supplies (database, session
stores, journal: ``aurex.health``) and answer 503 naming what failed. Checks run
at most once a second however often the probes are called, each bounded in time.
``/metrics`` is the Prometheus exposition of ``aurex.metrics`` (plus the checks'
verdicts), behind a bearer token when ``AUREX_METRICS_TOKEN`` is set.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from aurex.auth.errors import AuthCode
from aurex.metrics import Metrics


@dataclass(slots=True, frozen=True)
class Probes:
    """Read-only views of the running exchange, supplied by bootstrap."""

    accepting: Callable[[], bool]
    last_seq: Callable[[], int]
    durable_seq: Callable[[], int]
    projector_lag: Callable[[], int]
    checks: Mapping[str, Callable[[], Awaitable[None]]] = field(default_factory=dict)


CHECK_TIMEOUT_S = 2.0
CHECK_CACHE_S = 1.0


class HealthChecks:
    """Runs the checks concurrently, each with a timeout, and caches the verdict briefly."""

    def __init__(self, checks: Mapping[str, Callable[[], Awaitable[None]]]) -> None:
        self._checks = dict(checks)
        self._lock = asyncio.Lock()
        self._result: dict[str, str] = {}
        self._at = -CHECK_CACHE_S

    async def results(self) -> dict[str, str]:
        """``{name: "ok" | reason}`` for every check."""
        async with self._lock:
            if time.monotonic() - self._at >= CHECK_CACHE_S:
                names = list(self._checks)
                outcomes = await asyncio.gather(*(self._run(n) for n in names))
                self._result = dict(zip(names, outcomes, strict=True))
                self._at = time.monotonic()
            return dict(self._result)

    async def _run(self, name: str) -> str:
        try:
            await asyncio.wait_for(self._checks[name](), CHECK_TIMEOUT_S)
        except TimeoutError:
            return f"no answer within {CHECK_TIMEOUT_S:g} s"
        except Exception as exc:
            return _reason(exc)
        return "ok"


def _reason(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:300]


def ops_router(
    probes: Probes,
    max_projector_lag: int = 100_000,
    metrics: Metrics | None = None,
    metrics_token: str = "",
) -> APIRouter:
    """Liveness and dependencies, readiness (also engine accepting, database not far
    behind) and metrics (``metrics``' registry; only with ``metrics_token`` if set)."""
    router = APIRouter(tags=["operations"])
    health = HealthChecks(probes.checks)
    metrics = metrics or Metrics()
    for name, doc, read in (
        ("aurex_last_seq", "Sequence number of the last applied command", probes.last_seq),
        ("aurex_durable_seq", "Sequence number of the last fsynced command", probes.durable_seq),
        ("aurex_projector_lag", "Commands not yet in the database", probes.projector_lag),
        ("aurex_engine_accepting", "1 while the engine accepts commands", probes.accepting),
    ):
        metrics.gauge(name, doc, read)
    expected = f"Bearer {metrics_token}".encode()

    @router.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz() -> JSONResponse:
        checks = await health.results()
        ok = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if ok else "failing", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.api_route("/readyz", methods=["GET", "HEAD"])
    async def readyz() -> JSONResponse:
        checks = await health.results()
        lag = probes.projector_lag()
        ready = (
            probes.accepting()
            and lag <= max_projector_lag
            and all(v == "ok" for v in checks.values())
        )
        body = {
            "ready": ready,
            "durableSeq": probes.durable_seq(),
            "projectorLag": lag,
            "checks": checks,
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def prometheus_metrics(request: Request) -> Response:
        if metrics_token:
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return JSONResponse(
                    {
                        "code": int(AuthCode.NOT_AUTHENTICATED),
                        "message": "a valid metrics token is required",
                    },
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        metrics.set_dependencies(await health.results())
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
