"""Binary form of stamped commands, as stored in journal frames.

A command is a msgpack array ``[tag, seq, ts_ns, field, ...]`` with the fields
in the order the dataclass declares them; enums are stored as their integer
values and restored to the enum on decode. Tags are part of the on-disk format:
never renumber them, only add new ones. Likewise a command's fields may only be
appended to, never reordered or removed, without a journal format change.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any, Literal

import msgspec

from aurex.core.commands import (
    COMMAND_TYPES,
    AddSymbol,
    AmendOrder,
    CancelAll,
    CancelOrder,
    Command,
    DelistSymbol,
    Deposit,
    EndOfDay,
    HaltSymbol,
    PlaceOrder,
    ResumeSymbol,
    SetLimits,
    SetReferencePrice,
    Withdraw,
)

TAGS: dict[type[Command], int] = {
    PlaceOrder: 1,
    CancelOrder: 2,
    AmendOrder: 3,
    CancelAll: 4,
    Deposit: 5,
    Withdraw: 6,
    SetLimits: 7,
    AddSymbol: 8,
    HaltSymbol: 9,
    ResumeSymbol: 10,
    EndOfDay: 11,
    SetReferencePrice: 12,
    DelistSymbol: 13,
}
"""Stable wire tag of every command type (0 is never used)."""


MAX_PAYLOAD_BYTES = 1 << 20
"""Largest encoded command; a journal frame's length field is checked against it."""


class CodecError(ValueError):
    """Bytes that do not hold a valid encoded command."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Spec:
    tag: int
    cls: type[Command]
    decoder: msgspec.msgpack.Decoder[tuple[Any, ...]]
    names: tuple[str, ...]
    types: tuple[type, ...]
    row: Callable[[Command], tuple[Any, ...]]
    """``(tag, seq, ts_ns, field, ...)``: the array that is encoded."""
    exact_types: Callable[[Command], bool]
    """Whether every field holds exactly its declared type."""
    build: Callable[[tuple[Any, ...]], Command]
    """The command from a decoded array, through its constructor."""


def _compile(body: str, namespace: dict[str, Any], arg: str = "cmd") -> Callable[[Any], Any]:
    """``lambda <arg>: <body>`` as a named function, built with ``exec``.

    Encoding and checking run for every command; straight-line attribute reads
    (the way ``dataclasses`` builds ``__init__``) are two to three times faster
    than ``attrgetter`` over all fields and ``tuple(map(type, values))``. The
    bodies only interpolate dataclass field names, which are identifiers.
    """
    exec(f"def compiled({arg}):\n    return {body}\n", namespace)
    function: Callable[[Any], Any] = namespace["compiled"]
    return function


def _spec(cls: type[Command], tag: int) -> _Spec:
    names = tuple(f.name for f in dataclasses.fields(cls))
    hints = typing.get_type_hints(cls)
    if len(names) > 14:
        raise TypeError(f"{cls.__name__} has too many fields for the fixarray layout")
    items: list[Any] = [Literal[tag], *(hints[n] for n in names)]
    shape: Any = tuple.__class_getitem__(tuple(items))
    types = tuple(hints[n] for n in names)
    row = _compile(f"({tag}, {', '.join(f'cmd.{n}' for n in names)})", {})
    exact_types = _compile(
        " and ".join(f"type(cmd.{n}) is _t{i}" for i, n in enumerate(names)),
        {f"_t{i}": t for i, t in enumerate(types)},
    )
    # Keywords through the constructor: compiled (mypyc) classes cannot be filled in
    # with object.__new__ and object.__setattr__, and their __init__ is native code.
    build = _compile(
        f"_cls({', '.join(f'{n}=v[{i}]' for i, n in enumerate(names, 1))})", {"_cls": cls}, "v"
    )
    decoder = msgspec.msgpack.Decoder(shape)
    return _Spec(tag, cls, decoder, names, types, row, exact_types, build)


_BY_TYPE: dict[type[Command], _Spec] = {cls: _spec(cls, tag) for cls, tag in TAGS.items()}
_BY_TAG: dict[int, _Spec] = {s.tag: s for s in _BY_TYPE.values()}
_ENCODER = msgspec.msgpack.Encoder()

_missing = [t.__name__ for t in COMMAND_TYPES if t not in TAGS]
if _missing:
    raise RuntimeError(f"journal codec has no tag for {_missing}; add one to TAGS")


def is_encodable(cmd: object) -> bool:
    """Whether ``cmd`` is an instance of a command type the journal can hold."""
    return type(cmd) in _BY_TYPE


def check(cmd: Command) -> None:
    """Raise ``CodecError`` unless every field holds exactly its declared type
    (``TypeError`` if ``cmd`` is not an instance of a command type).

    Replay rebuilds fields with their declared types, so a command holding, say,
    ``True`` for a quantity or a bare int for a ``Side`` could behave differently
    live than when replayed; such commands must never reach the journal.
    """
    spec = _BY_TYPE.get(type(cmd))
    if spec is None:
        raise TypeError(f"{type(cmd).__name__} is not a journal command type")
    if spec.exact_types(cmd):
        return
    for name, expected, value in zip(spec.names, spec.types, spec.row(cmd)[1:], strict=True):
        if type(value) is not expected:
            raise CodecError(
                f"{spec.cls.__name__}.{name} must be {expected.__name__}, "
                f"got {type(value).__name__}"
            )


def encode(cmd: Command) -> bytes:
    """Encode a stamped command. Raises ``CodecError`` for an unknown type, a value
    msgpack cannot hold or a payload larger than ``MAX_PAYLOAD_BYTES``."""
    spec = _BY_TYPE.get(type(cmd))
    if spec is None:
        raise CodecError(f"cannot encode {type(cmd).__name__}: not a journal command type")
    try:
        payload = _ENCODER.encode(spec.row(cmd))
    except (OverflowError, TypeError, UnicodeEncodeError) as exc:
        raise CodecError(f"cannot encode {spec.cls.__name__}: {exc}") from exc
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise CodecError(f"cannot encode {spec.cls.__name__}: over {MAX_PAYLOAD_BYTES} bytes")
    return payload


def decode(payload: bytes | memoryview) -> Command:
    """Rebuild the command encoded in ``payload`` (enums restored)."""
    if len(payload) < 2 or not 0x91 <= payload[0] <= 0x9F:
        raise CodecError("payload is not a command array")
    spec = _BY_TAG.get(payload[1])
    if spec is None:
        raise CodecError(f"unknown command tag {payload[1]}")
    try:
        values = spec.decoder.decode(payload)
    except msgspec.DecodeError as exc:
        raise CodecError(f"malformed {spec.cls.__name__}: {exc}") from exc
    return spec.build(values)


def peek_seq(payload: bytes | memoryview) -> int:
    """The ``seq`` of an encoded command, read without decoding the rest."""
    if len(payload) < 3 or not 0x91 <= payload[0] <= 0x9F or payload[1] > 0x7F:
        raise CodecError("payload is not a command array")
    first = payload[2]
    if first <= 0x7F:
        return first
    width = {0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8}.get(first)
    if width is None or len(payload) < 3 + width:
        raise CodecError("command seq is not an unsigned integer")
    return int.from_bytes(payload[3 : 3 + width], "big")
