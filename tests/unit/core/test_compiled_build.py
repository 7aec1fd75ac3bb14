"""The compiled (mypyc) and interpreted builds of the core behave byte for byte alike.

This process runs the build users run (compiled when ``make`` found a C compiler);
a child process is forced onto the interpreted modules with ``AUREX_PURE_PYTHON``.
Both replay the same encoded random command streams.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aurex import native
from aurex.engine import codec
from tests.property.command_stream import random_stream

from .build_digest import digest

SCRIPT = Path(__file__).with_name("build_digest.py")


def _interpreted(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, native.FORCE_ENV: "1"}
    return subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=True
    )


@pytest.mark.parametrize("seed", [3, 11])
def test_compiled_and_interpreted_builds_give_identical_events_and_state(
    seed: int, tmp_path: Path
) -> None:
    payloads = [codec.encode(cmd) for cmd in random_stream(seed, 3_000)]
    journal = tmp_path / "commands.hex"
    journal.write_text("\n".join(p.hex() for p in payloads), encoding="ascii")

    here = digest(payloads)
    there = json.loads(_interpreted(str(SCRIPT), str(journal)).stdout)

    assert there.pop("compiled") is False
    assert here.pop("compiled") is native.is_compiled()
    assert here["events"] > 4_000
    assert here == there


def test_fresh_compiled_modules_are_the_ones_loaded() -> None:
    """When the compiled core matches the sources, this process runs it."""
    fresh = native.extension_files() and native.RECORD.is_file()
    if fresh and native.RECORD.read_text().strip() == native.source_digest():
        assert native.is_compiled()
        assert native.BUILD == "compiled"
    else:
        assert not native.is_compiled()
        assert native.BUILD.startswith("interpreted")


def test_the_interpreted_build_can_be_forced_and_says_so() -> None:
    code = "from aurex import native; print(native.describe()); print(native.is_compiled())"
    described, compiled = _interpreted("-c", code).stdout.split("\n")[:2]
    assert compiled == "False"
    assert described.startswith("aurex ") and "core interpreted (forced by" in described
