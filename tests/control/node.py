"""The Node tools the control API's JS helpers are tested with, found or the test skipped.

Skipped where Node or the npm packages are missing (`./dev setup` installs them into
clients/js/node_modules when npm is there); failed instead when `CI` is set, as the browser
tests are: a JS test that quietly skips in CI tests nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CLIENTS = Path(__file__).parents[2] / "clients" / "js"
BIN = CLIENTS / "node_modules" / ".bin"


def require_node(*tools: str) -> list[str]:
    """The path of each of `tools` (npm packages' commands, e.g. "newman"); `node` is needed
    by all of them. Skips the test, or fails it when CI is set, saying what to install."""
    missing = []
    if shutil.which("node") is None:
        missing.append("Node 18+ on PATH (apt-get install nodejs npm)")
    absent = [tool for tool in tools if not (BIN / tool).exists()]
    if absent:
        missing.append(f"{', '.join(absent)} in {BIN} (./dev setup runs npm ci there)")
    if not missing:
        return [str(BIN / tool) for tool in tools]
    reason = "this test needs " + " and ".join(missing)
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"{reason}; CI is set, so it fails instead of skipping", pytrace=False)
    pytest.skip(reason)
