"""Journal payload encoding of stamped commands."""

from __future__ import annotations

import dataclasses
import typing
from enum import IntEnum
from typing import Any

import msgspec
import pytest

from aurex.core.commands import COMMAND_TYPES, CancelOrder, Command, EndOfDay, PlaceOrder
from aurex.core.model import OrderType, Side, StpMode, TimeInForce
from aurex.engine import codec


def _sample(cls: type[Command], variant: int) -> Command:
    """An instance with every field set away from its default."""
    values: dict[str, Any] = {}
    for i, (name, hint) in enumerate(typing.get_type_hints(cls).items()):
        if isinstance(hint, type) and issubclass(hint, IntEnum):
            members = list(hint)
            values[name] = members[(i + variant) % len(members)]
        elif hint is bool:
            values[name] = variant % 2 == 0
        elif hint is int:
            values[name] = (2**40 + i) * (variant + 1)
        elif hint is str:
            values[name] = f"{name}-é-{variant}"
        else:
            raise AssertionError(f"unexpected field type {hint} in {cls.__name__}")
    return cls(**values)


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("variant", [0, 1, 2])
def test_every_command_type_round_trips_exactly(cls: type[Command], variant: int) -> None:
    original = _sample(cls, variant)
    decoded = codec.decode(codec.encode(original))
    assert type(decoded) is cls
    assert decoded == original
    for f in dataclasses.fields(cls):
        assert type(getattr(decoded, f.name)) is type(getattr(original, f.name)), f.name


def test_enums_come_back_as_enums_not_ints() -> None:
    cmd = PlaceOrder(
        seq=5,
        ts_ns=6,
        account="a",
        client_order_id="c",
        symbol="AAA",
        side=Side.SELL,
        order_type=OrderType.STOP_LIMIT,
        quantity=3,
        tif=TimeInForce.FOK,
        stp=StpMode.CANCEL_BOTH,
    )
    decoded = codec.decode(codec.encode(cmd))
    assert isinstance(decoded, PlaceOrder)
    assert decoded.side is Side.SELL
    assert decoded.order_type is OrderType.STOP_LIMIT
    assert decoded.tif is TimeInForce.FOK
    assert decoded.stp is StpMode.CANCEL_BOTH


@pytest.mark.parametrize("seq", [1, 127, 128, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32, 2**63])
def test_seq_can_be_read_without_decoding(seq: int) -> None:
    assert codec.peek_seq(codec.encode(EndOfDay(seq=seq, ts_ns=1))) == seq


def test_tags_are_the_published_numbers() -> None:
    # Journals on disk depend on these numbers; they may never change.
    assert {cls.__name__: tag for cls, tag in codec.TAGS.items()} == {
        "PlaceOrder": 1,
        "CancelOrder": 2,
        "AmendOrder": 3,
        "CancelAll": 4,
        "Deposit": 5,
        "Withdraw": 6,
        "SetLimits": 7,
        "AddSymbol": 8,
        "HaltSymbol": 9,
        "ResumeSymbol": 10,
        "EndOfDay": 11,
        "SetReferencePrice": 12,
        "DelistSymbol": 13,
    }


def test_unknown_tag_is_a_codec_error() -> None:
    payload = msgspec.msgpack.encode((99, 1, 2))
    with pytest.raises(codec.CodecError, match="unknown command tag 99"):
        codec.decode(payload)


def test_wrong_field_types_are_a_codec_error() -> None:
    payload = msgspec.msgpack.encode((2, 1, 2, 12345, 0, ""))  # account must be a str
    with pytest.raises(codec.CodecError, match="CancelOrder"):
        codec.decode(payload)


def test_out_of_range_enum_value_is_a_codec_error() -> None:
    good = codec.encode(_sample(PlaceOrder, 0))
    fields = msgspec.msgpack.decode(good)
    fields[1 + [f.name for f in dataclasses.fields(PlaceOrder)].index("side")] = 9
    with pytest.raises(codec.CodecError):
        codec.decode(msgspec.msgpack.encode(fields))


def test_non_command_bytes_are_rejected() -> None:
    for junk in (b"", b"\x00", b"\xc0\x01", msgspec.msgpack.encode({"seq": 1})):
        with pytest.raises(codec.CodecError):
            codec.decode(junk)


def test_only_command_instances_are_encodable() -> None:
    assert codec.is_encodable(CancelOrder(account="a"))
    assert not codec.is_encodable(Command())
    assert not codec.is_encodable("PlaceOrder")
    with pytest.raises(codec.CodecError):
        codec.encode(Command())
    with pytest.raises(TypeError):
        codec.check(Command())


WRONG_TYPES = [
    ("quantity", True),
    ("quantity", 1.0),
    ("side", 0),
    ("post_only", 1),
    ("symbol", b"AAA"),
]
WRONG_ENCODINGS = [
    ("quantity", True),
    ("quantity", 1.0),
    ("side", 9),
    ("post_only", 1),
    ("symbol", b"A"),
]
"""As stored in a payload, where an enum is its integer value (so 9 is no Side)."""


def _payload_with(cls: type[Command], field: str, value: Any) -> bytes:
    """A well-formed payload of ``cls`` except that ``field`` holds ``value``."""
    row = msgspec.msgpack.decode(codec.encode(_sample(cls, 1)))
    row[1 + [f.name for f in dataclasses.fields(cls)].index(field)] = value
    return msgspec.msgpack.encode(row)


def _planted(cmd: Command, field: str, value: Any) -> bool:
    """Set a wrong-typed value; False if the class refuses it (compiled classes check
    attribute types, and store a bool given for an int as that int)."""
    try:
        setattr(cmd, field, value)
    except TypeError:
        return False
    return type(getattr(cmd, field)) is type(value)


@pytest.mark.parametrize(("field", "value"), WRONG_ENCODINGS)
def test_payloads_with_fields_of_the_wrong_type_do_not_decode(field: str, value: Any) -> None:
    with pytest.raises(codec.CodecError, match="malformed PlaceOrder"):
        codec.decode(_payload_with(PlaceOrder, field, value))


@pytest.mark.parametrize(("field", "value"), WRONG_TYPES)
def test_fields_of_the_wrong_type_are_refused_before_journalling(field: str, value: Any) -> None:
    cmd = _sample(PlaceOrder, 0)
    if _planted(cmd, field, value):
        with pytest.raises(codec.CodecError, match=f"PlaceOrder.{field} must be"):
            codec.check(cmd)
    else:  # what the object holds has its declared type and journals exactly
        codec.check(cmd)
        assert codec.decode(codec.encode(cmd)) == cmd


def test_values_msgpack_cannot_hold_are_a_codec_error() -> None:
    cmd = _sample(PlaceOrder, 0)
    assert isinstance(cmd, PlaceOrder)
    codec.check(cmd)
    cmd.quantity = 2**70
    with pytest.raises(codec.CodecError, match="cannot encode PlaceOrder"):
        codec.encode(cmd)


@pytest.mark.parametrize("cls", COMMAND_TYPES, ids=lambda cls: cls.__name__)
def test_every_field_of_every_command_is_type_checked(cls: type[Command]) -> None:
    codec.check(_sample(cls, 1))
    for field in dataclasses.fields(cls):
        with pytest.raises(codec.CodecError, match=rf"malformed {cls.__name__}"):
            codec.decode(_payload_with(cls, field.name, 0.5))
        cmd = _sample(cls, 1)
        if _planted(cmd, field.name, 0.5):
            with pytest.raises(codec.CodecError, match=rf"{cls.__name__}\.{field.name} must be"):
                codec.check(cmd)
