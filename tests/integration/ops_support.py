"""Helpers for the operations tests: users over real HTTP, and Prometheus scrapes."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from .serve_process import PASSWORD, latest_code

_ids = itertools.count(1)


@dataclass(frozen=True)
class User:
    user_id: str
    access: str
    trading: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}", "X-Trading-Token": self.trading}


def new_user(client: httpx.Client, mail_dir: Path, email: str) -> User:
    """Sign up, log in and pass the mailed second factor over HTTP."""
    signup = client.post(
        "/api/auth/signup",
        json={
            "email": email,
            "password": PASSWORD,
            "firstName": "Ops",
            "lastName": "Tester",
            "country": "US",
        },
    )
    assert signup.status_code == 201, signup.text
    login = client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    verified = client.post(
        "/api/auth/verify-2fa", json={"email": email, "code": latest_code(mail_dir)}
    )
    assert verified.status_code == 200, verified.text
    tokens = verified.json()
    return User(signup.json()["userId"], tokens["sessionToken"], tokens["tradingToken"])


def place(
    client: httpx.Client, user: User, headers: dict[str, str] | None = None, **fields: Any
) -> httpx.Response:
    body = {
        "clientOrderId": f"ops{next(_ids)}",
        "symbol": "AAPL",
        "side": "buy",
        "type": "limit",
        "quantity": 1,
        "price": "230.00",
        **fields,
    }
    return client.post(
        "/api/trading/orders", json=body, headers={**user.headers, **(headers or {})}
    )


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: httpx.Client, headers: dict[str, str] | None = None) -> Samples:
    """``/metrics`` parsed by prometheus_client: {(sample name, sorted labels): value}."""
    response = client.get("/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when absent: a labelled counter not yet incremented)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of every sample named ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= set(ls))


def names(samples: Samples) -> set[str]:
    return {re.sub(r"_(bucket|count|sum|total|created)$", "", n) for n, _ in samples}
