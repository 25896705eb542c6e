"""Ports on loopback for the services seamline starts.

A service is handed a port number and binds it a little later. A port from the
kernel's ephemeral range (what `bind(("", 0))` returns) may be taken in that
window by anything that binds 0 itself or opens an outgoing connection (seam
proxies, clients, other test workers). So service ports are picked at random
below the ephemeral range, where the kernel never hands out ports by itself.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
LOWEST = 10_000  # above the well-known and registered ports most tools use
_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def ephemeral_range() -> tuple[int, int]:
    try:
        low, high = (int(n) for n in _RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return 32_768, 60_999  # Linux's default
    return low, high


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on, below the ephemeral range when there is room there."""
    low, _ = ephemeral_range()
    if low - LOWEST >= 1_000:
        for port in random.sample(range(LOWEST, low), 64):
            if _bindable(host, port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        found: int = sock.getsockname()[1]
        return found


def _bindable(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True
