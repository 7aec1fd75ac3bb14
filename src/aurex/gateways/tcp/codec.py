"""Bytes to typed messages and back, for the binary TCP protocol; no I/O.

A frame is ``u32 length | u8 type | payload``, little endian, where ``length``
counts the type byte and the payload (so it is at least 1 and at most
``MAX_FRAME``). :class:`FrameReader` cuts a byte stream into frames;
:func:`decode_client` / :func:`decode_server` turn one frame into a message;
:func:`encode` does the reverse. Decoding raises only :class:`CodecError`, which
carries the protocol error code to answer with and, when the payload was long
enough to hold one, the request id it belongs to.
"""

from __future__ import annotations

import dataclasses
import struct
from typing import Any

from aurex.gateways.codes import GatewayCode
from aurex.gateways.tcp.messages import (
    CLIENT_MESSAGES,
    MARKET_DATA,
    SERVER_MESSAGES,
    BookSnapshot,
    Message,
    MsgType,
)

MAX_FRAME = 65_536
"""Largest ``length`` accepted (type byte + payload), in both directions."""
MAX_BOOK_LEVELS = 1_000
"""Levels per side a book snapshot carries at most (it then fits in ``MAX_FRAME``)."""

_HEADER = struct.Struct("<IB")
_LENGTH = struct.Struct("<I")
_REQUEST_ID = struct.Struct("<Q")
_LEVEL = struct.Struct("<qq")
_PREFIX = {1: struct.Struct("<B"), 2: struct.Struct("<H")}
_FIELDS: dict[type[Message], tuple[str, ...]] = {}
_ENUM_CHECKS: dict[type[Message], tuple[tuple[int, str, tuple[int, ...]], ...]] = {}


class CodecError(Exception):
    """Bytes that are not a valid message: the code to report and what was wrong.

    ``fatal`` errors (bad frame lengths) leave the stream unreadable, so the
    connection must close; the others concern one frame only.
    """

    def __init__(
        self,
        code: GatewayCode,
        message: str,
        *,
        msg_type: int = 0,
        request_id: int = 0,
        fatal: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.msg_type = msg_type
        self.request_id = request_id
        self.fatal = fatal


def _fields(cls: type[Message]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        _FIELDS[cls] = names
    return names


def _enum_checks(cls: type[Message]) -> tuple[tuple[int, str, tuple[int, ...]], ...]:
    checks = _ENUM_CHECKS.get(cls)
    if checks is None:
        names = _fields(cls)
        checks = tuple((names.index(f), f, allowed) for f, allowed in cls.ENUMS.items())
        _ENUM_CHECKS[cls] = checks
    return checks


# -- framing ----------------------------------------------------------------------


class FrameReader:
    """Accumulates received bytes and yields complete ``(type, payload)`` frames."""

    __slots__ = ("_buffer", "max_frame")

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self._buffer = bytearray()
        self.max_frame = max_frame

    @property
    def buffered(self) -> int:
        """Bytes received that do not yet make a whole frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        """Add ``data``; return the frames now complete. A bad length is fatal."""
        buffer = self._buffer
        buffer += data
        frames: list[tuple[int, bytes]] = []
        start, end = 0, len(buffer)
        unpack = _LENGTH.unpack_from
        while end - start >= 4:
            (length,) = unpack(buffer, start)
            if not 1 <= length <= self.max_frame:
                self._buffer = bytearray()
                what = "empty frame" if length == 0 else f"frame length {length}"
                raise CodecError(
                    GatewayCode.MESSAGE_TOO_LARGE if length else GatewayCode.MALFORMED_REQUEST,
                    f"{what}: a frame's length must be 1 to {self.max_frame}",
                    fatal=True,
                )
            stop = start + 4 + length
            if stop > end:
                break
            frames.append((buffer[start + 4], bytes(buffer[start + 5 : stop])))
            start = stop
        if start:
            del buffer[:start]
        return frames


def frame(msg_type: int, payload: bytes) -> bytes:
    """One frame: header and payload."""
    return _HEADER.pack(len(payload) + 1, msg_type) + payload


# -- encoding ---------------------------------------------------------------------


def _string(value: str, prefix: int, cls: type[Message]) -> bytes:
    data = value.encode()
    limit = 0xFF if prefix == 1 else 0xFFFF
    if len(data) > limit:
        raise ValueError(f"{cls.__name__}: {len(data)} bytes of text; at most {limit}")
    return _PREFIX[prefix].pack(len(data)) + data


def payload(message: Message) -> bytes:
    """The payload of ``message`` (no frame header). ValueError if a field does not fit."""
    cls = type(message)
    names = _fields(cls)
    fixed = cls.FIXED
    try:
        if isinstance(message, BookSnapshot):
            head = fixed.pack(message.kind, message.seq, len(message.bids), len(message.asks))
            levels = b"".join(_LEVEL.pack(p, q) for p, q in (*message.bids, *message.asks))
            return head + _string(message.symbol, 1, cls) + levels
        values = [getattr(message, n) for n in names]
        count = len(cls.STRINGS)
        parts = [fixed.pack(*values[: len(values) - count])]
        for value, prefix in zip(values[len(values) - count :], cls.STRINGS, strict=True):
            parts.append(_string(value, prefix, cls))
    except struct.error as exc:
        raise ValueError(f"{cls.__name__}: {exc}") from None
    return b"".join(parts)


def encode(message: Message) -> bytes:
    """The whole frame for ``message``."""
    return frame(message.TYPE, payload(message))


# -- decoding ---------------------------------------------------------------------


def _fail(
    code: GatewayCode, text: str, msg_type: int, data: bytes, *, has_request_id: bool = True
) -> CodecError:
    request_id = _REQUEST_ID.unpack_from(data)[0] if has_request_id and len(data) >= 8 else 0
    return CodecError(code, text, msg_type=msg_type, request_id=request_id)


def _decode(cls: type[Message], msg_type: int, data: bytes, has_request_id: bool) -> Message:
    name = cls.__name__
    fixed = cls.FIXED
    if len(data) < fixed.size:
        raise _fail(
            GatewayCode.MALFORMED_REQUEST,
            f"{name}: payload of {len(data)} bytes is shorter than its {fixed.size} fixed bytes",
            msg_type,
            data,
            has_request_id=has_request_id,
        )
    values: list[Any] = list(fixed.unpack_from(data))
    offset = fixed.size
    for prefix in cls.STRINGS:
        if offset + prefix > len(data):
            raise _fail(
                GatewayCode.MALFORMED_REQUEST,
                f"{name}: payload ends inside a string's length",
                msg_type,
                data,
                has_request_id=has_request_id,
            )
        (size,) = _PREFIX[prefix].unpack_from(data, offset)
        offset += prefix
        if offset + size > len(data):
            raise _fail(
                GatewayCode.MALFORMED_REQUEST,
                f"{name}: a string of {size} bytes runs past the payload's end",
                msg_type,
                data,
                has_request_id=has_request_id,
            )
        try:
            values.append(data[offset : offset + size].decode())
        except UnicodeDecodeError:
            raise _fail(
                GatewayCode.MALFORMED_REQUEST,
                f"{name}: a string is not valid UTF-8",
                msg_type,
                data,
                has_request_id=has_request_id,
            ) from None
        offset += size
    if cls is BookSnapshot:
        values, offset = _levels(values, data, offset, msg_type)
    if offset != len(data):
        raise _fail(
            GatewayCode.MALFORMED_REQUEST,
            f"{name}: {len(data) - offset} unexpected bytes after the last field",
            msg_type,
            data,
            has_request_id=has_request_id,
        )
    for index, field, allowed in _enum_checks(cls):
        value = values[index]
        if value not in allowed:
            raise _fail(
                GatewayCode.INVALID_FIELD,
                f"{name}.{field}: {value} is not one of {', '.join(map(str, allowed))}",
                msg_type,
                data,
                has_request_id=has_request_id,
            )
    return cls(*values)


def _levels(values: list[Any], data: bytes, offset: int, msg_type: int) -> tuple[list[Any], int]:
    kind, seq, n_bids, n_asks, symbol = values
    if offset + (n_bids + n_asks) * _LEVEL.size > len(data):
        raise _fail(
            GatewayCode.MALFORMED_REQUEST,
            "BookSnapshot: fewer levels than announced",
            msg_type,
            data,
            has_request_id=False,
        )
    levels = [_LEVEL.unpack_from(data, offset + i * _LEVEL.size) for i in range(n_bids + n_asks)]
    offset += len(levels) * _LEVEL.size
    return [kind, seq, tuple(levels[:n_bids]), tuple(levels[n_bids:]), symbol], offset


def decode_client(msg_type: int, data: bytes) -> Message:
    """A client's message (types 0x01-0x09). Raises :class:`CodecError` only."""
    cls = CLIENT_MESSAGES.get(msg_type)
    if cls is None:
        raise _fail(
            GatewayCode.UNKNOWN_MESSAGE_TYPE,
            f"unknown message type 0x{msg_type:02x}",
            msg_type,
            data,
        )
    return _decode(cls, msg_type, data, has_request_id=msg_type != MsgType.HEARTBEAT)


def decode_server(msg_type: int, data: bytes) -> Message:
    """A server's message (types 0x10-0x1F). Raises :class:`CodecError` only."""
    if msg_type == MsgType.MARKET_DATA_UPDATE:
        cls = MARKET_DATA.get(data[0]) if data else None
        if cls is None:
            kind = data[0] if data else "none"
            raise _fail(
                GatewayCode.INVALID_FIELD, f"unknown market data kind {kind}", msg_type, data
            )
        return _decode(cls, msg_type, data, has_request_id=False)
    found = SERVER_MESSAGES.get(msg_type)
    if found is None:
        raise _fail(
            GatewayCode.UNKNOWN_MESSAGE_TYPE,
            f"unknown message type 0x{msg_type:02x}",
            msg_type,
            data,
        )
    return _decode(found, msg_type, data, has_request_id=msg_type != MsgType.SERVER_HEARTBEAT)
