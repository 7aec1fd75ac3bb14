"""The core, market data and read side stay pure: standard library and aurex.core only."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "aurex"
PURE_PACKAGES = ("core", "marketdata", "readside")
ALLOWED_AUREX = ("aurex.core", "aurex.marketdata", "aurex.readside")
FORBIDDEN_STDLIB = {
    "time",
    "random",
    "socket",
    "asyncio",
    "threading",
    "os",
    "datetime",
    "secrets",
    "uuid",
    "subprocess",
    "io",
    "pathlib",
    "importlib",
}


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pytest.fail(f"{path}: relative import; use absolute aurex.* imports")
            names.append(node.module or "")
    return names


def _pure_modules() -> list[Path]:
    return sorted(p for pkg in PURE_PACKAGES for p in (SRC / pkg).rglob("*.py"))


@pytest.mark.parametrize("path", _pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_module_imports_only_stdlib_and_core(path: Path) -> None:
    for name in _imports(path):
        top = name.split(".")[0]
        if top == "aurex":
            assert name.startswith(ALLOWED_AUREX), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "__future__", (
                f"{path.name} imports third-party {name}"
            )
            assert top not in FORBIDDEN_STDLIB, f"{path.name} imports {name}: clock/IO/randomness"


def test_core_does_not_import_marketdata() -> None:
    for path in (SRC / "core").rglob("*.py"):
        assert not any(n.startswith("aurex.marketdata") for n in _imports(path)), path.name


def test_there_are_pure_modules_to_check() -> None:
    assert len(_pure_modules()) >= 10
