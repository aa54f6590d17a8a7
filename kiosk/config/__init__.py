"""Config: options declared once (schema), read and checked with file:line:col problems (load)."""

from kiosk.config.load import (
    CLI_SOURCE,
    ENV_VAR,
    config_path_from_env,
    default_config,
    load_config,
    parse_config,
)
from kiosk.config.schema import OPTIONS, OPTIONS_BY_NAME, Config, Option

__all__ = [
    "CLI_SOURCE",
    "ENV_VAR",
    "OPTIONS",
    "OPTIONS_BY_NAME",
    "Config",
    "Option",
    "config_path_from_env",
    "default_config",
    "load_config",
    "parse_config",
]
