"""``aurex.client`` stands alone: it imports nothing else from aurex, so it can be
installed and used without the exchange; prices never travel as floats."""

from __future__ import annotations

import ast
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from aurex.client._protocol import price_text

CLIENT = Path(__file__).resolve().parents[3] / "src" / "aurex" / "client"
THIRD_PARTY = {"httpx", "websockets", "msgspec"}


@pytest.mark.parametrize("path", sorted(CLIENT.glob("*.py")), ids=lambda p: p.name)
def test_client_modules_import_only_the_client_stdlib_and_its_dependencies(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
        for name in names:
            top = name.split(".")[0]
            if top == "aurex":
                assert name.startswith("aurex.client"), f"{path.name} imports {name}"
            else:
                assert top in sys.stdlib_module_names or top in THIRD_PARTY | {"__future__"}, (
                    f"{path.name} imports {name}"
                )


def test_importing_the_client_loads_no_other_aurex_module() -> None:
    """Beyond what importing the package root ``aurex`` itself loads."""
    code = (
        "import sys, aurex; before = set(sys.modules); import aurex.client; "
        "print(sorted(m for m in set(sys.modules) - before if m.startswith('aurex')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = ast.literal_eval(out.stdout)
    assert loaded and all(m.startswith("aurex.client") for m in loaded), loaded


def test_prices_go_out_as_exact_decimal_strings_and_floats_are_refused() -> None:
    assert price_text(Decimal("234.50")) == "234.50"
    assert price_text("10.05") == "10.05"
    assert price_text(12) == "12"
    with pytest.raises(TypeError):
        price_text(234.5)  # type: ignore[arg-type]
