"""Which build of the pure core runs: compiled with mypyc, or interpreted.

``tools/build_native.py`` (run by ``make``) compiles ``aurex.core`` and
``aurex.marketdata`` in place; Python then prefers the extension modules to the
``.py`` files beside them. Both builds run the same source. :func:`select`, called
once when ``aurex`` is imported, decides before any core module loads:

* ``AUREX_PURE_PYTHON=1`` forces the interpreted modules (tests compare the two);
* compiled modules whose sources changed since the build are not used (a stale
  extension would silently run old code), so an edit takes effect at once and
  ``make`` compiles it again.

The compiled modules share one native library, so it is all or nothing.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE_DIR = Path(__file__).resolve().parent
COMPILED_PACKAGES = ("core", "marketdata")
RECORD = PACKAGE_DIR / "_native_build.txt"
"""Digest of the sources the extension modules were compiled from."""
FORCE_ENV = "AUREX_PURE_PYTHON"
_PREFIXES = tuple(f"aurex.{name}." for name in COMPILED_PACKAGES)
_EXTENSION_SUFFIXES = tuple(importlib.machinery.EXTENSION_SUFFIXES)

BUILD = "interpreted"
"""What :func:`select` chose: ``compiled`` or ``interpreted (<why>)``."""


def compiled_sources() -> list[Path]:
    """The modules mypyc compiles: every module of the pure packages but their ``__init__``."""
    return sorted(
        path
        for name in COMPILED_PACKAGES
        for path in (PACKAGE_DIR / name).glob("*.py")
        if path.name != "__init__.py"
    )


def extension_files() -> list[Path]:
    """Compiled modules present in the source tree, with their shared native library."""
    candidates = [*(PACKAGE_DIR / name for name in COMPILED_PACKAGES), PACKAGE_DIR]
    return sorted(
        path
        for directory in candidates
        for path in directory.iterdir()
        if path.name.endswith(_EXTENSION_SUFFIXES)
        and (directory != PACKAGE_DIR or path.name.startswith("_native__mypyc"))
    )


def source_digest() -> str:
    """SHA-256 over the compiled modules' names and contents."""
    digest = hashlib.sha256()
    for path in compiled_sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class _SourceOnly(importlib.abc.MetaPathFinder):
    """Loads the pure packages' modules from their ``.py`` files, ignoring extensions."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PREFIXES):
            return None
        leaf = fullname.rpartition(".")[2] + ".py"
        for entry in path or ():
            candidate = Path(entry) / leaf
            if candidate.is_file():
                return importlib.util.spec_from_file_location(fullname, candidate)
        return None


def _reason_not_compiled() -> str | None:
    if os.environ.get(FORCE_ENV, "") not in ("", "0"):
        return f"forced by {FORCE_ENV}"
    if not extension_files():
        return "not compiled: no C compiler at install, or `make` not run"
    try:
        recorded = RECORD.read_text(encoding="utf-8").strip()
    except OSError:
        return "compiled modules without a build record; run `make`"
    if recorded != source_digest():
        return "sources changed since the core was compiled; `make` compiles them again"
    return None


def select() -> str:
    """Choose the build for this process (before any core module is imported)."""
    global BUILD
    reason = _reason_not_compiled()
    if reason is None:
        BUILD = "compiled"
    else:
        BUILD = f"interpreted ({reason})"
        if not any(isinstance(f, _SourceOnly) for f in sys.meta_path):
            sys.meta_path.insert(0, _SourceOnly())
    return BUILD


def is_compiled() -> bool:
    """Whether the loaded core really is the compiled one."""
    from aurex.core import exchange

    return (exchange.__file__ or "").endswith(_EXTENSION_SUFFIXES)


def describe() -> str:
    """One line for logs and ``aurex --version``."""
    from aurex import __version__

    kind = "compiled with mypyc" if is_compiled() else BUILD
    return f"aurex {__version__}, core {kind}"
