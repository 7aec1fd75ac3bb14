"""Bodies and answers of the market-administration routes under ``/api/admin``.

Prices are decimal strings (``"585.00"``), like everywhere in the API; integer
bounds keep every value inside what the journal can store.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from aurex.gateways.http.trading_schemas import Input, Model

BIG = 10**15
PriceText = Annotated[str, Field(min_length=1, max_length=20, examples=["585.00"])]


class ReferencePriceRequest(Input):
    reference_price: PriceText
    price_band_bps: Annotated[StrictInt, Field(ge=1, le=9_999)] | None = None
    """Width of the band on each side, in basis points; omitted keeps the current band."""


class ListSymbolRequest(Input):
    symbol: Annotated[str, Field(min_length=1, max_length=10, examples=["IBM"])]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    reference_price: PriceText
    shares_outstanding: Annotated[StrictInt, Field(ge=1, le=BIG)]
    tick_size: PriceText = "0.01"
    lot_size: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = 1
    price_band_bps: Annotated[StrictInt, Field(ge=1, le=9_999)] = 2_000


class LimitsBody(Input):
    max_order_quantity: Annotated[StrictInt, Field(ge=1, le=BIG)]
    max_notional_cents: Annotated[StrictInt, Field(ge=1, le=BIG)]
    max_open_orders: Annotated[StrictInt, Field(ge=1, le=BIG)]
    max_orders_per_day: Annotated[StrictInt, Field(ge=1, le=BIG)]


class LimitsResponse(LimitsBody):
    user_id: str


class SharesRequest(Input):
    symbol: Annotated[str, Field(min_length=1, max_length=10)]
    shares: Annotated[StrictInt, Field(ge=1, le=BIG)]


class SharesResponse(Model):
    user_id: str
    symbol: str
    shares: int
    """The account's shares of ``symbol`` after the deposit."""


class DelistResponse(Model):
    symbol: str
    cancelled_orders: int


class EndOfDayResponse(Model):
    closing_prices: dict[str, str]
    expired_orders: int
