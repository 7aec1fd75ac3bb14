"""The output of bench/gateways.py: one table (with the issues' targets beside what was
measured) and one JSON line. A phase that did not run shows as "-" and null."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

Row = tuple[str, str, str, str]


def report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    """Print the table, then the JSON line (always the last line)."""
    summary = summarize(results, args)
    print(
        f"Aurex gateways, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, "
        f"phases {','.join(results['phases'])}{' (--quick)' if args.quick else ''}; "
        "fsync durability: every acknowledgement is durable"
    )
    print(f"  {'':<28} {'measured':>20} {'detail':>34}   target (2 cores)")
    for label, measured, detail, target in rows(results, summary, args):
        if measured in ("-", "p50 -"):
            continue  # a phase that did not run (--only)
        print(f"  {label:<28} {measured:>20} {detail:>34}   {target}")
    for line in notes(results):
        print(f"  {line}")
    print("  waited = runnable but waiting for a CPU (the machine is shared)")
    print(json.dumps(summary))


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} us"


def _rate(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:,.0f} {unit}"


def _fsync(fsync: dict[str, float] | None) -> str:
    return f"before {_us(fsync['before'])}, after {_us(fsync['after'])}" if fsync else ""


def _share(server: dict[str, float] | None, count: float) -> str:
    """Server CPU per item and as a share of a core over the phase."""
    if not server or not server["wall_s"]:
        return ""
    per = f"{server['cpu_s'] / count * 1e6:,.0f} us/order, " if count else ""
    wall = server["wall_s"]
    return f"{per}{server['cpu_s'] / wall:.0%} core, waited {server['waited_s'] / wall:.0%}"


def rows(results: dict[str, Any], s: dict[str, Any], args: argparse.Namespace) -> list[Row]:
    rest, client, ws = results.get("rest"), results.get("client"), results.get("ws")
    echo, grpc, tcp = results.get("echo"), results.get("grpc"), results.get("tcp")
    fsync = s["fsync_p50_us"]
    out: list[Row] = [
        ("fsync (append + fdatasync)", f"p50 {_us(fsync)}", _fsync(results.get("fsync")), "floor"),
        (
            "REST place order",
            _rate(s["rest_orders_per_s"], "orders/s"),
            f"p50 {_us(s['rest_order_p50_us'])} p99 {_us(s['rest_order_p99_us'])}",
            ">= 3,000 orders/s",
        ),
    ]
    if rest:
        out.append(
            (
                "  server CPU",
                "",
                _share(results.get("rest_server"), rest["count"]),
                f"{args.clients} in flight",
            )
        )
        out.append(("  loader CPU", f"{rest['loader_cpu_us']:,.0f} us/order", "", ""))
    out.append(("baseline: FastAPI echo", _rate(s["baseline_echo_per_s"], "req/s"), "", ""))
    if echo:
        out[-1] = (*out[-1][:2], f"p50 {_us(echo['p50_us'])} p99 {_us(echo['p99_us'])}", "")
    out.append(("REST / baseline", f"{s['rest_vs_baseline'] or 0:.2f}" if rest else "-", "", ""))
    if client:
        out.append(
            (
                "REST via AsyncAurexClient",
                _rate(client["per_s"], "orders/s"),
                f"p50 {_us(client['p50_us'])} p99 {_us(client['p99_us'])}",
                f"client {client['client_cpu_us']:,.0f} us/order",
            )
        )
    out.append(
        (
            "WS updates delivered",
            _rate(s["ws_updates_per_s"], "updates/s"),
            f"{s['ws_clients'] or 0:,} clients, {ws['messages']:,} msgs" if ws else "",
            ">= 100,000/s to 1,000",
        )
    )
    if ws:
        out.append(
            (
                "  trade -> subscriber",
                f"p99 {_us(s['ws_latency_p99_us'])}",
                f"p50 {ws['latency_p50_ms'] * 1000:,} us (ms res.)",
                "",
            )
        )
        cpu = ws["server_cpu_share"]
        per = cpu / ws["per_s"] * 1e6 if ws["per_s"] else 0.0
        waited = ws["server_wait_share"]
        out.append(
            ("  server CPU", "", f"{per:,.1f} us/update, {cpu:.0%} core, waited {waited:.0%}", "")
        )
    out.append(
        (
            "gRPC SubmitOrder, 1 at a time",
            f"p50 {_us(s['grpc_unary_p50_us'])}",
            f"p99 {_us(s['grpc_unary_p99_us'])}",
            "p50 < 1,500 us",
        )
    )
    out.append(
        (
            "gRPC OrderEntry streams",
            _rate(s["grpc_stream_orders_per_s"], "orders/s"),
            f"{grpc['grpc_streams']} streams x {grpc['grpc_stream_window']}" if grpc else "",
            ">= 30,000 orders/s",
        )
    )
    if grpc:
        out.append(("  server CPU", "", _share(results.get("grpc_server"), 0), ""))
    out.append(
        (
            "TCP order, 1 at a time",
            f"p50 {_us(s['tcp_rtt_p50_us'])}",
            f"p99 {_us(s['tcp_rtt_p99_us'])}",
            f"p50 <= fsync + 150 = {_us(fsync + 150 if fsync is not None else None)}",
        )
    )
    out.append(
        (
            "TCP pipelined",
            _rate(s["tcp_pipelined_orders_per_s"], "orders/s"),
            f"{tcp['tcp_pipelined_window']:,} in flight" if tcp else "",
            ">= 50,000 orders/s",
        )
    )
    if tcp:
        out.append(("  server CPU", "", _share(results.get("tcp_server"), 0), ""))
    return out


def notes(results: dict[str, Any]) -> list[str]:
    """Counts and errors worth seeing beside the numbers."""
    lines = ["wall time, s: " + ", ".join(f"{k} {v:.1f}" for k, v in results["wall_s"].items())]
    if rest := results.get("rest"):
        lines.append(f"REST statuses: {rest['statuses']}")
        lines += [f"loader connection failed: {f}" for f in rest["failures"]]
    if echo := results.get("echo"):
        lines.append(f"echo statuses: {echo['statuses']}")
    if (client := results.get("client")) and client["errors"]:
        lines.append(f"client errors: {client['errors']}")
    if ws := results.get("ws"):
        lines.append(
            "WS update = one item in a message: a book change, a trade, a ticker, a snapshot"
        )
        churn = ws["churn"]
        lines.append(
            f"market: trades via aurex.client {ws['driven']} (subscribers received "
            f"{ws['trades_received']:,}); resting bids via the lean loader "
            f"{churn['per_s']:,.0f}/s {churn['statuses']}"
        )
        lines.append(f"subscriber connections closed: {ws['closed'] or 'none'}")
    if (grpc := results.get("grpc")) and (
        grpc["grpc_unary_errors"] or grpc["grpc_stream_rejected"]
    ):
        lines.append(
            f"gRPC unary errors {grpc['grpc_unary_errors']}, "
            f"stream rejections {grpc['grpc_stream_rejected']}"
        )
    if (tcp := results.get("tcp")) and tcp["tcp_errors"]:
        lines.append(f"TCP errors {tcp['tcp_errors']}, first: {tcp['tcp_first_error']}")
    return lines


def summarize(results: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """The JSON line: every key always present (null when its phase did not run)."""
    rest, client, ws = results.get("rest"), results.get("client"), results.get("ws")
    echo, grpc, tcp = results.get("echo"), results.get("grpc"), results.get("tcp")
    fsync = results.get("fsync")
    fsync_p50 = round((fsync["before"] + fsync["after"]) / 2, 1) if fsync else None
    rest_server = results.get("rest_server")
    rest_cpu_us = (
        rest_server["cpu_s"] / rest["count"] * 1e6
        if rest and rest_server and rest["count"]
        else None
    )
    ws_cpu_us = ws["server_cpu_share"] / ws["per_s"] * 1e6 if ws and ws["per_s"] else None

    def pick(source: dict[str, Any] | None, key: str) -> Any:
        return source[key] if source else None

    summary: dict[str, Any] = {
        "rest_orders_per_s": round(rest["per_s"], 1) if rest else None,
        "rest_order_p50_us": pick(rest, "p50_us"),
        "rest_order_p99_us": pick(rest, "p99_us"),
        "rest_in_flight": args.clients if rest else None,
        "rest_server_cpu_us_per_order": round(rest_cpu_us, 1) if rest_cpu_us else None,
        "rest_client_orders_per_s": round(client["per_s"], 1) if client else None,
        "ws_updates_per_s": round(ws["per_s"], 1) if ws else None,
        "ws_clients": pick(ws, "clients"),
        "ws_latency_p99_us": ws["latency_p99_ms"] * 1000 if ws else None,
        "ws_server_cpu_us_per_update": round(ws_cpu_us, 2) if ws_cpu_us else None,
        "grpc_unary_p50_us": pick(grpc, "grpc_unary_p50_us"),
        "grpc_unary_p99_us": pick(grpc, "grpc_unary_p99_us"),
        "grpc_stream_orders_per_s": pick(grpc, "grpc_stream_orders_per_s"),
        "tcp_rtt_p50_us": pick(tcp, "tcp_rtt_p50_us"),
        "tcp_rtt_p99_us": pick(tcp, "tcp_rtt_p99_us"),
        "tcp_pipelined_orders_per_s": pick(tcp, "tcp_pipelined_orders_per_s"),
        "fsync_p50_us": fsync_p50,
        "baseline_echo_per_s": round(echo["per_s"], 1) if echo else None,
    }
    summary |= ratios(summary)
    return summary


def ratios(s: dict[str, Any]) -> dict[str, Any]:
    """How the numbers compare: with the echo baseline, and above the fsync floor."""

    def over(a: str, b: str) -> float | None:
        return round(s[a] - s[b], 1) if s[a] is not None and s[b] is not None else None

    def ratio(a: str, b: str) -> float | None:
        return round(s[a] / s[b], 3) if s[a] is not None and s[b] else None

    return {
        "rest_vs_baseline": ratio("rest_orders_per_s", "baseline_echo_per_s"),
        "tcp_rtt_p50_over_fsync_us": over("tcp_rtt_p50_us", "fsync_p50_us"),
        "grpc_unary_p50_over_fsync_us": over("grpc_unary_p50_us", "fsync_p50_us"),
        "rest_order_p50_over_fsync_us": over("rest_order_p50_us", "fsync_p50_us"),
    }
