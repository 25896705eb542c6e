"""Start a System and keep it up, printing progress; the tests SIGKILL this process."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from seamline.system.core import System

system = System.from_config(sys.argv[1], run_root=Path(sys.argv[2]))
system.start(on_ready=lambda name: print("ready", name, flush=True))
print("up", system.record_dir.name, flush=True)
time.sleep(600)
