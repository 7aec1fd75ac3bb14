"""Stable numeric codes for every business rejection, grouped by range.

1xx order validation, 2xx risk and limits, 3xx order management,
4xx administration. Numbers never change once published.
"""

from enum import IntEnum


class RejectCode(IntEnum):
    UNKNOWN_SYMBOL = 100
    SYMBOL_HALTED = 101
    INVALID_QUANTITY = 102
    QUANTITY_NOT_LOT_MULTIPLE = 103
    INVALID_PRICE = 104
    PRICE_OFF_TICK = 105
    PRICE_OUTSIDE_BAND = 106
    INVALID_STOP_PRICE = 107
    POST_ONLY_WOULD_CROSS = 108
    POST_ONLY_NOT_LIMIT = 109
    INVALID_TIME_IN_FORCE = 110
    INVALID_CLIENT_ORDER_ID = 111

    UNKNOWN_ACCOUNT = 200
    INSUFFICIENT_CASH = 201
    INSUFFICIENT_POSITION = 202
    MAX_ORDER_QUANTITY_EXCEEDED = 203
    MAX_NOTIONAL_EXCEEDED = 204
    MAX_OPEN_ORDERS_EXCEEDED = 205
    MAX_DAILY_ORDERS_EXCEEDED = 206

    UNKNOWN_ORDER = 300
    ORDER_NOT_AMENDABLE = 301
    AMEND_NO_CHANGE = 302
    AMEND_BELOW_FILLED = 303

    SYMBOL_EXISTS = 400
    INVALID_SYMBOL_SPEC = 401
    INVALID_AMOUNT = 402
    SYMBOL_ALREADY_HALTED = 403
    SYMBOL_NOT_HALTED = 404
    INVALID_LIMITS = 405
    INVALID_REFERENCE_PRICE = 406
    INVALID_PRICE_BAND = 407


REJECT_REASONS: dict[RejectCode, str] = {
    RejectCode.UNKNOWN_SYMBOL: "symbol is not listed",
    RejectCode.SYMBOL_HALTED: "trading in this symbol is halted",
    RejectCode.INVALID_QUANTITY: "quantity must be a positive whole number of shares",
    RejectCode.QUANTITY_NOT_LOT_MULTIPLE: "quantity must be a multiple of the lot size",
    RejectCode.INVALID_PRICE: "price must be positive for this order type",
    RejectCode.PRICE_OFF_TICK: "price is not a multiple of the tick size",
    RejectCode.PRICE_OUTSIDE_BAND: "price is outside the symbol's price band",
    RejectCode.INVALID_STOP_PRICE: "stop price must be positive, on the tick and not yet reached",
    RejectCode.POST_ONLY_WOULD_CROSS: "post-only order would trade on arrival",
    RejectCode.POST_ONLY_NOT_LIMIT: "post-only applies only to resting limit orders",
    RejectCode.INVALID_TIME_IN_FORCE: "time in force is not allowed for this order type",
    RejectCode.INVALID_CLIENT_ORDER_ID: "client order id must be 1-64 printable characters",
    RejectCode.UNKNOWN_ACCOUNT: "account does not exist",
    RejectCode.INSUFFICIENT_CASH: "not enough available cash",
    RejectCode.INSUFFICIENT_POSITION: "not enough available shares (short selling is not allowed)",
    RejectCode.MAX_ORDER_QUANTITY_EXCEEDED: "order quantity exceeds the account limit",
    RejectCode.MAX_NOTIONAL_EXCEEDED: "order value exceeds the account limit",
    RejectCode.MAX_OPEN_ORDERS_EXCEEDED: "too many open orders",
    RejectCode.MAX_DAILY_ORDERS_EXCEEDED: "daily order limit reached",
    RejectCode.UNKNOWN_ORDER: "no such open order for this account",
    RejectCode.ORDER_NOT_AMENDABLE: "only resting limit orders can be amended",
    RejectCode.AMEND_NO_CHANGE: "amendment changes nothing",
    RejectCode.AMEND_BELOW_FILLED: "new quantity must exceed the quantity already filled",
    RejectCode.SYMBOL_EXISTS: "symbol is already listed",
    RejectCode.INVALID_SYMBOL_SPEC: "symbol definition is invalid",
    RejectCode.INVALID_AMOUNT: "amount must be positive and within the available balance",
    RejectCode.SYMBOL_ALREADY_HALTED: "symbol is already halted",
    RejectCode.SYMBOL_NOT_HALTED: "symbol is not halted",
    RejectCode.INVALID_LIMITS: "limits must be positive",
    RejectCode.INVALID_REFERENCE_PRICE: "reference price must be positive and on the tick",
    RejectCode.INVALID_PRICE_BAND: "price band must be 1 to 9999 basis points",
}


def reason_for(code: RejectCode) -> str:
    """Human-readable text for a rejection code."""
    return REJECT_REASONS[code]
