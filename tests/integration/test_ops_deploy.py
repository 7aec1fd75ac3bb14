"""The deployment files agree with ``config.py``: every variable they set is a setting
that loads, the ports and health probes are the ones Aurex serves, images are pinned,
and the Prometheus alert rules pass ``promtool`` (syntax and unit tests)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from aurex.config import Settings
from aurex.gateways.http.ops_routes import Probes, ops_router

from .conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
PORTS = {Settings.model_fields[f"{name}_port"].default for name in ("http", "grpc", "tcp")}


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """``Settings`` as the deployed process would load them from ``env``."""
    fields = {f"AUREX_{name.upper()}" for name in Settings.model_fields}
    unknown = sorted(n for n in set(env) - fields if n.startswith("AUREX_"))
    assert not unknown, f"variables that are no setting of config.py: {unknown}"
    for name in [n for n in os.environ if n.startswith("AUREX_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, re.sub(r"\$\{(\w+)[^}]*\}", "placeholder", value))
    return Settings()


def dockerfile() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(instructions, ENV) of the Dockerfile, continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    env: dict[str, str] = {}
    for keyword, rest in instructions:
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(rest))
    return instructions, env


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def k8s() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((ROOT / "deploy" / "k8s").glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def served_paths() -> set[str]:
    probes = Probes(lambda: True, lambda: 0, lambda: 0, lambda: 0)
    return {getattr(route, "path", "") for route in ops_router(probes).routes}


def assert_pinned(image: str) -> None:
    name, _, tag = image.rpartition(":")
    assert name and tag and tag != "latest", f"image {image!r} is not pinned to a version"


def test_the_dockerfile_runs_aurex_serve_with_settings_config_py_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instructions, env = dockerfile()
    base = next(rest for keyword, rest in instructions if keyword == "FROM")
    assert_pinned(base)
    assert base.startswith("python:3.11")
    settings = settings_from(env, monkeypatch)
    assert settings.host == "0.0.0.0"
    assert {settings.http_port, settings.grpc_port, settings.tcp_port} == PORTS
    exposed = {
        int(p) for keyword, rest in instructions if keyword == "EXPOSE" for p in rest.split()
    }
    assert exposed == PORTS
    health = next(rest for keyword, rest in instructions if keyword == "HEALTHCHECK")
    assert "/healthz" in health and "AUREX_HTTP_PORT" in health
    command = next(rest for keyword, rest in instructions if keyword == "CMD")
    assert '"aurex", "serve"' in command
    assert ("USER", "aurex") in instructions
    assert ("VOLUME", f'["{settings.data_dir}"]') in instructions


def test_compose_wires_aurex_to_its_postgres_and_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "aurex"} <= services.keys()
    for service in services.values():
        assert_pinned(service["image"])
    aurex = services["aurex"]
    settings = settings_from(aurex["environment"], monkeypatch)
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert re.search(r"@postgres:5432/", settings.database_url)
    assert settings.redis_url.startswith("redis://redis:6379/")
    assert {int(p.split("#")[0].split(":")[-1]) for p in aurex["ports"]} == PORTS
    assert "/var/lib/aurex" in {v.split(":")[1] for v in aurex["volumes"]}
    assert str(settings.data_dir) == "/var/lib/aurex"
    assert "/healthz" in " ".join(aurex["healthcheck"]["test"])
    assert "/healthz" in served_paths()
    assert {d: c["condition"] for d, c in aurex["depends_on"].items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
    }
    grace_s = int(aurex["stop_grace_period"].rstrip("s"))
    assert grace_s > settings.shutdown_timeout_s
    postgres_env = services["postgres"]["environment"]
    assert f"{postgres_env['POSTGRES_USER']}:" in settings.database_url
    assert settings.database_url.endswith("/" + postgres_env["POSTGRES_DB"])


def test_kubernetes_manifests_match_the_settings_and_probes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs = k8s()
    by_kind_name = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    config = by_kind_name[("ConfigMap", "aurex-config")]["data"]
    secrets = by_kind_name[("Secret", "aurex-secrets")]["stringData"]
    settings = settings_from({**config, **secrets}, monkeypatch)
    assert {settings.http_port, settings.grpc_port, settings.tcp_port} == PORTS

    workload = by_kind_name[("StatefulSet", "aurex")]
    assert workload["spec"]["replicas"] == 1  # the single writer of its journal
    pod = workload["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > settings.shutdown_timeout_s
    (container,) = pod["containers"]
    assert_pinned(container["image"])
    refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    assert refs == {"aurex-config", "aurex-secrets"}
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {
        "http": settings.http_port,
        "grpc": settings.grpc_port,
        "tcp": settings.tcp_port,
    }
    paths = served_paths()
    for probe, path in (
        ("startupProbe", "/healthz"),
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
    ):
        get = container[probe]["httpGet"]
        assert get["path"] == path and path in paths
        assert get["port"] in ports
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["data"] == str(settings.data_dir)

    service = by_kind_name[("Service", "aurex")]
    assert {p["name"]: p["port"] for p in service["spec"]["ports"]} == ports
    assert {p["targetPort"] for p in service["spec"]["ports"]} == set(ports)

    # The secret's database and Redis hosts are the dependencies' services.
    services = {name for kind, name in by_kind_name if kind == "Service"}
    db_host = re.search(r"@([\w-]+):5432/", settings.database_url)
    redis_host = re.search(r"redis://([\w-]+):6379/", settings.redis_url)
    assert db_host and db_host.group(1) in services
    assert redis_host and redis_host.group(1) in services
    for doc in docs:
        for c in doc.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
            assert_pinned(c["image"])


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        unavailable("promtool", "install the Debian package 'prometheus'")
    return found


@pytest.mark.parametrize(
    "args",
    [
        ("check", "rules", "alerts.yml"),
        ("test", "rules", "alerts_test.yml"),
        ("check", "config", "prometheus.yml"),
    ],
    ids=" ".join,
)
def test_prometheus_rules_and_config_pass_promtool(args: tuple[str, ...]) -> None:
    done = subprocess.run(
        [promtool(), *args],
        cwd=ROOT / "deploy" / "prometheus",
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_alert_rules_cover_the_specs_alerts_with_metrics_aurex_exports() -> None:
    rules = yaml.safe_load((ROOT / "deploy" / "prometheus" / "alerts.yml").read_text())
    exprs = {r["alert"]: r["expr"] for g in rules["groups"] for r in g["rules"]}
    wanted = {
        "AurexMatchingLatencyHigh": "aurex_matching_latency_seconds_bucket",
        "AurexCpuHigh": "process_cpu_seconds_total",
        "AurexMemoryHigh": "aurex_memory_limit_bytes",
        "AurexDatabaseFailing": 'check="database"',
        "AurexRedisFailing": 'check="stores"',
        "AurexDiskAlmostFull": "aurex_data_dir_free_bytes",
        "AurexDiskSaturated": "aurex_journal_commit_seconds_bucket",
    }
    for alert, needle in wanted.items():
        assert needle in exprs[alert], alert
    assert "> 0.001" in exprs["AurexMatchingLatencyHigh"]  # p95 over 1 ms
    assert "0.95" in exprs["AurexMatchingLatencyHigh"]
