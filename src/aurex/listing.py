"""Turn a symbol file (JSON list of listings) into ``AddSymbol`` commands."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from aurex.core.commands import AddSymbol

_FIELDS = frozenset(AddSymbol.__dataclass_fields__) - {"seq", "ts_ns"}


def parse_listings(text: str) -> list[AddSymbol]:
    """Parse a JSON array of listings; unknown keys are an error, not ignored."""
    raw: Any = json.loads(text)
    if not isinstance(raw, list):
        raise ValueError("symbol file must hold a JSON array")
    commands = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise ValueError(f"listing must be an object, got {entry!r}")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise ValueError(f"unknown listing fields {sorted(unknown)} in {entry!r}")
        commands.append(AddSymbol(**entry))
    return commands


def load_listings(path: Path | None = None) -> list[AddSymbol]:
    """Listings from ``path``, or the ten symbols shipped with Aurex."""
    if path is not None:
        return parse_listings(path.read_text(encoding="utf-8"))
    shipped = resources.files("aurex").joinpath("data/symbols.json")
    return parse_listings(shipped.read_text(encoding="utf-8"))
