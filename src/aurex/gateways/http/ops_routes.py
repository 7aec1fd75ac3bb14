"""``/healthz``, ``/readyz`` and ``/metrics`` for operators and load balancers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest


@dataclass(slots=True, frozen=True)
class Probes:
    """Read-only views of the running exchange, supplied by bootstrap."""

    accepting: Callable[[], bool]
    last_seq: Callable[[], int]
    durable_seq: Callable[[], int]
    projector_lag: Callable[[], int]


def ops_router(probes: Probes, max_projector_lag: int = 100_000) -> APIRouter:
    """Liveness, readiness (engine accepting, database not far behind) and metrics."""
    router = APIRouter(tags=["operations"])
    registry = CollectorRegistry()
    for name, doc, read in (
        ("aurex_last_seq", "Sequence number of the last applied command", probes.last_seq),
        ("aurex_durable_seq", "Sequence number of the last fsynced command", probes.durable_seq),
        ("aurex_projector_lag", "Commands not yet in the database", probes.projector_lag),
    ):
        Gauge(name, doc, registry=registry).set_function(read)

    @router.api_route("/healthz", methods=["GET", "HEAD"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.api_route("/readyz", methods=["GET", "HEAD"])
    async def readyz() -> JSONResponse:
        lag = probes.projector_lag()
        ready = probes.accepting() and lag <= max_projector_lag
        body = {"ready": ready, "durableSeq": probes.durable_seq(), "projectorLag": lag}
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
