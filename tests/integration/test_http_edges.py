"""Edge inputs that used to crash or be refused wrongly: out-of-range paging, HEAD probes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from aurex.gateways.http import AppServices, create_app
from aurex.gateways.http.ops_routes import Probes, ops_router

from .test_http_harness import BASE_URL, Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


@pytest.mark.parametrize(
    "params",
    [
        {"offset": "9223372036854775808"},
        {"offset": "9223372036854775807"},
        {"offset": str(10**40)},
        {"offset": "-1"},
        {"limit": "9223372036854775808"},
        {"limit": "0"},
    ],
)
async def test_out_of_range_paging_is_a_validation_error_not_a_500(
    h: Harness, params: dict[str, str]
) -> None:
    admin = await h.make_admin("root@example.com")
    response = await h.client.get(
        "/api/admin/users", params=params, headers=bearer(admin["sessionToken"])
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == 1000


async def test_the_largest_accepted_offset_answers_an_empty_page(h: Harness) -> None:
    admin = await h.make_admin("root@example.com")
    response = await h.client.get(
        "/api/admin/users", params={"offset": 10**9}, headers=bearer(admin["sessionToken"])
    )
    assert response.status_code == 200 and response.json()["users"] == []


async def test_health_and_readiness_answer_head_requests(h: Harness) -> None:
    probes = Probes(
        accepting=lambda: True, last_seq=lambda: 7, durable_seq=lambda: 7, projector_lag=lambda: 0
    )
    app = create_app(AppServices(auth=h.auth, routers=(ops_router(probes),)))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=BASE_URL
    ) as client:
        for path in ("/healthz", "/readyz"):
            head = await client.head(path)
            assert head.status_code == 200, (path, head.text)
            assert head.content == b""
            assert (await client.get(path)).status_code == 200
