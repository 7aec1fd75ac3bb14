"""The optional TOML configuration file, and the effective configuration with secrets masked.

The file holds the settings' names without the ``AUREX_`` prefix
(``http_port = 3000``). A name it does not know is an error, so a typo is never
silently ignored. ``AUREX_*`` variables override the file.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    TomlConfigSettingsSource,
)

SECRET_FIELDS = frozenset({"metrics_token"})
URL_FIELDS = frozenset({"database_url", "redis_url", "smtp_url"})
MASK = "***"
_URL_PASSWORD = re.compile(r"^(\w[\w+.-]*://[^:/@]*:)[^@]*@")


class ConfigFileError(ValueError):
    """The configuration file is missing, unreadable or names unknown settings."""


class ConfigFileSource(PydanticBaseSettingsSource):
    """Settings from the TOML file named by ``config_file`` (in code) or ``AUREX_CONFIG_FILE``."""

    def __init__(self, settings_cls: type[BaseSettings], init: PydanticBaseSettingsSource) -> None:
        super().__init__(settings_cls)
        given = (
            init.init_kwargs.get("config_file") if isinstance(init, InitSettingsSource) else None
        )
        env = os.environ.get("AUREX_CONFIG_FILE", "")
        self.path = Path(given) if given else Path(env) if env else None

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads the whole file at once

    def __call__(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        if not self.path.is_file():
            raise ConfigFileError(f"configuration file {self.path} does not exist")
        try:
            values = TomlConfigSettingsSource(self.settings_cls, toml_file=self.path).toml_data
        except (OSError, ValueError) as exc:
            raise ConfigFileError(f"configuration file {self.path}: {exc}") from exc
        known = set(self.settings_cls.model_fields) - {"config_file"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigFileError(
                f"configuration file {self.path}: unknown setting(s) {', '.join(unknown)}"
            )
        return {**values, "config_file": self.path}


def mask(name: str, value: object) -> object:
    """``value`` with any secret in it replaced by ``***`` (tokens, URL passwords)."""
    if name in SECRET_FIELDS and value:
        return MASK
    if name in URL_FIELDS and isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<1>{MASK}@", value)
    return value


def effective_toml(settings: BaseSettings) -> str:
    """The effective configuration as TOML (usable as a config file), secrets masked."""
    source = getattr(settings, "config_file", None)
    lines = [
        "# Effective Aurex configuration: AUREX_* variables, then "
        + (f"the file {source}, " if source else "no configuration file, ")
        + "then defaults. Secrets are masked.",
    ]
    for name in type(settings).model_fields:
        if name == "config_file":
            continue
        value = mask(name, getattr(settings, name))
        if value is None:
            lines.append(f"# {name} is not set")
        else:
            lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
