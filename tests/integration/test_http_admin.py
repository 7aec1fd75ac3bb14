"""Roles over HTTP: admin-only routes refuse traders (403) and work for admins."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aurex.core.commands import Deposit, PlaceOrder
from aurex.core.events import OrderRejected
from aurex.core.model import OrderType, Side

from .test_http_harness import OPENING_CASH_CENTS, Harness, bearer, running_app


@pytest.fixture
async def h(tmp_path: Path) -> AsyncIterator[Harness]:
    async with running_app(tmp_path) as harness:
        yield harness


@pytest.fixture
async def trader(h: Harness) -> dict[str, str]:
    user_id = await h.signup("ada@example.com")
    tokens = await h.login_with_email_code("ada@example.com")
    return {"user_id": user_id, "token": tokens["sessionToken"]}


@pytest.fixture
async def admin(h: Harness) -> dict[str, str]:
    return {"token": (await h.make_admin("root@example.com"))["sessionToken"]}


ADMIN_CALLS = [
    ("GET", "/api/admin/users", None),
    ("GET", "/api/admin/audit", None),
    ("POST", "/api/admin/symbols/AAPL/halt", None),
    ("POST", "/api/admin/symbols/AAPL/resume", None),
    ("POST", "/api/admin/accounts/someone/credit", {"cashCents": 100}),
    ("PUT", "/api/admin/users/someone/role", {"role": "admin"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_traders_are_refused_admin_actions(
    h: Harness, trader: dict[str, str], method: str, path: str, body: object
) -> None:
    response = await h.client.request(method, path, json=body, headers=bearer(trader["token"]))
    assert response.status_code == 403
    assert response.json() == {"code": 1035, "message": "administrators only"}


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_routes_need_a_login(h: Harness, method: str, path: str, body: object) -> None:
    response = await h.client.request(method, path, json=body)
    assert response.status_code == 401 and response.json()["code"] == 1030


async def test_admin_lists_users(h: Harness, trader: dict[str, str], admin: dict[str, str]) -> None:
    response = await h.client.get("/api/admin/users", headers=bearer(admin["token"]))
    listed = {u["email"]: u for u in response.json()["users"]}
    assert set(listed) == {"ada@example.com", "root@example.com"}
    assert listed["ada@example.com"]["userId"] == trader["user_id"]
    assert listed["root@example.com"]["role"] == "admin"


async def test_admin_credits_an_account(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    path = f"/api/admin/accounts/{trader['user_id']}/credit"
    response = await h.client.post(path, json={"cashCents": 2_500}, headers=bearer(admin["token"]))
    assert response.status_code == 200
    assert response.json()["cashCents"] == OPENING_CASH_CENTS + 2_500
    account = await h.client.get("/api/account", headers=bearer(trader["token"]))
    assert account.json()["cashCents"] == OPENING_CASH_CENTS + 2_500
    for bad in (0, -5, 1.5, "100"):
        refused = await h.client.post(path, json={"cashCents": bad}, headers=bearer(admin["token"]))
        assert refused.status_code == 422, bad
    nobody = await h.client.post(
        "/api/admin/accounts/nobody/credit", json={"cashCents": 1}, headers=bearer(admin["token"])
    )
    assert nobody.status_code == 404 and nobody.json()["code"] == 1041


async def test_admin_halts_and_resumes_a_symbol(h: Harness, admin: dict[str, str]) -> None:
    headers = bearer(admin["token"])
    halted = await h.client.post("/api/admin/symbols/aapl/halt", headers=headers)
    assert halted.json() == {"success": True, "symbol": "AAPL", "halted": True}
    order = PlaceOrder(
        account="x", client_order_id="c1", symbol="AAPL", side=Side.BUY,
        order_type=OrderType.MARKET, quantity=1,
    )  # fmt: skip
    await h.submit(Deposit(account="x", cash_cents=10**8))
    outcome = await h.submit(order)
    event = outcome.events[0]
    assert isinstance(event, OrderRejected) and event.code == 101  # SYMBOL_HALTED
    twice = await h.client.post("/api/admin/symbols/AAPL/halt", headers=headers)
    assert twice.status_code == 409
    assert twice.json() == {"code": 403, "message": "symbol is already halted"}
    resumed = await h.client.post("/api/admin/symbols/AAPL/resume", headers=headers)
    assert resumed.json()["halted"] is False
    unknown = await h.client.post("/api/admin/symbols/NOPE/halt", headers=headers)
    assert unknown.status_code == 404 and unknown.json()["code"] == 100


async def test_role_change_takes_effect_by_ending_the_users_sessions(
    h: Harness, trader: dict[str, str], admin: dict[str, str]
) -> None:
    response = await h.client.put(
        f"/api/admin/users/{trader['user_id']}/role",
        json={"role": "admin"},
        headers=bearer(admin["token"]),
    )
    assert response.status_code == 200 and response.json()["role"] == "admin"
    old = await h.client.get("/api/admin/users", headers=bearer(trader["token"]))
    assert old.status_code == 401 and old.json()["code"] == 1033
    h.clock.advance(61)
    promoted = await h.login_with_email_code("ada@example.com")
    ok = await h.client.get("/api/admin/users", headers=bearer(promoted["sessionToken"]))
    assert ok.status_code == 200
