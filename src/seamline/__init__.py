"""seamline: integration tests for real systems.

Start the real parts, put a recording seam on every link between them, and
assert on what crossed each link, on the database and on the contracts.
"""

from __future__ import annotations

from seamline.errors import ConfigError, SeamlineError, StartError

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "SeamlineError",
    "StartError",
    "__version__",
]
