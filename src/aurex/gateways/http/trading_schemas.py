"""Request bodies and documented answers of ``/api/trading``.

Requests are validated here (types, ranges, price syntax); the answers are built by
``aurex.gateways.wire`` and these models only describe them in the OpenAPI (the
Schemathesis test checks that every answer matches its model).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt
from pydantic.alias_generators import to_camel

from aurex.gateways import wire

MAX_QUANTITY = 10**12
PRICE_PATTERN = r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,2})?$"


def _check_price(text: str) -> str:
    wire.parse_price(text)  # PriceFormatError (a ValueError) names the problem
    return text


PriceText = Annotated[
    str,
    Field(
        max_length=16,
        description="Decimal string with at most two decimals, e.g. '234.50'",
        examples=["234.50"],
        json_schema_extra={"pattern": PRICE_PATTERN},
    ),
    AfterValidator(_check_price),
]
Side = Literal["buy", "sell"]
OrderTypeName = Literal["market", "limit", "stop", "stop_limit"]
TimeInForceName = Literal["gtc", "day", "ioc", "fok"]
StpName = Literal["cancel_newest", "cancel_oldest", "cancel_both"]
StatusName = Literal[
    "new", "partially_filled", "filled", "cancelled", "expired", "pending_trigger", "rejected"
]
CancelReasonName = Literal[
    "user_requested",
    "cancel_all",
    "ioc_remainder",
    "fok_not_fillable",
    "market_collar",
    "no_liquidity",
    "self_trade",
    "admin",
]


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Input(Model):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


# ------------------------------------------------------------------------- requests


class PlaceOrderRequest(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "clientOrderId": "my-order-1",
                    "symbol": "AAPL",
                    "side": "buy",
                    "type": "limit",
                    "timeInForce": "gtc",
                    "quantity": 10,
                    "price": "234.50",
                }
            ]
        }
    )

    client_order_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=64,
            description="Your id: unique among your open orders; repeating it is a safe retry",
            examples=["my-order-1"],
        ),
    ]
    symbol: Annotated[str, Field(min_length=1, max_length=16, examples=["AAPL"])]
    side: Side
    type: OrderTypeName
    time_in_force: TimeInForceName | None = Field(
        default=None, description="Default gtc; ioc for market orders"
    )
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY, examples=[10])]
    price: PriceText | None = Field(default=None, description="Limit price (limit, stop_limit)")
    stop_price: PriceText | None = Field(default=None, description="Trigger (stop, stop_limit)")
    post_only: StrictBool = False
    self_trade_prevention: StpName = "cancel_newest"


class AmendOrderRequest(Input):
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)] | None = Field(
        default=None, description="The new total quantity (filled shares included)"
    )
    price: PriceText | None = None


# ------------------------------------------------------------------------ responses


class Order(Model):
    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    type: OrderTypeName
    time_in_force: TimeInForceName
    post_only: bool
    quantity: int
    price: str | None
    stop_price: str | None
    status: StatusName
    filled_quantity: int
    leaves_quantity: int
    average_price: str | None = Field(description="Exact average fill price, four decimals")
    cancel_reason: CancelReasonName | None
    reject_code: int | None
    reject_reason: str | None
    created_at: int = Field(description="Milliseconds since the epoch")
    updated_at: int


class Fill(Model):
    trade_id: int
    order_id: int
    client_order_id: str
    symbol: str
    side: Side
    price: str
    quantity: int
    liquidity: Literal["maker", "taker"]
    order_filled_quantity: int
    order_leaves_quantity: int
    timestamp: int


class OrderWithFills(Model):
    order: Order
    fills: list[Fill]


class OrderAnswer(Model):
    order: Order


class OrderPage(Model):
    orders: list[Order]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page")


class CancelledOrders(Model):
    cancelled: list[Order]


class FillPage(Model):
    fills: list[Fill]
    next_cursor: str | None
