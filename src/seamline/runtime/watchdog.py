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
import subprocess
import sys
from pathlib import Path

from seamline.runtime.procs import kill_run, read_pids
from seamline.runtime.rundir import RunDirs, remove_run_dir


def spawn(dirs: RunDirs) -> subprocess.Popen[bytes]:
    """The watchdog of the run in `dirs`, started: it cleans up if this process dies."""
    with (dirs.logs / "seamline-watchdog.log").open("ab") as log:  # the child keeps its copy
        return subprocess.Popen(
            [sys.executable, "-m", "seamline.runtime.watchdog", str(dirs.run_dir), dirs.run_id],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )


def release(watchdog: subprocess.Popen[bytes]) -> None:
    """After a clean stop: close its pipe and wait for it to end."""
    if watchdog.stdin is not None:
        watchdog.stdin.close()
    try:
        watchdog.wait(5)
    except subprocess.TimeoutExpired:
        watchdog.kill()
        watchdog.wait()


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
