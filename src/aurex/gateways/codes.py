"""Error codes of the gateways themselves (2xxx), beside the engine's ``RejectCode``
(1xx-4xx) and auth's ``AuthCode`` (10xx). One catalogue for REST, WebSocket, gRPC
and TCP; each protocol maps it once (docs/api.md, docs/protocol.md list them)."""

from __future__ import annotations

from enum import IntEnum


class GatewayCode(IntEnum):
    MALFORMED_REQUEST = 2000
    """Not parseable at all (bad JSON, truncated frame, wrong field types)."""
    INVALID_FIELD = 2001
    """Parseable, but a field is out of range or has an unknown value."""
    MESSAGE_TOO_LARGE = 2002
    UNKNOWN_SYMBOL = 2003
    ORDER_NOT_FOUND = 2004
    INVALID_CURSOR = 2005
    TRADING_TOKEN_REQUIRED = 2006
    UNKNOWN_CHANNEL = 2010
    TOO_MANY_SUBSCRIPTIONS = 2011
    AUTHENTICATION_REQUIRED = 2012
    SLOW_CONSUMER = 2013
    RATE_LIMITED = 2020
    ENGINE_UNAVAILABLE = 2030
    UNKNOWN_MESSAGE_TYPE = 2040
    """Binary TCP: a frame type the protocol does not define."""
    IDLE_TIMEOUT = 2041
    """Binary TCP: nothing received within the idle timeout (or no login in time)."""
    ALREADY_LOGGED_IN = 2042
    """Binary TCP: a second login on the same connection."""
