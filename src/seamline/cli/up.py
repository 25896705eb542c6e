"""`seamline up`, `status` and `down`: the system kept up for a person, in the foreground or
detached (a runner process and its state file)."""

from __future__ import annotations

import argparse
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

from rich.markup import escape

from seamline import console as out
from seamline.cli.common import EXIT_FAILED, EXIT_NOT_RUNNING, EXIT_OK, config_of
from seamline.config import SystemConfig, find_config
from seamline.errors import ConfigError, SeamlineError
from seamline.system.core import System
from seamline.system.detached import (
    SeamRow,
    ServiceRow,
    UpState,
    read_state,
    state_path,
    stop_owner,
    wait_for_status,
    write_state,
)
from seamline.system.harness import Harness


def _rows(system: System) -> list[ServiceRow]:
    rows = []
    harness = Harness(system)
    for name, service in harness.services().items():
        log = service.log_path()
        rows.append(
            ServiceRow(
                name,
                service.kind,
                service.url or "",
                service.describe(),
                str(log) if log else "",
                harness.ready_s(name),
            )
        )
    return rows


def _seam_rows(system: System) -> list[SeamRow]:
    rows = [
        SeamRow(view.name, view.url, system.direct_url(view.provider))
        for view in Harness(system).seams_in_use()
    ]
    for link in system.config.message_links:  # their proxies are opened when the env is made
        host, port = system.message_seam(link.consumer, link.provider).address
        provider = system.service(link.provider).url or ""
        rows.append(SeamRow(f"{link.consumer} -> {link.provider}", f"{host}:{port}", provider))
    return rows


def cmd_up(args: argparse.Namespace, _: list[str]) -> int:
    config = config_of(args)
    if not args.state_file and _already_up(config):
        return EXIT_FAILED
    if args.detach:
        return _up_detached(config, config.profile)
    state_file = Path(args.state_file) if args.state_file else None
    state = UpState.for_this_process(config.path, config.profile)
    console = out.console()
    system = System(config)
    try:
        system.start(on_ready=lambda name: None if state_file else console.print(f"  {name} ready"))
    except SeamlineError as err:
        if state_file:
            state.status, state.error = "failed", str(err)
            write_state(state_file, state)
        raise
    # Once up, Ctrl-C and SIGTERM end the wait below; while starting they interrupt the
    # start itself (which cleans up), so neither waits out a ready_timeout.
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        state.status, state.services, state.seams = "ready", _rows(system), _seam_rows(system)
        state.run_id, state.record_dir = system.record_dir.name, str(system.record_dir)
        if state_file:
            write_state(state_file, state)
        else:
            console.print(out.services_table(state.services, f"{config.name} is up"))
            if state.seams:
                console.print(out.seams_table(state.seams))
            console.print("Press Ctrl-C to stop.")
        while not stop.wait(0.5):  # a service that dies is said at once, and by `status`
            _note_deaths(system, state, state_file)
        if not state_file:
            console.print(f"stopping {config.name} ...")
    finally:
        system.stop()
        if state_file:
            state.status = "stopped"
            write_state(state_file, state)
    if not state_file:  # a person pressed Ctrl-C: say that everything is gone
        console.print(f"{config.name} stopped: every process ended, its run dir removed")
    return EXIT_OK


def _note_deaths(system: System, state: UpState, state_file: Path | None) -> None:
    fresh = [d for d in system.services_down() if d.service not in state.down]
    for death in fresh:
        state.down[death.service] = death.how
        if state_file is None:
            out.error(death.during())
    if fresh and state_file is not None:
        write_state(state_file, state)


def _already_up(config: SystemConfig) -> bool:
    """Say so if a detached copy of this config runs: a second one would share its dirs."""
    previous = read_state(state_path(config.path))
    if previous is None or not previous.owner_alive():
        return False
    out.error(
        f"{config.name} is already up (pid {previous.pid}, detached); "
        f"stop it first with: {_down_command(config)}"
    )
    return True


def _down_command(config: SystemConfig) -> str:
    """The `seamline down` that stops this config's system, to print as a hint."""
    try:
        by_directory = find_config(config.base_dir) == config.path
    except ConfigError:
        by_directory = False
    return "seamline down " + shlex.quote(str(config.base_dir if by_directory else config.path))


def _up_detached(config: SystemConfig, profile: str | None) -> int:
    path = state_path(config.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "seamline", "up", str(config.path), "--state-file", str(path)]
    if profile:
        argv += ["--profile", profile]
    log_path = path.with_suffix(".log")
    with log_path.open("ab") as log:
        runner = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True
        )
    state = wait_for_status(path, runner.pid, timeout=600)
    if state is None or state.pid != runner.pid or state.status != "ready":
        error = state.error if state and state.pid == runner.pid else "the runner exited"
        out.error(error, f"(see {log_path})")
        return EXIT_FAILED
    out.console().print(
        out.services_table(state.services, f"{config.name} is up (pid {state.pid})")
    )
    if state.seams:
        out.console().print(out.seams_table(state.seams))
    out.console().print("Stop it with: " + escape(_down_command(config)))
    return EXIT_OK


def _detached_state(args: argparse.Namespace) -> tuple[Path, UpState | None]:
    path = state_path(find_config(args.config or args.path))
    return path, read_state(path)


def cmd_status(args: argparse.Namespace, _: list[str]) -> int:
    state = _detached_state(args)[1]
    if state is None or not state.owner_alive():
        out.console().print("nothing is up")
        return EXIT_NOT_RUNNING
    out.console().print(
        out.services_table(state.services, f"{state.status} (pid {state.pid}, run {state.run_id})")
    )
    if state.seams:
        out.console().print(out.seams_table(state.seams))
    for service, how in state.down.items():
        out.error(f"{service} is down: it {how}; its log: {state.record_dir}/logs/{service}.log")
    return EXIT_FAILED if state.down else EXIT_OK


def cmd_down(args: argparse.Namespace, _: list[str]) -> int:
    path, state = _detached_state(args)
    if state is None or not stop_owner(state):
        out.console().print("nothing is up")
        path.unlink(missing_ok=True)
        return EXIT_NOT_RUNNING
    path.unlink(missing_ok=True)
    out.console().print(f"stopped (pid {state.pid})")
    return EXIT_OK
