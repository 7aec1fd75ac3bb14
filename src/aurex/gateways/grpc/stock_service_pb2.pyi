from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OrderSide(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIDE_UNSPECIFIED: _ClassVar[OrderSide]
    BUY: _ClassVar[OrderSide]
    SELL: _ClassVar[OrderSide]

class OrderType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TYPE_UNSPECIFIED: _ClassVar[OrderType]
    MARKET: _ClassVar[OrderType]
    LIMIT: _ClassVar[OrderType]
    IOC: _ClassVar[OrderType]
    FOK: _ClassVar[OrderType]
    STOP: _ClassVar[OrderType]
    STOP_LIMIT: _ClassVar[OrderType]

class TimeInForce(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TIME_IN_FORCE_UNSPECIFIED: _ClassVar[TimeInForce]
    TIME_IN_FORCE_GTC: _ClassVar[TimeInForce]
    TIME_IN_FORCE_DAY: _ClassVar[TimeInForce]
    TIME_IN_FORCE_IOC: _ClassVar[TimeInForce]
    TIME_IN_FORCE_FOK: _ClassVar[TimeInForce]

class OrderStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STATUS_UNSPECIFIED: _ClassVar[OrderStatus]
    NEW: _ClassVar[OrderStatus]
    PARTIALLY_FILLED: _ClassVar[OrderStatus]
    FILLED: _ClassVar[OrderStatus]
    CANCELLED: _ClassVar[OrderStatus]
    EXPIRED: _ClassVar[OrderStatus]
    PENDING_TRIGGER: _ClassVar[OrderStatus]
    REJECTED: _ClassVar[OrderStatus]

class SelfTradePrevention(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CANCEL_NEWEST: _ClassVar[SelfTradePrevention]
    CANCEL_OLDEST: _ClassVar[SelfTradePrevention]
    CANCEL_BOTH: _ClassVar[SelfTradePrevention]
SIDE_UNSPECIFIED: OrderSide
BUY: OrderSide
SELL: OrderSide
TYPE_UNSPECIFIED: OrderType
MARKET: OrderType
LIMIT: OrderType
IOC: OrderType
FOK: OrderType
STOP: OrderType
STOP_LIMIT: OrderType
TIME_IN_FORCE_UNSPECIFIED: TimeInForce
TIME_IN_FORCE_GTC: TimeInForce
TIME_IN_FORCE_DAY: TimeInForce
TIME_IN_FORCE_IOC: TimeInForce
TIME_IN_FORCE_FOK: TimeInForce
STATUS_UNSPECIFIED: OrderStatus
NEW: OrderStatus
PARTIALLY_FILLED: OrderStatus
FILLED: OrderStatus
CANCELLED: OrderStatus
EXPIRED: OrderStatus
PENDING_TRIGGER: OrderStatus
REJECTED: OrderStatus
CANCEL_NEWEST: SelfTradePrevention
CANCEL_OLDEST: SelfTradePrevention
CANCEL_BOTH: SelfTradePrevention

class OrderRequest(_message.Message):
    __slots__ = ("order_id", "user_id", "symbol", "side", "type", "quantity", "price", "price_ticks", "stop_price", "stop_price_ticks", "time_in_force", "post_only", "self_trade_prevention")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    STOP_PRICE_FIELD_NUMBER: _ClassVar[int]
    STOP_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    TIME_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    POST_ONLY_FIELD_NUMBER: _ClassVar[int]
    SELF_TRADE_PREVENTION_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    symbol: str
    side: OrderSide
    type: OrderType
    quantity: int
    price: float
    price_ticks: int
    stop_price: float
    stop_price_ticks: int
    time_in_force: TimeInForce
    post_only: bool
    self_trade_prevention: SelfTradePrevention
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[OrderSide, str]] = ..., type: _Optional[_Union[OrderType, str]] = ..., quantity: _Optional[int] = ..., price: _Optional[float] = ..., price_ticks: _Optional[int] = ..., stop_price: _Optional[float] = ..., stop_price_ticks: _Optional[int] = ..., time_in_force: _Optional[_Union[TimeInForce, str]] = ..., post_only: _Optional[bool] = ..., self_trade_prevention: _Optional[_Union[SelfTradePrevention, str]] = ...) -> None: ...

class OrderResponse(_message.Message):
    __slots__ = ("order_id", "status", "message", "filled_quantity", "avg_fill_price", "client_order_id", "code", "avg_fill_price_exact", "order", "fills", "duplicate", "request_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FILLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AVG_FILL_PRICE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    AVG_FILL_PRICE_EXACT_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    FILLS_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: OrderStatus
    message: str
    filled_quantity: int
    avg_fill_price: float
    client_order_id: str
    code: int
    avg_fill_price_exact: str
    order: Order
    fills: _containers.RepeatedCompositeFieldContainer[Fill]
    duplicate: bool
    request_id: int
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., message: _Optional[str] = ..., filled_quantity: _Optional[int] = ..., avg_fill_price: _Optional[float] = ..., client_order_id: _Optional[str] = ..., code: _Optional[int] = ..., avg_fill_price_exact: _Optional[str] = ..., order: _Optional[_Union[Order, _Mapping]] = ..., fills: _Optional[_Iterable[_Union[Fill, _Mapping]]] = ..., duplicate: _Optional[bool] = ..., request_id: _Optional[int] = ...) -> None: ...

class OrderStatusRequest(_message.Message):
    __slots__ = ("order_id", "user_id", "client_order_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    client_order_id: str
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., client_order_id: _Optional[str] = ...) -> None: ...

class OrderStatusResponse(_message.Message):
    __slots__ = ("order_id", "status", "quantity", "filled_quantity", "price", "avg_fill_price", "client_order_id", "price_ticks", "avg_fill_price_exact", "order")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    FILLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    AVG_FILL_PRICE_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    AVG_FILL_PRICE_EXACT_FIELD_NUMBER: _ClassVar[int]
    ORDER_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    status: OrderStatus
    quantity: int
    filled_quantity: int
    price: float
    avg_fill_price: float
    client_order_id: str
    price_ticks: int
    avg_fill_price_exact: str
    order: Order
    def __init__(self, order_id: _Optional[str] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., quantity: _Optional[int] = ..., filled_quantity: _Optional[int] = ..., price: _Optional[float] = ..., avg_fill_price: _Optional[float] = ..., client_order_id: _Optional[str] = ..., price_ticks: _Optional[int] = ..., avg_fill_price_exact: _Optional[str] = ..., order: _Optional[_Union[Order, _Mapping]] = ...) -> None: ...

class CancelOrderRequest(_message.Message):
    __slots__ = ("order_id", "user_id", "client_order_id")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    client_order_id: str
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., client_order_id: _Optional[str] = ...) -> None: ...

class AmendOrderRequest(_message.Message):
    __slots__ = ("order_id", "user_id", "quantity", "price", "price_ticks")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    user_id: str
    quantity: int
    price: float
    price_ticks: int
    def __init__(self, order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., quantity: _Optional[int] = ..., price: _Optional[float] = ..., price_ticks: _Optional[int] = ...) -> None: ...

class OrderEntryRequest(_message.Message):
    __slots__ = ("request_id", "submit", "cancel", "amend")
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMIT_FIELD_NUMBER: _ClassVar[int]
    CANCEL_FIELD_NUMBER: _ClassVar[int]
    AMEND_FIELD_NUMBER: _ClassVar[int]
    request_id: int
    submit: OrderRequest
    cancel: CancelOrderRequest
    amend: AmendOrderRequest
    def __init__(self, request_id: _Optional[int] = ..., submit: _Optional[_Union[OrderRequest, _Mapping]] = ..., cancel: _Optional[_Union[CancelOrderRequest, _Mapping]] = ..., amend: _Optional[_Union[AmendOrderRequest, _Mapping]] = ...) -> None: ...

class OrderEntryBatch(_message.Message):
    __slots__ = ("requests",)
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    requests: _containers.RepeatedCompositeFieldContainer[OrderEntryRequest]
    def __init__(self, requests: _Optional[_Iterable[_Union[OrderEntryRequest, _Mapping]]] = ...) -> None: ...

class OrderResponseBatch(_message.Message):
    __slots__ = ("responses",)
    RESPONSES_FIELD_NUMBER: _ClassVar[int]
    responses: _containers.RepeatedCompositeFieldContainer[OrderResponse]
    def __init__(self, responses: _Optional[_Iterable[_Union[OrderResponse, _Mapping]]] = ...) -> None: ...

class Order(_message.Message):
    __slots__ = ("order_id", "client_order_id", "user_id", "symbol", "side", "type", "time_in_force", "post_only", "quantity", "price_ticks", "stop_price_ticks", "status", "filled_quantity", "leaves_quantity", "average_price", "cancel_reason", "reject_code", "reject_reason", "created_at_ms", "updated_at_ms")
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TIME_IN_FORCE_FIELD_NUMBER: _ClassVar[int]
    POST_ONLY_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    STOP_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    FILLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    LEAVES_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_PRICE_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REASON_FIELD_NUMBER: _ClassVar[int]
    REJECT_CODE_FIELD_NUMBER: _ClassVar[int]
    REJECT_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_MS_FIELD_NUMBER: _ClassVar[int]
    order_id: str
    client_order_id: str
    user_id: str
    symbol: str
    side: OrderSide
    type: OrderType
    time_in_force: TimeInForce
    post_only: bool
    quantity: int
    price_ticks: int
    stop_price_ticks: int
    status: OrderStatus
    filled_quantity: int
    leaves_quantity: int
    average_price: str
    cancel_reason: str
    reject_code: int
    reject_reason: str
    created_at_ms: int
    updated_at_ms: int
    def __init__(self, order_id: _Optional[str] = ..., client_order_id: _Optional[str] = ..., user_id: _Optional[str] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[OrderSide, str]] = ..., type: _Optional[_Union[OrderType, str]] = ..., time_in_force: _Optional[_Union[TimeInForce, str]] = ..., post_only: _Optional[bool] = ..., quantity: _Optional[int] = ..., price_ticks: _Optional[int] = ..., stop_price_ticks: _Optional[int] = ..., status: _Optional[_Union[OrderStatus, str]] = ..., filled_quantity: _Optional[int] = ..., leaves_quantity: _Optional[int] = ..., average_price: _Optional[str] = ..., cancel_reason: _Optional[str] = ..., reject_code: _Optional[int] = ..., reject_reason: _Optional[str] = ..., created_at_ms: _Optional[int] = ..., updated_at_ms: _Optional[int] = ...) -> None: ...

class Fill(_message.Message):
    __slots__ = ("trade_id", "order_id", "client_order_id", "symbol", "side", "price_ticks", "price", "quantity", "maker", "order_filled_quantity", "order_leaves_quantity", "timestamp_ms")
    TRADE_ID_FIELD_NUMBER: _ClassVar[int]
    ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_ORDER_ID_FIELD_NUMBER: _ClassVar[int]
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    SIDE_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    MAKER_FIELD_NUMBER: _ClassVar[int]
    ORDER_FILLED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ORDER_LEAVES_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    trade_id: int
    order_id: str
    client_order_id: str
    symbol: str
    side: OrderSide
    price_ticks: int
    price: float
    quantity: int
    maker: bool
    order_filled_quantity: int
    order_leaves_quantity: int
    timestamp_ms: int
    def __init__(self, trade_id: _Optional[int] = ..., order_id: _Optional[str] = ..., client_order_id: _Optional[str] = ..., symbol: _Optional[str] = ..., side: _Optional[_Union[OrderSide, str]] = ..., price_ticks: _Optional[int] = ..., price: _Optional[float] = ..., quantity: _Optional[int] = ..., maker: _Optional[bool] = ..., order_filled_quantity: _Optional[int] = ..., order_leaves_quantity: _Optional[int] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class OrderUpdatesRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class OrderUpdate(_message.Message):
    __slots__ = ("order", "fill")
    ORDER_FIELD_NUMBER: _ClassVar[int]
    FILL_FIELD_NUMBER: _ClassVar[int]
    order: Order
    fill: Fill
    def __init__(self, order: _Optional[_Union[Order, _Mapping]] = ..., fill: _Optional[_Union[Fill, _Mapping]] = ...) -> None: ...

class MarketDataRequest(_message.Message):
    __slots__ = ("symbols", "depth")
    SYMBOLS_FIELD_NUMBER: _ClassVar[int]
    DEPTH_FIELD_NUMBER: _ClassVar[int]
    symbols: _containers.RepeatedScalarFieldContainer[str]
    depth: int
    def __init__(self, symbols: _Optional[_Iterable[str]] = ..., depth: _Optional[int] = ...) -> None: ...

class MarketDataUpdate(_message.Message):
    __slots__ = ("symbol", "last_price", "bid_price", "ask_price", "volume", "timestamp_ms", "bids", "asks", "last_price_ticks", "bid_price_ticks", "ask_price_ticks", "book_seq", "trades", "halted")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    LAST_PRICE_FIELD_NUMBER: _ClassVar[int]
    BID_PRICE_FIELD_NUMBER: _ClassVar[int]
    ASK_PRICE_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    BIDS_FIELD_NUMBER: _ClassVar[int]
    ASKS_FIELD_NUMBER: _ClassVar[int]
    LAST_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    BID_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    ASK_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    BOOK_SEQ_FIELD_NUMBER: _ClassVar[int]
    TRADES_FIELD_NUMBER: _ClassVar[int]
    HALTED_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    last_price: float
    bid_price: float
    ask_price: float
    volume: int
    timestamp_ms: int
    bids: _containers.RepeatedCompositeFieldContainer[PriceLevel]
    asks: _containers.RepeatedCompositeFieldContainer[PriceLevel]
    last_price_ticks: int
    bid_price_ticks: int
    ask_price_ticks: int
    book_seq: int
    trades: _containers.RepeatedCompositeFieldContainer[Trade]
    halted: bool
    def __init__(self, symbol: _Optional[str] = ..., last_price: _Optional[float] = ..., bid_price: _Optional[float] = ..., ask_price: _Optional[float] = ..., volume: _Optional[int] = ..., timestamp_ms: _Optional[int] = ..., bids: _Optional[_Iterable[_Union[PriceLevel, _Mapping]]] = ..., asks: _Optional[_Iterable[_Union[PriceLevel, _Mapping]]] = ..., last_price_ticks: _Optional[int] = ..., bid_price_ticks: _Optional[int] = ..., ask_price_ticks: _Optional[int] = ..., book_seq: _Optional[int] = ..., trades: _Optional[_Iterable[_Union[Trade, _Mapping]]] = ..., halted: _Optional[bool] = ...) -> None: ...

class PriceLevel(_message.Message):
    __slots__ = ("price", "quantity", "price_ticks")
    PRICE_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    price: float
    quantity: int
    price_ticks: int
    def __init__(self, price: _Optional[float] = ..., quantity: _Optional[int] = ..., price_ticks: _Optional[int] = ...) -> None: ...

class Trade(_message.Message):
    __slots__ = ("trade_id", "price", "price_ticks", "quantity", "aggressor", "timestamp_ms")
    TRADE_ID_FIELD_NUMBER: _ClassVar[int]
    PRICE_FIELD_NUMBER: _ClassVar[int]
    PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    AGGRESSOR_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    trade_id: int
    price: float
    price_ticks: int
    quantity: int
    aggressor: OrderSide
    timestamp_ms: int
    def __init__(self, trade_id: _Optional[int] = ..., price: _Optional[float] = ..., price_ticks: _Optional[int] = ..., quantity: _Optional[int] = ..., aggressor: _Optional[_Union[OrderSide, str]] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class MarketIndexRequest(_message.Message):
    __slots__ = ("index_name",)
    INDEX_NAME_FIELD_NUMBER: _ClassVar[int]
    index_name: str
    def __init__(self, index_name: _Optional[str] = ...) -> None: ...

class MarketIndexUpdate(_message.Message):
    __slots__ = ("index_name", "index_value", "change_percent", "constituents", "timestamp_ms", "index_value_exact", "change_percent_exact")
    INDEX_NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_VALUE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CONSTITUENTS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    INDEX_VALUE_EXACT_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_EXACT_FIELD_NUMBER: _ClassVar[int]
    index_name: str
    index_value: float
    change_percent: float
    constituents: _containers.RepeatedCompositeFieldContainer[IndexConstituent]
    timestamp_ms: int
    index_value_exact: str
    change_percent_exact: str
    def __init__(self, index_name: _Optional[str] = ..., index_value: _Optional[float] = ..., change_percent: _Optional[float] = ..., constituents: _Optional[_Iterable[_Union[IndexConstituent, _Mapping]]] = ..., timestamp_ms: _Optional[int] = ..., index_value_exact: _Optional[str] = ..., change_percent_exact: _Optional[str] = ...) -> None: ...

class IndexConstituent(_message.Message):
    __slots__ = ("symbol", "last_price", "weight", "contribution", "change_percent", "last_price_ticks", "weight_exact", "contribution_exact", "change_percent_exact")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    LAST_PRICE_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LAST_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_EXACT_FIELD_NUMBER: _ClassVar[int]
    CONTRIBUTION_EXACT_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_EXACT_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    last_price: float
    weight: float
    contribution: float
    change_percent: float
    last_price_ticks: int
    weight_exact: str
    contribution_exact: str
    change_percent_exact: str
    def __init__(self, symbol: _Optional[str] = ..., last_price: _Optional[float] = ..., weight: _Optional[float] = ..., contribution: _Optional[float] = ..., change_percent: _Optional[float] = ..., last_price_ticks: _Optional[int] = ..., weight_exact: _Optional[str] = ..., contribution_exact: _Optional[str] = ..., change_percent_exact: _Optional[str] = ...) -> None: ...

class MarketIndexResponse(_message.Message):
    __slots__ = ("index_name", "index_value", "change_percent", "constituents", "timestamp_ms", "index_value_exact", "change_percent_exact", "day_open_exact", "day_high_exact", "day_low_exact")
    INDEX_NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_VALUE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CONSTITUENTS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    INDEX_VALUE_EXACT_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_EXACT_FIELD_NUMBER: _ClassVar[int]
    DAY_OPEN_EXACT_FIELD_NUMBER: _ClassVar[int]
    DAY_HIGH_EXACT_FIELD_NUMBER: _ClassVar[int]
    DAY_LOW_EXACT_FIELD_NUMBER: _ClassVar[int]
    index_name: str
    index_value: float
    change_percent: float
    constituents: _containers.RepeatedCompositeFieldContainer[IndexConstituent]
    timestamp_ms: int
    index_value_exact: str
    change_percent_exact: str
    day_open_exact: str
    day_high_exact: str
    day_low_exact: str
    def __init__(self, index_name: _Optional[str] = ..., index_value: _Optional[float] = ..., change_percent: _Optional[float] = ..., constituents: _Optional[_Iterable[_Union[IndexConstituent, _Mapping]]] = ..., timestamp_ms: _Optional[int] = ..., index_value_exact: _Optional[str] = ..., change_percent_exact: _Optional[str] = ..., day_open_exact: _Optional[str] = ..., day_high_exact: _Optional[str] = ..., day_low_exact: _Optional[str] = ...) -> None: ...

class IndexRequest(_message.Message):
    __slots__ = ("index_name", "top")
    INDEX_NAME_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    index_name: str
    top: int
    def __init__(self, index_name: _Optional[str] = ..., top: _Optional[int] = ...) -> None: ...

class IndexUpdate(_message.Message):
    __slots__ = ("index_name", "index_value", "change_percent", "timestamp_ms", "top", "index_value_exact", "change_percent_exact")
    INDEX_NAME_FIELD_NUMBER: _ClassVar[int]
    INDEX_VALUE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    INDEX_VALUE_EXACT_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_EXACT_FIELD_NUMBER: _ClassVar[int]
    index_name: str
    index_value: float
    change_percent: float
    timestamp_ms: int
    top: _containers.RepeatedCompositeFieldContainer[IndexConstituent]
    index_value_exact: str
    change_percent_exact: str
    def __init__(self, index_name: _Optional[str] = ..., index_value: _Optional[float] = ..., change_percent: _Optional[float] = ..., timestamp_ms: _Optional[int] = ..., top: _Optional[_Iterable[_Union[IndexConstituent, _Mapping]]] = ..., index_value_exact: _Optional[str] = ..., change_percent_exact: _Optional[str] = ...) -> None: ...

class AllStocksRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AllStocksUpdate(_message.Message):
    __slots__ = ("stocks", "snapshot", "timestamp_ms")
    STOCKS_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    stocks: _containers.RepeatedCompositeFieldContainer[StockQuote]
    snapshot: bool
    timestamp_ms: int
    def __init__(self, stocks: _Optional[_Iterable[_Union[StockQuote, _Mapping]]] = ..., snapshot: _Optional[bool] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...

class StockQuote(_message.Message):
    __slots__ = ("symbol", "name", "last_price", "bid_price", "ask_price", "volume", "change_percent", "last_price_ticks", "bid_price_ticks", "ask_price_ticks", "bid_quantity", "ask_quantity", "open_ticks", "high_ticks", "low_ticks", "previous_close_ticks", "change_percent_exact", "halted", "timestamp_ms")
    SYMBOL_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    LAST_PRICE_FIELD_NUMBER: _ClassVar[int]
    BID_PRICE_FIELD_NUMBER: _ClassVar[int]
    ASK_PRICE_FIELD_NUMBER: _ClassVar[int]
    VOLUME_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_FIELD_NUMBER: _ClassVar[int]
    LAST_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    BID_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    ASK_PRICE_TICKS_FIELD_NUMBER: _ClassVar[int]
    BID_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    ASK_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    OPEN_TICKS_FIELD_NUMBER: _ClassVar[int]
    HIGH_TICKS_FIELD_NUMBER: _ClassVar[int]
    LOW_TICKS_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_CLOSE_TICKS_FIELD_NUMBER: _ClassVar[int]
    CHANGE_PERCENT_EXACT_FIELD_NUMBER: _ClassVar[int]
    HALTED_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    symbol: str
    name: str
    last_price: float
    bid_price: float
    ask_price: float
    volume: int
    change_percent: float
    last_price_ticks: int
    bid_price_ticks: int
    ask_price_ticks: int
    bid_quantity: int
    ask_quantity: int
    open_ticks: int
    high_ticks: int
    low_ticks: int
    previous_close_ticks: int
    change_percent_exact: str
    halted: bool
    timestamp_ms: int
    def __init__(self, symbol: _Optional[str] = ..., name: _Optional[str] = ..., last_price: _Optional[float] = ..., bid_price: _Optional[float] = ..., ask_price: _Optional[float] = ..., volume: _Optional[int] = ..., change_percent: _Optional[float] = ..., last_price_ticks: _Optional[int] = ..., bid_price_ticks: _Optional[int] = ..., ask_price_ticks: _Optional[int] = ..., bid_quantity: _Optional[int] = ..., ask_quantity: _Optional[int] = ..., open_ticks: _Optional[int] = ..., high_ticks: _Optional[int] = ..., low_ticks: _Optional[int] = ..., previous_close_ticks: _Optional[int] = ..., change_percent_exact: _Optional[str] = ..., halted: _Optional[bool] = ..., timestamp_ms: _Optional[int] = ...) -> None: ...
