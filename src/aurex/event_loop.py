"""The event loop the server runs on: uvloop's where installed, else asyncio's own.

uvloop comes with ``uvicorn[standard]``. On it the binary TCP round trip is about a
fifth shorter and gRPC a little faster (bench/gateways.py ``--uvloop`` against the
same run without); REST is bound by the framework and does not change.
``AUREX_EVENT_LOOP=asyncio`` keeps the standard loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

EventLoopName = Literal["uvloop", "asyncio"]


def loop_factory(name: EventLoopName = "uvloop") -> Callable[[], asyncio.AbstractEventLoop]:
    """A function making the loop to run on (see the module docstring)."""
    if name == "asyncio":
        return asyncio.new_event_loop
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def describe(loop: asyncio.AbstractEventLoop) -> str:
    """``uvloop`` or ``asyncio``, for the start log."""
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
