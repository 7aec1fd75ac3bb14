"""A hard deadline for a graceful stop, so ``aurex serve`` always exits in time.

A graceful stop closes the gateways, drains the engine and writes a final
snapshot. If some part hangs (a client holding a request, a huge snapshot) the
deadline ends the process anyway: nothing acknowledged is lost, because every
acknowledged command is already fsynced in the journal, and the next start
replays whatever the final snapshot did not cover.
"""

from __future__ import annotations

import logging
import os
import threading
import time

log = logging.getLogger("aurex.shutdown")

FORCED_EXIT_STATUS = 3


class ShutdownDeadline:
    """Arm once the stop begins; ``disarm`` when it finished in time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._timer: threading.Timer | None = None
        self.started = 0.0

    def arm(self) -> ShutdownDeadline:
        self.started = time.monotonic()
        log.info("shutting down: intake stopped, draining", extra={"deadline_s": self.seconds})
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def disarm(self) -> float:
        """Cancel the deadline; returns how long the stop took (seconds)."""
        if self._timer is not None:
            self._timer.cancel()
        return time.monotonic() - self.started

    def _expire(self) -> None:
        log.critical(
            "shutdown did not finish within %.1f s; exiting now (acknowledged commands are "
            "in the journal, the next start replays past the last snapshot)",
            self.seconds,
        )
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(FORCED_EXIT_STATUS)
