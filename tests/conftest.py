"""Settings every test run shares.

Platforms started by tests (in process or as ``aurex serve`` subprocesses) serve
gRPC and the binary TCP protocol beside HTTP; unless a test picks ports itself they
bind free ones, so parallel runs and other servers on this machine never clash.
"""

from __future__ import annotations

import os


def pytest_configure() -> None:
    os.environ.setdefault("AUREX_GRPC_PORT", "0")
    os.environ.setdefault("AUREX_TCP_PORT", "0")
