"""The binary protocol's codec: round trips, precise errors, and a fuzzed decoder.

The fuzz tests feed arbitrary bytes (and mutated valid frames) to the frame reader
and both decoders; the only exception allowed out is ``CodecError``.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aurex.core.model import OrderStatus, OrderType, Side, TimeInForce
from aurex.gateways.codes import GatewayCode
from aurex.gateways.tcp import convert
from aurex.gateways.tcp import messages as m
from aurex.gateways.tcp.codec import (
    MAX_FRAME,
    CodecError,
    FrameReader,
    decode_client,
    decode_server,
    encode,
    frame,
)
from aurex.readside import OrderState

SAMPLES: list[m.Message] = [
    m.SubmitOrder(7, 0, 1, m.TIF_DEFAULT, 0, 0, 100, 23450, 0, "AAPL", "c-1"),
    m.QueryOrder(8, 42, ""),
    m.Subscribe(9, 7, "AAPL"),
    m.CancelOrder(10, 0, "c-1"),
    m.AmendOrder(11, 42, 50, 23500),
    m.Login(1, 3, "header.payload.signature", "trading-token"),
    m.Logout(12),
    m.Heartbeat(123456789),
    m.Unsubscribe(13, 1, ""),
]
SERVER_SAMPLES: list[m.Message] = [
    m.OrderReport(7, 1, 1, 42, 0, 1, 0, 0, 0, 100, 23450, 0, 0, 100, 0, 0, 1, 2, 3, "AAPL", "c-1"),
    m.OrderStatus(
        8, 2, 0, 42, 1, 1, 0, 2, 1, 100, 23450, 0, 100, 0, 2345000, 0, 1, 2, 3, "AAPL", "x"
    ),
    m.TickerUpdate(1, 23450, 5, 23440, 10, 23460, 7, 23000, 23500, 22900, 23100, 900, 0, 5, "AAPL"),
    m.TradeUpdate(2, 77, 23450, 5, 1, 99, 1000, "AAPL"),
    m.BookLevel(3, 12, 1, 23460, 0, "AAPL"),
    m.BookSnapshot(4, 11, ((23440, 10), (23430, 1)), ((23460, 7),), "AAPL"),
    m.LoginResponse(1, 10_000, 30_000, MAX_FRAME, "user-1"),
    m.Ack(9, 3),
    m.ServerHeartbeat(5),
    m.Error(7, 1, 2001, 0, "quantity: must be a whole number of shares"),
]


def _frames(data: bytes) -> list[tuple[int, bytes]]:
    return FrameReader().feed(data)


@pytest.mark.parametrize("message", SAMPLES, ids=lambda x: type(x).__name__)
def test_client_messages_round_trip(message: m.Message) -> None:
    [(msg_type, body)] = _frames(encode(message))
    assert decode_client(msg_type, body) == message


@pytest.mark.parametrize("message", SERVER_SAMPLES, ids=lambda x: type(x).__name__)
def test_server_messages_round_trip(message: m.Message) -> None:
    [(msg_type, body)] = _frames(encode(message))
    assert decode_server(msg_type, body) == message


def test_the_documented_submit_example_is_what_the_codec_writes() -> None:
    """docs/protocol.md shows this frame byte for byte."""
    data = encode(m.SubmitOrder(7, 0, 1, m.TIF_DEFAULT, 0, 0, 100, 23450, 0, "AAPL", "c1"))
    assert data.hex() == (
        "2e000000"
        "01"
        "0700000000000000"
        "00"
        "01"
        "ff"
        "00"
        "00"
        "6400000000000000"
        "9a5b000000000000"
        "0000000000000000"
        "04414150 4c".replace(" ", "")
        + "026331"
    )


def test_frames_split_anywhere_are_reassembled() -> None:
    stream = b"".join(encode(x) for x in SAMPLES)
    for cut in range(1, len(stream)):
        reader = FrameReader()
        frames = reader.feed(stream[:cut]) + reader.feed(stream[cut:])
        assert [decode_client(t, b) for t, b in frames] == SAMPLES
        assert reader.buffered == 0


def test_absurd_and_empty_lengths_are_fatal() -> None:
    with pytest.raises(CodecError) as huge:
        FrameReader().feed(struct.pack("<I", 0xFFFFFFFF) + b"\x01")
    assert huge.value.fatal and huge.value.code == GatewayCode.MESSAGE_TOO_LARGE
    with pytest.raises(CodecError) as empty:
        FrameReader().feed(struct.pack("<I", 0))
    assert empty.value.fatal and empty.value.code == GatewayCode.MALFORMED_REQUEST


def test_a_frame_of_exactly_the_maximum_is_accepted() -> None:
    frames = FrameReader().feed(struct.pack("<IB", MAX_FRAME, 0x01) + bytes(MAX_FRAME - 1))
    assert len(frames) == 1 and len(frames[0][1]) == MAX_FRAME - 1


def test_unknown_type_names_the_type_and_keeps_the_request_id() -> None:
    with pytest.raises(CodecError) as error:
        decode_client(0x42, struct.pack("<Q", 99))
    assert error.value.code == GatewayCode.UNKNOWN_MESSAGE_TYPE
    assert error.value.request_id == 99 and not error.value.fatal
    assert "0x42" in error.value.message


def test_truncated_payload_is_malformed_with_its_request_id() -> None:
    body = encode(SAMPLES[0])[5:]
    for cut in range(len(body)):
        with pytest.raises(CodecError) as error:
            decode_client(0x01, body[:cut])
        assert error.value.code == GatewayCode.MALFORMED_REQUEST
        assert error.value.request_id == (7 if cut >= 8 else 0)


def test_trailing_bytes_are_malformed() -> None:
    with pytest.raises(CodecError) as error:
        decode_client(0x07, struct.pack("<Q", 5) + b"\x00")
    assert error.value.code == GatewayCode.MALFORMED_REQUEST
    assert "unexpected bytes" in error.value.message


@pytest.mark.parametrize(
    ("offset", "field"),
    [(8, "side"), (9, "order_type"), (10, "tif"), (11, "post_only"), (12, "stp")],
)
def test_enum_values_out_of_range_are_invalid_fields(offset: int, field: str) -> None:
    body = bytearray(encode(SAMPLES[0])[5:])
    body[offset] = 9
    with pytest.raises(CodecError) as error:
        decode_client(0x01, bytes(body))
    assert error.value.code == GatewayCode.INVALID_FIELD and field in error.value.message


def test_text_that_is_not_utf8_is_malformed() -> None:
    body = struct.pack("<QQ", 1, 0) + b"\x02\xff\xfe"
    with pytest.raises(CodecError) as error:
        decode_client(0x02, body)
    assert error.value.code == GatewayCode.MALFORMED_REQUEST and "UTF-8" in error.value.message


def test_encoding_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(ValueError):
        encode(m.Subscribe(-1, 1, "AAPL"))
    with pytest.raises(ValueError):
        encode(m.Subscribe(1, 1, "A" * 300))


def test_frame_helper_counts_the_type_byte() -> None:
    assert frame(0x07, b"12345678")[:5] == struct.pack("<IB", 9, 0x07)


# -- fuzzing --------------------------------------------------------------------------

FUZZ = settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decode_all(data: bytes) -> int:
    """Cut ``data`` into frames and decode each both ways; count the frames decoded."""
    reader = FrameReader()
    decoded = 0
    try:
        frames = reader.feed(data)
    except CodecError:
        return -1
    for msg_type, body in frames:
        for decode in (decode_client, decode_server):
            try:
                decode(msg_type, body)
                decoded += 1
            except CodecError as exc:
                assert isinstance(exc.code, GatewayCode)
    return decoded


CORPUS = [encode(x) for x in SAMPLES + SERVER_SAMPLES]


@FUZZ
@given(st.integers(0, len(CORPUS)), st.binary(max_size=200), st.integers(0, 2**64 - 1))
def test_decoding_raises_nothing_but_codec_errors(which: int, noise: bytes, seed: int) -> None:
    """10,000 inputs a run: random bytes, and valid frames with bytes overwritten by the
    noise at positions taken from ``seed``, cut short, or followed by the noise."""
    if which == len(CORPUS):
        _decode_all(noise)
        return
    data = bytearray(CORPUS[which])
    for value in noise[:6]:
        data[seed % len(data)] = value
        seed //= len(data)
    mode = seed % 3
    if mode == 0:
        data = data[: 5 + seed // 3 % len(data)]
    elif mode == 1:
        data += noise
    _decode_all(bytes(data))


# -- docs/protocol.md -----------------------------------------------------------------

DOC = Path(__file__).resolve().parents[3] / "docs" / "protocol.md"


def _documented_frames() -> list[bytes]:
    blocks = re.findall(r"```\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    lines = [line for block in blocks for line in block.splitlines() if line.strip()]
    return [bytes.fromhex(line.replace(" ", "")) for line in lines]


def test_every_documented_example_is_one_valid_frame_that_round_trips() -> None:
    examples = _documented_frames()
    assert len(examples) >= 19
    types = set()
    for data in examples:
        [(msg_type, body)] = FrameReader().feed(data)
        decode = decode_client if msg_type < 0x10 else decode_server
        message = decode(msg_type, body)
        assert encode(message) == data
        types.add((msg_type, body[0] if msg_type == 0x12 else None))
    client = {(t, None) for t in m.CLIENT_MESSAGES}
    server = {(t, None) for t in m.SERVER_MESSAGES} | {(0x12, k) for k in m.MARKET_DATA}
    assert types == client | server


def test_the_fast_order_frame_is_the_codec_encoding() -> None:
    state = OrderState(
        42, "acct", "c-é", "AAPL", Side.SELL, OrderType.STOP_LIMIT, TimeInForce.DAY, True,
        100, 23450, 23400, OrderStatus.PARTIALLY_FILLED, 40, 60, 938000, 0, 0, "", 1, 2, 3, 4,
    )  # fmt: skip
    fast = convert.order_frame(m.MsgType.ORDER_RESPONSE, 7, 1, 1, state)
    assert fast == encode(convert.order_response(7, 1, 1, state))
    pushed = convert.order_frame(m.MsgType.ORDER_STATUS, 0, 0, 0, state)
    assert pushed == encode(convert.order_status(state))
    [(msg_type, body)] = FrameReader().feed(pushed)
    assert decode_server(msg_type, body) == convert.order_status(state)
