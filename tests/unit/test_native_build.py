"""The compiled-core build step and the choice of build at import.

Without a C compiler the build leaves the core interpreted; compiled modules older
than their sources are never loaded. Both run on a copy of the tree, whose planted
"compiled" modules are junk that would crash the process if it loaded them.
"""

from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _copy_of_the_tree(tmp_path: Path) -> Path:
    """The build script and the packages it compiles, with junk 'compiled' modules."""
    copy = tmp_path / "aurex-copy"
    shutil.copytree(ROOT / "tools", copy / "tools")
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    package = copy / "src" / "aurex"
    package.mkdir(parents=True)
    for name in ("__init__.py", "native.py"):
        shutil.copy(ROOT / "src" / "aurex" / name, package / name)
    for name in ("core", "marketdata"):
        shutil.copytree(
            ROOT / "src" / "aurex" / name,
            package / name,
            ignore=shutil.ignore_patterns("*.so", "__pycache__"),
        )
    (package / f"_native__mypyc{SUFFIX}").write_bytes(b"not a real library")
    (package / "core" / f"exchange{SUFFIX}").write_bytes(b"not a real library")
    return copy


def _describe(copy: Path) -> tuple[str, str]:
    """What a process importing the copy says it runs, and where ``exchange`` came from."""
    env = {k: v for k, v in os.environ.items() if k != "AUREX_PURE_PYTHON"}
    env["PYTHONPATH"] = str(copy / "src")
    code = "import aurex.native as n, aurex.core.exchange as e; print(n.describe(), e.__file__)"
    run = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    described, _, module_file = run.stdout.strip().rpartition(" ")
    return described, module_file


def test_without_a_c_compiler_the_build_leaves_the_core_interpreted(tmp_path: Path) -> None:
    copy = _copy_of_the_tree(tmp_path)
    build = subprocess.run(
        [sys.executable, copy / "tools" / "build_native.py"],
        env={**os.environ, "CC": "/bin/false"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "no working C compiler; the core runs interpreted" in build.stdout
    assert not list((copy / "src").rglob(f"*{SUFFIX}"))  # leftovers are removed
    described, module_file = _describe(copy)
    assert "core interpreted (not compiled" in described
    assert module_file == str(copy / "src" / "aurex" / "core" / "exchange.py")


def test_compiled_modules_older_than_their_sources_are_not_loaded(tmp_path: Path) -> None:
    copy = _copy_of_the_tree(tmp_path)
    (copy / "src" / "aurex" / "_native_build.txt").write_text("0" * 64 + "\n")
    described, module_file = _describe(copy)
    assert "core interpreted (sources changed since the core was compiled" in described
    assert module_file == str(copy / "src" / "aurex" / "core" / "exchange.py")
