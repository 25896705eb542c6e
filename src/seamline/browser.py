"""A real browser for UI tests: the system's Chromium (Debian's `chromium`), driven by
Playwright with `executable_path`; Playwright's own Chromium only when the system has none.

The `page` fixture (`seamline.pytest_page`) does all of this for a test. By hand:

    from seamline.browser import CHROMIUM_ARGS, find_chromium

    browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)

In a test module, `require_chromium()` skips the module when Playwright or Chromium is
missing, and fails it instead when the `CI` environment variable is set: a browser test
that quietly skips in CI tests nothing.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import NoReturn

__all__ = ["CHROMIUM_ARGS", "find_chromium"]

# Headless, as root in a container, and quiet: without the last five Chromium reaches out
# on its own (updates, sync, QUIC probes), which a closed test network refuses or delays.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)

HOW_TO_GET_PLAYWRIGHT = "pip install 'seamline[browser]'"
HOW_TO_GET_CHROMIUM = (
    "apt-get install chromium (Debian, Ubuntu), or `python -m playwright install chromium` "
    "(Playwright's own build), or SEAMLINE_CHROMIUM=/path/to/chrome"
)


def find_chromium() -> str | None:
    """The installed Chromium's path, or None: `$SEAMLINE_CHROMIUM` when set, else `chromium`
    on PATH, else /usr/bin/chromium."""
    chosen = os.environ.get("SEAMLINE_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    default = Path("/usr/bin/chromium")
    return str(default) if default.exists() else None


def where_chromium_was_looked_for() -> str:
    return os.environ.get("SEAMLINE_CHROMIUM") or "chromium on PATH or /usr/bin/chromium"


def missing_for_a_browser_test() -> list[str]:
    """What a browser test lacks, each with how to install it: [] when it can run."""
    missing = []
    if importlib.util.find_spec("playwright") is None:
        missing.append(f"Playwright ({HOW_TO_GET_PLAYWRIGHT})")
    if find_chromium() is None:
        missing.append(
            f"Chromium (apt-get install chromium; looked for {where_chromium_was_looked_for()})"
        )
    return missing


def skip_or_fail(reason: str, *, allow_module_level: bool = False) -> NoReturn:
    """Skip with `reason`, or fail when the `CI` environment variable is set: a browser test
    that quietly skips in CI tests nothing."""
    import pytest

    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        raise pytest.fail.Exception(
            f"{reason}; CI is set, so it fails instead of skipping", pytrace=False
        )
    raise pytest.skip.Exception(reason, allow_module_level=allow_module_level)


def require_chromium() -> str:
    """Chromium's path for a browser test module; call it at module level.

    Without Playwright or Chromium the module is skipped, saying what to install; when the
    `CI` environment variable is set (as CI services set it) it fails instead.
    """
    missing = missing_for_a_browser_test()
    chromium = find_chromium()
    if not missing and chromium is not None:
        return chromium
    skip_or_fail("this browser test needs " + " and ".join(missing), allow_module_level=True)
