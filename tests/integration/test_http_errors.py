"""Every HTTP answer of the gateway: the {code, message} error shape for each kind of
failure, and the security headers on every response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from .test_http_harness import Harness, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


def assert_security_headers(response: httpx.Response) -> None:
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"


async def test_every_kind_of_response_carries_the_security_headers(h: Harness) -> None:
    await h.signup("ada@example.com")
    responses = [
        await h.login("ada@example.com"),
        await h.client.get("/api/account"),
        await h.client.get("/api/nowhere"),
        await h.client.post("/api/auth/login", json={}),
        await h.client.get("/openapi.json"),
        await h.client.get("/docs"),
    ]
    for response in responses:
        assert_security_headers(response)
    assert responses[0].headers["Cache-Control"] == "no-store"


async def test_unknown_route_and_wrong_method_use_the_error_shape(h: Harness) -> None:
    missing = await h.client.get("/api/nowhere")
    assert missing.status_code == 404 and missing.json() == {"code": 1041, "message": "Not Found"}
    method = await h.client.get("/api/auth/login")
    assert method.status_code == 405 and method.json()["code"] == 1043


async def test_validation_errors_name_every_bad_field(h: Harness) -> None:
    response = await h.client.post("/api/auth/login", json={"email": 5})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message"} and body["code"] == 1000
    assert "email" in body["message"] and "password: Field required" in body["message"]


async def test_oversized_inputs_are_refused_before_any_work(h: Harness) -> None:
    response = await h.client.post(
        "/api/auth/login", json={"email": "a@example.com", "password": "x" * 5000}
    )
    assert response.status_code == 422 and response.json()["code"] == 1000


async def test_unexpected_errors_answer_500_in_the_error_shape(h: Harness) -> None:
    class Broken:
        async def get_by_email(self, email: str) -> None:
            raise RuntimeError("database on fire")

    h.auth.login._users = Broken()  # type: ignore[assignment]
    response = await h.client.post(
        "/api/auth/login", json={"email": "a@example.com", "password": "Str0ng!Passw0rd"}
    )
    assert response.status_code == 500
    assert response.json() == {"code": 1099, "message": "internal error"}
    assert "fire" not in response.text
    assert_security_headers(response)


async def test_openapi_documents_the_spec_field_names(h: Harness) -> None:
    schema = (await h.client.get("/openapi.json")).json()
    components = schema["components"]["schemas"]
    assert set(components["SignupRequest"]["properties"]) == {
        "email", "password", "firstName", "lastName", "country",
    }  # fmt: skip
    assert set(components["TokensResponse"]["properties"]) == {
        "success", "sessionToken", "tradingToken", "expiresIn", "tradingExpiresIn",
    }  # fmt: skip
    assert set(components["LoginResponse"]["properties"]) == {
        "success", "requiresTwoFactor", "twoFactorType",
    }  # fmt: skip
