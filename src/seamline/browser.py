"""A real browser for UI tests: the system's Chromium (Debian's `chromium`), driven by
Playwright with `executable_path`, never a browser downloaded by the test tool.

    from seamline.browser import CHROMIUM_ARGS, find_chromium

    browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
"""

from __future__ import annotations

import shutil
from pathlib import Path

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


def find_chromium() -> str | None:
    """The installed Chromium's path (`chromium` on PATH, else /usr/bin/chromium), or None."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    default = Path("/usr/bin/chromium")
    return str(default) if default.exists() else None
