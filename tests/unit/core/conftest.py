"""A small exchange with two symbols and three funded accounts."""

from __future__ import annotations

import pytest

from aurex.core import Exchange
from aurex.core.commands import AddSymbol, Deposit
from tests.unit.core.desk import Desk


@pytest.fixture
def desk() -> Desk:
    d = Desk(Exchange())
    d.do(
        AddSymbol(
            symbol="ACME",
            name="Acme Corp",
            reference_price_ticks=10_000,
            shares_outstanding=1_000_000,
            tick_size_ticks=5,
        )
    )
    d.do(
        AddSymbol(
            symbol="LOTS",
            name="Lots Inc",
            reference_price_ticks=2_000,
            shares_outstanding=500_000,
            lot_size=100,
        )
    )
    for account in ("alice", "bob", "carol"):
        d.do(Deposit(account=account, cash_cents=100_000_000))
        d.do(Deposit(account=account, symbol="ACME", shares=10_000))
        d.do(Deposit(account=account, symbol="LOTS", shares=10_000))
    return d
