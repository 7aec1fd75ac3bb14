"""The ``aurex`` command line: a demo run leaves a journal that ``aurex replay`` rebuilds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aurex.cli import main
from aurex.core.events import TradeExecuted
from aurex.engine.recovery import iter_events


def _free_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_demo_then_replay_reports_the_live_state_hash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "var"
    env = os.environ | {"AUREX_DATA_DIR": str(data_dir), "AUREX_HTTP_PORT": _free_port()}
    demo = subprocess.run(
        [sys.executable, "-m", "aurex.cli", "demo", "--seconds", "3", "--no-console"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    assert "Aurex is running at http://127.0.0.1:" in demo.stdout
    assert "every acknowledged command is in the journal" in demo.stdout

    trades = sum(
        isinstance(e, TradeExecuted) for _, events in iter_events(data_dir, 0) for e in events
    )
    assert trades > 0, "the simulated traders should have traded"

    assert main(["replay", "--data-dir", str(data_dir)]) == 0
    report = capsys.readouterr().out
    assert f"trades       {trades:,}" in report
    assert "snapshots    seq" in report and "ok" in report
