"""Where the server's time goes during a benchmark phase: py-spy samples the running
``aurex serve`` (by pid) and the samples are summarised as the functions that were on
the CPU (self) and those below which most time was spent (inclusive)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def py_spy() -> str | None:
    """The py-spy executable next to this Python, or on the PATH (None if missing)."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


@contextmanager
def profiled(pid: int, seconds: float, out: Path | None) -> Iterator[None]:
    """Sample ``pid`` for ``seconds`` into ``out`` (raw collapsed stacks) while the block
    runs; does nothing when ``out`` is None or py-spy is not installed."""
    tool = py_spy()
    if out is None or tool is None:
        yield
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [tool, "record", "--pid", str(pid), "--duration", str(int(seconds) + 1)]
    argv += ["--rate", "250", "--format", "raw", "--nonblocking", "--output", str(out)]
    recorder = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield
    finally:
        recorder.wait(timeout=seconds + 60)


def summarize(raw: Path, top: int = 12) -> str:
    """A py-spy raw file as: CPU samples by package (of the function on the CPU), the
    top functions on the CPU, and the aurex functions most time was spent below."""
    if not raw.exists():
        return f"  (no profile at {raw})"
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    below: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[_short(frames[-1])] += count
        packages[_package(frames[-1])] += count
        for frame in {f for f in frames if "aurex/" in f and "aurex/cli.py" not in f}:
            below[_short(frame)] += count
    if not total:
        return "  (no samples)"
    lines = [f"  {total} samples; on the CPU, by package:"]
    lines += [f"    {n / total:6.1%}  {name}" for name, n in packages.most_common(top)]
    lines.append("  on the CPU, by function:")
    lines += [f"    {n / total:6.1%}  {name}" for name, n in own.most_common(top)]
    lines.append("  aurex functions, time in or below them:")
    lines += [f"    {n / total:6.1%}  {name}" for name, n in below.most_common(top)]
    return "\n".join(lines)


def _where(frame: str) -> str:
    return frame.partition(" (")[2].rstrip(")").rsplit(":", 1)[0]


def _package(frame: str) -> str:
    """``site-packages/jwt/api_jws.py`` -> ``jwt``; ``src/aurex/auth/x.py`` -> ``aurex.auth``."""
    parts = Path(_where(frame)).parts
    if "aurex" in parts:
        rest = parts[parts.index("aurex") + 1 :]
        return "aurex." + rest[0].removesuffix(".py") if rest else "aurex"
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if len(parts) >= 2 and parts[-2].startswith("python3"):
        return parts[-1].removesuffix(".py")  # a stdlib module
    return parts[-2] if len(parts) >= 2 else (parts[-1] if parts else "?")


def _short(frame: str) -> str:
    """``fn (path/to/module.py:12)`` -> ``fn (to/module.py)``."""
    name = frame.partition(" (")[0]
    parts = Path(_where(frame)).parts
    return f"{name} ({'/'.join(parts[-2:])})"
