"""Logged-in traders for the REST trading and market-data tests."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx

from aurex.core.commands import Deposit

from .test_http_harness import Harness

_ids = itertools.count(1)


@dataclass
class Trader:
    h: Harness
    user_id: str
    access: str
    trading: str

    @property
    def headers(self) -> dict[str, str]:
        """Access token and trading token: what order entry needs."""
        return {"Authorization": f"Bearer {self.access}", "X-Trading-Token": self.trading}

    @property
    def read_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}

    async def place(self, **fields: Any) -> httpx.Response:
        body = {"clientOrderId": f"c{next(_ids)}", "side": "buy", "type": "limit", **fields}
        body.setdefault("symbol", "AAPL")
        return await self.h.client.post("/api/trading/orders", json=body, headers=self.headers)

    async def placed(self, **fields: Any) -> dict[str, Any]:
        """Place and expect a new order; returns ``{"order", "fills"}``."""
        response = await self.place(**fields)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.h.client.get(path, params=params, headers=self.read_headers)

    async def open_orders(self) -> list[dict[str, Any]]:
        response = await self.get("/api/trading/orders", status="open")
        assert response.status_code == 200, response.text
        return list(response.json()["orders"])

    async def cash(self) -> dict[str, Any]:
        response = await self.h.client.get("/api/account", headers=self.read_headers)
        assert response.status_code == 200, response.text
        return {k: response.json()[k] for k in ("cashCents", "cashHeldCents")}


async def trader(h: Harness, email: str, shares: dict[str, int] | None = None) -> Trader:
    """A user who signed up and logged in (e-mail code), with ``shares`` to sell."""
    user_id = await h.signup(email)
    tokens = await h.login_with_email_code(email)
    for symbol, count in (shares or {}).items():
        outcome = await h.submit(Deposit(account=user_id, symbol=symbol, shares=count))
        assert outcome.rejection is None
    return Trader(h, user_id, tokens["sessionToken"], tokens["tradingToken"])
