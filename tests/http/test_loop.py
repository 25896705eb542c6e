"""The loop thread: stopping it with a server left open reports the leak and does not hang."""

from __future__ import annotations

import subprocess
import sys

LEAKS_A_SERVER = """
import asyncio
from seamline.http.loop import LoopThread
loop = LoopThread()
loop.run(asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0))
try:
    loop.stop()
except ResourceWarning as warning:
    print("reported:", warning)
"""


def test_a_server_left_open_is_reported_after_the_loop_closed_not_a_hang():
    # In a child: with warnings as errors (as pytest's filterwarnings = error), uvloop's close
    # used to swallow its own ResourceWarning and wait forever, holding the GIL.
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", LEAKS_A_SERVER],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "reported: unclosed resource <TCPServer" in done.stdout, done.stderr
