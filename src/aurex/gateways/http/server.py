"""Run the ASGI app with uvicorn inside the exchange's own event loop."""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI


class HttpServer:
    """uvicorn on ``host:port`` as a task of the running loop."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            server_header=False,
            proxy_headers=False,
        )
        self._server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start serving; returns once the socket is listening (or raises)."""
        self._task = asyncio.create_task(self._server.serve(), name="aurex-http")
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("HTTP server stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
