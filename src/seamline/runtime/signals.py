"""SIGTERM handled like Ctrl-C while a system runs, so both clean up the same way.

Python turns SIGINT into KeyboardInterrupt; SIGTERM (what CI sends on cancel,
what `kill` sends by default) kills the process outright, and only the watchdog
would clean up after it. While a System runs, SIGTERM raises `Interrupted`, a
KeyboardInterrupt, in the main thread instead: every `finally` runs, the
system stops, and the command exits 128 + the signal's number (143).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """The runner was told to stop by a signal; `exit_code` is the shell's 128 + signum."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by {signal.Signals(signum).name}")
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def exit_code_of(interrupt: KeyboardInterrupt) -> int:
    """130 for Ctrl-C (SIGINT), 143 for SIGTERM: what a shell reports for the signal."""
    return interrupt.exit_code if isinstance(interrupt, Interrupted) else 128 + signal.SIGINT


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


class _Holders:
    count = 0  # running Systems of this process that asked for the handler


def hold_sigterm() -> bool:
    """Turn SIGTERM into `Interrupted` until `release_sigterm()`. Only the main thread can
    set handlers, and a handler someone else installed is left alone; False then."""
    if threading.current_thread() is not threading.main_thread():
        return False
    current = signal.getsignal(signal.SIGTERM)
    if current is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _raise_interrupted)
    elif current is not _raise_interrupted:
        return False
    _Holders.count += 1
    return True


def release_sigterm() -> None:
    """The last holder gives SIGTERM its default action back."""
    if threading.current_thread() is not threading.main_thread() or _Holders.count == 0:
        return
    _Holders.count -= 1
    if _Holders.count == 0 and signal.getsignal(signal.SIGTERM) is _raise_interrupted:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
