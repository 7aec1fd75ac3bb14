"""Settings from a TOML file besides ``AUREX_*`` variables, and ``aurex config``."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from aurex.config import Settings
from aurex.config_file import ConfigFileError

DB_PASSWORD = "db-pa55word"
TOKEN = "metrics-t0ken"


def write_config(path: Path, extra: str = "") -> Path:
    path.write_text(
        "http_port = 4100\n"
        'durability = "batch"\n'
        f'database_url = "postgresql+asyncpg://aurex:{DB_PASSWORD}@db.internal:5432/aurex"\n'
        f'metrics_token = "{TOKEN}"\n'
        "shutdown_timeout_s = 4.5\n" + extra
    )
    return path


def aurex(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AUREX_")}
    return subprocess.run(
        [sys.executable, "-m", "aurex.cli", *args],
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_aurex_config_prints_file_and_environment_with_secrets_masked(tmp_path: Path) -> None:
    config = write_config(tmp_path / "aurex.toml")
    done = aurex("--config", str(config), "config", env={"AUREX_HTTP_PORT": "4200"})
    assert done.returncode == 0, done.stderr
    printed = tomllib.loads(done.stdout)  # the output is itself a TOML settings file
    assert printed["http_port"] == 4200  # the variable wins over the file
    assert printed["durability"] == "batch"  # from the file
    assert printed["shutdown_timeout_s"] == 4.5
    assert printed["grpc_port"] == 50051  # a default
    assert printed["database_url"] == "postgresql+asyncpg://aurex:***@db.internal:5432/aurex"
    assert printed["metrics_token"] == "***"
    assert DB_PASSWORD not in done.stdout and TOKEN not in done.stdout
    assert str(config) in done.stdout.splitlines()[0]


def test_the_file_can_be_named_by_aurex_config_file(tmp_path: Path) -> None:
    config = write_config(tmp_path / "aurex.toml")
    done = aurex("config", env={"AUREX_CONFIG_FILE": str(config)})
    assert done.returncode == 0, done.stderr
    assert tomllib.loads(done.stdout)["http_port"] == 4100


def test_unknown_settings_and_missing_files_are_refused(tmp_path: Path) -> None:
    typo = write_config(tmp_path / "typo.toml", "htp_port = 1\n")
    done = aurex("--config", str(typo), "serve", env={})
    assert done.returncode == 2
    assert "unknown setting(s) htp_port" in done.stderr
    missing = aurex("config", env={"AUREX_CONFIG_FILE": str(tmp_path / "nowhere.toml")})
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    bad = write_config(tmp_path / "bad.toml", 'log_format = "xml"\n')
    invalid = aurex("--config", str(bad), "config", env={})
    assert invalid.returncode == 2 and "log_format" in invalid.stderr


def test_settings_in_code_win_over_variables_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "aurex.toml")
    monkeypatch.setenv("AUREX_CONFIG_FILE", str(config))
    monkeypatch.setenv("AUREX_DURABILITY", "none")
    settings = Settings(http_port=4300)
    assert settings.http_port == 4300
    assert settings.durability == "none"
    assert settings.metrics_token == TOKEN
    assert settings.config_file == config
    monkeypatch.setenv("AUREX_CONFIG_FILE", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigFileError):
        Settings()
