"""The gateway benchmark runs end to end: ``bench/gateways.py --quick`` starts a real
``aurex serve``, drives every phase and ends with its JSON line. Only that it works
is checked, never how fast (the machine is shared)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "gateways.py"

KEYS = {
    "rest_orders_per_s",
    "rest_order_p50_us",
    "rest_order_p99_us",
    "ws_updates_per_s",
    "ws_clients",
    "ws_latency_p99_us",
    "tcp_rtt_p50_us",
    "tcp_rtt_p99_us",
    "tcp_pipelined_orders_per_s",
    "grpc_unary_p50_us",
    "grpc_unary_p99_us",
    "grpc_stream_orders_per_s",
    "fsync_p50_us",
    "baseline_echo_per_s",
    "rest_vs_baseline",
    "tcp_rtt_p50_over_fsync_us",
}


def test_quick_gateway_benchmark_ends_with_every_number() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    missing = KEYS - summary.keys()
    assert not missing, f"missing keys {sorted(missing)}"
    unmeasured = sorted(k for k in KEYS if summary[k] is None)
    assert not unmeasured, f"phases that ran but measured nothing: {unmeasured}"
