"""seamline: integration tests for real systems.

Start the real parts, put a recording seam on every link between them, and
assert on what crossed each link, on the database and on the contracts.

    from seamline import System

    with System.from_config("examples/hello") as system:
        system.client("greeter").get("/greet/ada")
        assert system.seam("greeter", "names").calls("GET", "/names/ada").one().status == 200
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from seamline.errors import ConfigError, SeamlineError, StartError

if TYPE_CHECKING:
    from seamline.config import SystemConfig, load_config
    from seamline.contracts import Contract, ContractError
    from seamline.db import (
        CaptureWarning,
        Change,
        Database,
        DatabaseError,
        NotATestDatabase,
        ResetError,
    )
    from seamline.mock import MockServer
    from seamline.seams import Calls, Exchange, Fault, Flow, Seams, SeamView, Violation, eventually
    from seamline.system.core import System

from seamline.version import __version__

# Loaded on first use: `import seamline` stays cheap for the watchdog and the CLI.
_LAZY = {
    "System": "seamline.system.core",
    "SystemConfig": "seamline.config",
    "load_config": "seamline.config",
    "Contract": "seamline.contracts",
    "ContractError": "seamline.contracts",
    "MockServer": "seamline.mock",
    "Calls": "seamline.seams",
    "Exchange": "seamline.seams",
    "Fault": "seamline.seams",
    "Flow": "seamline.seams",
    "Seams": "seamline.seams",
    "SeamView": "seamline.seams",
    "Violation": "seamline.seams",
    "eventually": "seamline.seams",
    "Database": "seamline.db",
    "Change": "seamline.db",
    "DatabaseError": "seamline.db",
    "NotATestDatabase": "seamline.db",
    "ResetError": "seamline.db",
    "CaptureWarning": "seamline.db",
}

__all__ = [
    "Calls",
    "CaptureWarning",
    "Change",
    "ConfigError",
    "Contract",
    "ContractError",
    "Database",
    "DatabaseError",
    "Exchange",
    "Fault",
    "Flow",
    "MockServer",
    "NotATestDatabase",
    "ResetError",
    "SeamView",
    "SeamlineError",
    "Seams",
    "StartError",
    "System",
    "SystemConfig",
    "Violation",
    "__version__",
    "eventually",
    "load_config",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'seamline' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
