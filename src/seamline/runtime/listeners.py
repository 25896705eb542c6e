"""Who listens on a TCP port: read from /proc (the kernel's socket tables and every
process's open descriptors), so seamline can name the program holding a port and
tell whether a port answers for the service it started or for something else."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp's `st` column
_TABLES = (Path("/proc/net/tcp"), Path("/proc/net/tcp6"))


@dataclass(frozen=True)
class Listener:
    """A process with a listening socket on the port (pid None: one we may not look into)."""

    pid: int | None
    uid: int
    command: str

    def describe(self) -> str:
        if self.pid is None:
            return f"a process of uid {self.uid} (not ours to inspect)"
        return f"pid {self.pid} ({self.command})"


def listening_inodes(port: int) -> dict[int, int]:
    """The inodes of the sockets listening on `port` (any address), with their owner's uid."""
    found: dict[int, int] = {}
    for table in _TABLES:
        try:
            lines = table.read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 10 or fields[3] != _LISTEN:
                continue
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                found[int(fields[9])] = int(fields[7])
    return found


def listeners(port: int) -> list[Listener]:
    """Every process listening on `port`; empty when the port is free."""
    inodes = listening_inodes(port)
    if not inodes:
        return []
    wanted = {f"socket:[{inode}]": inode for inode in inodes}
    found: list[Listener] = []
    seen: set[int] = set()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry.name}/fd")
        except OSError:
            continue  # gone, or not ours to look into
        for fd in fds:
            try:
                inode = wanted.get(os.readlink(f"/proc/{entry.name}/fd/{fd}"))
            except OSError:
                continue
            if inode is not None:
                seen.add(inode)
                pid = int(entry.name)
                found.append(Listener(pid, inodes[inode], command_of(pid)))
                break
    found += [Listener(None, uid, "") for inode, uid in inodes.items() if inode not in seen]
    return found


def command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    text = raw.replace(b"\0", b" ").decode("utf-8", "replace").strip()
    return text if len(text) <= 120 else text[:117] + "..."
