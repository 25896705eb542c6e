"""seamline: integration tests for real systems.

Start the real parts, put a recording seam on every link between them, and
assert on what crossed each link, on the database and on the contracts.

    from seamline import System

    with System.from_config("examples/hello") as system:
        system.client("greeter").get("/greet/ada")
        assert system.seam("greeter", "names").calls("GET", "/names/ada").one().status == 200

The public modules are this one, `seamline.seams` (what crossed a seam), `seamline.db`
(database assertions), `seamline.mock` (the stub engine), `seamline.report` (building the
report) and `seamline.browser`; each name has one home among them. Everything else is
internal and may change without notice (docs/architecture.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from seamline.errors import ConfigError, ContractWarning, SeamlineError, StartError

if TYPE_CHECKING:
    from seamline.config import SystemConfig, load_config
    from seamline.contracts import Contract, ContractError
    from seamline.system.core import System

from seamline.version import __version__

# Loaded on first use: `import seamline` stays cheap for the watchdog and the CLI.
_LAZY = {
    "Contract": "seamline.contracts",
    "ContractError": "seamline.contracts",
    "System": "seamline.system.core",
    "SystemConfig": "seamline.config",
    "load_config": "seamline.config",
}

__all__ = [
    "ConfigError",
    "Contract",
    "ContractError",
    "ContractWarning",
    "SeamlineError",
    "StartError",
    "System",
    "SystemConfig",
    "__version__",
    "load_config",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'seamline' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
