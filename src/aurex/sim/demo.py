"""``aurex demo``: the simulated market plus a demo trader a newcomer can log in as.

The demo trader is a real user with TOTP, the opening cash and 100 shares of every
symbol; its e-mail, password and TOTP secret are printed at every start (they are
kept with the simulated users' in ``$AUREX_DATA_DIR/sim/accounts.json``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from aurex.auth import totp
from aurex.auth.services import AuthServices
from aurex.config import Settings
from aurex.engine.port import EnginePort
from aurex.sim.accounts import AccountStore, Credentials, Funding, provision
from aurex.sim.simulation import SimConfig, Simulation

if TYPE_CHECKING:
    from aurex.bootstrap import Platform

log = logging.getLogger(__name__)

DEMO_EMAIL = "demo@aurex.example.com"
DEMO_FUNDING = Funding(cash_cents=0, shares_per_symbol=100)
DEMO_REQUESTS_PER_MINUTE = 1_000_000
"""The demo's trading rate limits: every simulated user shares one address."""


@dataclass(slots=True)
class Demo:
    simulation: Simulation
    trader: Credentials
    task: asyncio.Task[None]

    async def ready(self, timeout_s: float = 60.0) -> bool:
        """Wait until every simulated user is logged in and trading (False if not in time)."""
        trading = asyncio.ensure_future(self.simulation.trading.wait())
        await asyncio.wait({trading, self.task}, timeout=timeout_s, return_when="FIRST_COMPLETED")
        trading.cancel()
        return self.simulation.trading.is_set()

    async def stop(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def local_url(url: str) -> str:
    """The server's URL as a local client reaches it (a wildcard bind is not an address)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::", ""):
        netloc = f"127.0.0.1:{parts.port}" if parts.port else "127.0.0.1"
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def start_demo(
    auth: AuthServices,
    engine: EnginePort,
    base_url: str,
    store: AccountStore,
    config: SimConfig | None = None,
) -> Demo:
    """Create (first time) and fund the users, then start the simulation in a task."""
    config = config or SimConfig()
    agents = await provision(auth, engine, store, config.accounts())
    demo = await provision(
        auth, engine, store, {"demo": DEMO_FUNDING}, first_name="Demo", emails={"demo": DEMO_EMAIL}
    )
    simulation = Simulation(local_url(base_url), agents, config, on_login=store.save)
    task = asyncio.create_task(_run(simulation), name="aurex-sim")
    return Demo(simulation, demo["demo"], task)


async def _run(simulation: Simulation) -> None:
    try:
        await simulation.run()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("the market simulation stopped")


def banner(trader: Credentials, url: str) -> str:
    """How to log in as the demo trader, printed by ``aurex demo``."""
    uri = totp.provisioning_uri(trader.totp_secret, trader.email)
    return "\n".join(
        [
            f"Demo trader (log in at {local_url(url)}/login):",
            f"  e-mail:      {trader.email}",
            f"  password:    {trader.password}",
            f"  TOTP secret: {trader.totp_secret}",
            f"  (add it to an authenticator app, or {uri})",
            "  current code: .venv/bin/python -c "
            f"\"import pyotp; print(pyotp.TOTP('{trader.totp_secret}').now())\"",
        ]
    )


def demo_settings(settings: Settings) -> Settings:
    """``settings`` with trading rate limits high enough for the simulated users, and
    (unless configured) no per-request log lines drowning the console."""
    quiet = {} if "log_requests" in settings.model_fields_set else {"log_requests": "none"}
    return settings.model_copy(
        update={
            **quiet,
            "trading_requests_per_user_per_minute": max(
                settings.trading_requests_per_user_per_minute, DEMO_REQUESTS_PER_MINUTE
            ),
            "trading_requests_per_address_per_minute": max(
                settings.trading_requests_per_address_per_minute, DEMO_REQUESTS_PER_MINUTE
            ),
        }
    )


async def start_platform_demo(platform: Platform) -> Demo:
    """``start_demo`` on a started platform, configured by its settings."""
    settings = platform.settings
    # httpx logs each of the simulated users' requests (dozens a second) at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return await start_demo(
        platform.auth,
        platform.engine,
        platform.http_url,
        AccountStore(settings.data_dir),
        SimConfig(intensity=settings.sim_intensity, seed=settings.sim_seed),
    )
