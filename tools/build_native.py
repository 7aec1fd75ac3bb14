"""Compile the pure core (``aurex.core``, ``aurex.marketdata``) with mypyc, in place.

The same typed Python runs interpreted wherever this is not run or no C compiler is
found: the extension modules sit next to their sources and Python prefers them on
import. ``aurex.native`` records which sources were compiled (a hash), so an edit
after the build falls back to the interpreted modules instead of running stale code.

    python tools/build_native.py          # compile if a C compiler is present
    python tools/build_native.py --clean  # remove the compiled modules
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from aurex import native  # noqa: E402  (the source tree, not an installed copy)


def compiler_works() -> bool:
    """Whether the C compiler Python's build uses (``$CC`` or the configured one) runs."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    argv = cc.split()
    if shutil.which(argv[0]) is None:
        return False
    try:
        probe = subprocess.run([*argv, "--version"], capture_output=True, timeout=30)
    except OSError:
        return False
    return probe.returncode == 0


def clean() -> None:
    """Delete compiled modules and the build record: the interpreted build remains."""
    for path in native.extension_files():
        path.unlink()
    native.RECORD.unlink(missing_ok=True)


def build() -> None:
    from mypyc.build import mypycify
    from setuptools import Distribution

    sources = [str(p.relative_to(ROOT)) for p in native.compiled_sources()]
    os.chdir(ROOT)
    extensions = mypycify(
        ["--config-file", "pyproject.toml", *sources],
        opt_level="3",
        group_name="aurex._native",
        target_dir=str(ROOT / "build" / "mypyc"),
    )
    dist = Distribution({"name": "aurex-native", "ext_modules": extensions})
    dist.package_dir = {"": "src"}
    cmd = dist.get_command_obj("build_ext")
    cmd.inplace = True
    cmd.build_temp = str(ROOT / "build" / "temp")
    cmd.ensure_finalized()
    cmd.run()
    native.RECORD.write_text(native.source_digest() + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="remove the compiled modules")
    args = parser.parse_args()
    if args.clean:
        clean()
        print("aurex: compiled core removed; the interpreted build runs")
        return 0
    if not compiler_works():
        clean()
        print("aurex: no working C compiler; the core runs interpreted (pure Python)")
        return 0
    try:
        build()
    except (Exception, SystemExit) as exc:  # a broken toolchain must not stop an install
        clean()
        print(f"aurex: compiling the core failed ({exc}); it runs interpreted", file=sys.stderr)
        return 0
    print(f"aurex: core compiled with mypyc ({len(native.extension_files())} modules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
