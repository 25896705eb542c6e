"""The watchdog: a tiny process that outlives a killed runner and cleans up after it.

The runner starts it with a pipe on its stdin and never writes to it. When the
runner exits for any reason, SIGKILL included, the kernel closes the pipe; the
watchdog reads EOF, stops every process of the run (by the PIDs recorded in
the run dir, then by the run marker in their environment) and removes the run
dir. After a clean stop there is nothing left to do and it simply exits.

Run as: python -m seamline.runtime.watchdog RUN_DIR RUN_ID
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from seamline.runtime.procs import kill_run, read_pids
from seamline.runtime.rundir import remove_run_dir


def main(argv: list[str]) -> int:
    run_dir, run_id = Path(argv[0]), argv[1]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the runner's to handle
    while sys.stdin.buffer.read(4096):
        pass
    kill_run(run_id, read_pids(run_dir / "pids"))
    remove_run_dir(run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
