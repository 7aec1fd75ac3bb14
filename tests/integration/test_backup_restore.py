"""The backup and restore steps of docs/operations.md, followed to the letter.

A real ``aurex serve`` process takes a user through sign-up and two-factor login
and trades for her. While it runs, ``aurex backup`` copies the data directory. The
server stops, the data directory is destroyed (moved aside) and copied back from the
backup, ``aurex verify`` passes, and the restored server recovers exactly the
trading state it had (seq and state hash) and lets the same user log in with her
password and a mailed code, with her cash where it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from aurex.engine.recovery import SNAPSHOT_SUBDIR
from aurex.engine.replay import replay
from aurex.engine.snapshot import SnapshotStore

from .serve_process import PASSWORD, latest_code, serve, sign_up_and_log_in

AUREX = str(Path(sys.executable).with_name("aurex"))
EMAIL = "rhea@example.com"


def _aurex(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUREX_")}
    return subprocess.run(
        [AUREX, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def _account(client: httpx.Client, token: str) -> dict[str, object]:
    response = client.get("/api/account", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_a_backup_taken_while_running_restores_trading_state_and_logins(
    tmp_path: Path,
) -> None:
    backup_dir = tmp_path / "backups" / "aurex-1"
    with serve(tmp_path) as server, server.client(timeout=10.0) as client:
        data_dir = server.data_dir
        tokens = sign_up_and_log_in(client, data_dir, EMAIL).json()
        before = _account(client, tokens["sessionToken"])
        copied = _aurex("backup", "--data-dir", str(data_dir), "--to", str(backup_dir))
        assert copied.returncode == 0, copied.stderr
        assert "database     aurex.db (SQLite online backup)" in copied.stdout
    original = replay(data_dir)
    assert original.accounts >= 1

    checked = _aurex("verify", "--data-dir", str(backup_dir))
    assert checked.returncode == 0, checked.stdout
    data_dir.rename(tmp_path / "var.broken")  # destroy, as the docs say: move it aside
    subprocess.run(["cp", "-a", str(backup_dir), str(data_dir)], check=True)
    assert _aurex("verify", "--data-dir", str(data_dir)).returncode == 0

    with serve(tmp_path) as server, server.client(timeout=10.0) as client:
        login = client.post("/api/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert login.status_code == 200 and login.json()["requiresTwoFactor"], login.text
        code = latest_code(data_dir / "mail")
        verified = client.post("/api/auth/verify-2fa", json={"email": EMAIL, "code": code})
        assert verified.status_code == 200, verified.text
        after = _account(client, verified.json()["sessionToken"])
        assert after["cashCents"] == before["cashCents"]
    final = next(SnapshotStore(data_dir / SNAPSHOT_SUBDIR).load())  # written on stop
    assert (final.seq, final.state_hash) == (original.last_seq, original.state_hash)
