"""Load and validate a system declaration (`seamline.toml`)."""

from seamline.config.load import (
    Link,
    SystemConfig,
    chosen_profile,
    config_in,
    find_config,
    load_config,
)
from seamline.config.model import ServiceSpec, SystemSpec
from seamline.config.probes import Probe

__all__ = [
    "Link",
    "Probe",
    "ServiceSpec",
    "SystemConfig",
    "SystemSpec",
    "chosen_profile",
    "config_in",
    "find_config",
    "load_config",
]
