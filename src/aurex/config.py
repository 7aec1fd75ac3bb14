"""Settings from ``AUREX_*`` environment variables and an optional TOML file (DESIGN §8a).

Precedence: values passed in code, then ``AUREX_*`` variables, then the TOML file
named by ``AUREX_CONFIG_FILE`` (or ``aurex --config``; see ``aurex.config_file``),
then the defaults below.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from aurex.config_file import ConfigFileSource
from aurex.event_loop import EventLoopName


class Durability(StrEnum):
    FSYNC = "fsync"
    BATCH = "batch"
    NONE = "none"


class Settings(BaseSettings):
    """Runtime configuration; every field maps to ``AUREX_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="AUREX_", extra="ignore")

    data_dir: Path = Path("./var")
    host: str = "127.0.0.1"
    http_port: int = 3000
    grpc_port: int = 50051
    tcp_port: int = 8080
    database_url: str = ""
    redis_url: str = ""
    smtp_url: str = ""
    durability: Durability = Durability.FSYNC
    snapshot_every: int = 50_000
    opening_cash_cents: int = 10_000_000
    symbols_file: Path | None = None
    trading_requests_per_user_per_minute: int = Field(default=3_000, ge=1)
    trading_requests_per_address_per_minute: int = Field(default=6_000, ge=1)
    event_loop: EventLoopName = "uvloop"
    orders_per_user_per_second: int = Field(default=5_000, ge=1)
    """gRPC and binary TCP order entry (orders and amends, not cancels); ``gateways/throttle``."""
    # HTTP server hardening (docs/operations.md): timeouts, caps, TLS, proxies.
    http_header_timeout_s: float = 10.0
    http_body_timeout_s: float = 30.0
    http_keepalive_timeout_s: int = 5
    http_max_body_bytes: int = 64 * 1024
    http_max_connections: int = 1000
    http_max_connections_per_ip: int = 64
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    trusted_proxies: str = ""  # comma-separated addresses or CIDR networks
    # Operations (docs/operations.md): config file, logs, metrics, shutdown.
    config_file: Path | None = None
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    log_requests: Literal["none", "orders", "all"] = "orders"
    metrics_token: str = ""
    shutdown_timeout_s: float = Field(default=5.0, gt=0)
    # Trading day (aurex.engine.calendar): EndOfDay at the close; session_close "off" = never.
    session_open: str = "09:30"
    session_close: str = "16:00"
    timezone: str = "America/New_York"
    # Market simulation of `aurex demo` (aurex.sim): intensity 1 = about 25 orders/s.
    sim_intensity: float = Field(default=1.0, ge=0)
    sim_seed: int | None = None

    @model_validator(mode="after")
    def _check_calendar(self) -> Settings:
        from aurex.engine.calendar import SessionCalendar

        SessionCalendar.parse(self.session_open, self.session_close, self.timezone)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, ConfigFileSource(settings_cls, init_settings)

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or the embedded SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'aurex.db').resolve()}"

    @property
    def journal_dir(self) -> Path:
        return self.data_dir / "journal"

    @property
    def snapshot_dir(self) -> Path:
        return self.data_dir / "snapshots"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def key_dir(self) -> Path:
        return self.data_dir / "keys"
