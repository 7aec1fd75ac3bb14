"""The committed gRPC Python code is what ``make proto`` makes from the committed .proto."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path("aurex/gateways/grpc")
PROTO = PACKAGE / "stock_service.proto"
GENERATED = ("stock_service_pb2.py", "stock_service_pb2.pyi", "stock_service_pb2_grpc.py")


def test_generated_code_matches_the_proto(tmp_path: Path) -> None:
    out = str(tmp_path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"-I{ROOT / 'src'}",
            f"--python_out={out}",
            f"--pyi_out={out}",
            f"--grpc_python_out={out}",
            str(ROOT / "src" / PROTO),
        ],
        check=True,
        capture_output=True,
    )
    for name in GENERATED:
        fresh = (tmp_path / PACKAGE / name).read_text()
        committed = (ROOT / "src" / PACKAGE / name).read_text()
        assert fresh == committed, f"{name} is stale: run `make proto` and commit the result"


def test_the_makefile_target_runs_the_same_generator() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert (
        "grpc_tools.protoc -Isrc --python_out=src --pyi_out=src --grpc_python_out=src" in makefile
    )
    assert f"src/{PROTO}" in makefile
