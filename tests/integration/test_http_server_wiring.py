"""``aurex serve`` wires the HTTP hardening from its settings (issue 9, findings 2, 3, 6, 9).

A real server process: TLS and the body limit come from ``AUREX_*`` settings,
/healthz reports the database, the session stores and the journal, and a damaged
database stops start-up with one line instead of a traceback.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx

from .serve_process import free_port, serve
from .test_http_server_health import _damage_table
from .test_http_server_tls_proxies import HSTS, _self_signed


def test_serve_takes_tls_and_limits_from_settings_and_reports_its_checks(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    env = {
        "AUREX_TLS_CERT_FILE": str(cert),
        "AUREX_TLS_KEY_FILE": str(key),
        "AUREX_HTTP_MAX_BODY_BYTES": "1024",
    }
    with serve(tmp_path, env) as server:
        assert server.url.startswith("https://")
        with server.client(timeout=5.0) as client:
            health = client.get("/healthz")
            assert health.status_code == 200, health.text
            assert health.headers[HSTS].startswith("max-age=")
            assert health.json()["checks"] == {"database": "ok", "stores": "ok", "journal": "ok"}
            big = client.post(
                "/api/auth/login",
                content=b'{"email": "' + b"a" * 2048 + b'"}',
                headers={"Content-Type": "application/json"},
            )
            assert big.status_code == 413
            assert set(big.json()) == {"code", "message"}
        trust = ssl.create_default_context(cafile=str(cert))
        assert httpx.get(f"{server.url}/readyz", verify=trust).json()["ready"] is True


def test_serve_refuses_a_damaged_database_in_one_line(tmp_path: Path) -> None:
    with serve(tmp_path) as server:
        data_dir = server.data_dir
    _damage_table(data_dir / "aurex.db", "users")
    env = os.environ | {"AUREX_DATA_DIR": str(data_dir), "AUREX_HTTP_PORT": str(free_port())}
    started = subprocess.run(
        [sys.executable, "-m", "aurex.cli", "serve", "--no-console"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode == 2, started.stderr[-3000:]
    assert "Traceback" not in started.stderr
    last = started.stderr.strip().splitlines()[-1]
    assert last.startswith("aurex: refusing to start: database ")
    assert "malformed" in last and str(data_dir / "aurex.db") in last
