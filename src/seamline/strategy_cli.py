"""`seamline record` and `seamline drive`: recordings of a green run, drivers and drift.

`record` runs the suite through `seamline test` with every seam real (SEAMLINE_SEAMS_MODE=real)
and then turns the run's journal into each seam's recording (strategies/build.py). `drive`
starts only the providers of the recorded seams (and what they need), sends them the recorded
requests, and prints and writes the drift (strategies/drive.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from seamline import console as out
from seamline.config import SystemConfig
from seamline.errors import SeamlineError
from seamline.records.layout import DRIFT, JOURNAL, TESTS
from seamline.records.reader import read_exchanges
from seamline.strategies.build import SeamSummary, provider_noise, record_seams
from seamline.strategies.drive import SeamDrift, drive
from seamline.strategies.recordings import load_recording, recorded_seams, recordings_root
from seamline.system.core import System
from seamline.system.wiring import SEAMS_MODE_ENV

RECORD_ROOT_ENV = "SEAMLINE_RECORD_ROOT"
_FAILED = frozenset({"failed", "error"})


@dataclass
class RecordingRun:
    root: Path  # where this run's record dirs go
    before: set[Path]


@contextmanager
def recording_run(config: SystemConfig) -> Iterator[RecordingRun]:
    """Every seam real, and the record dirs made meanwhile findable, for the block."""
    root = Path(os.environ.get(RECORD_ROOT_ENV) or config.base_dir / ".seamline" / "runs")
    run = RecordingRun(root.resolve(), set(_dirs(root)))
    saved = {name: os.environ.get(name) for name in (SEAMS_MODE_ENV, RECORD_ROOT_ENV)}
    os.environ[SEAMS_MODE_ENV], os.environ[RECORD_ROOT_ENV] = "real", str(run.root)
    try:
        yield run
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def finish_recording(
    config: SystemConfig, run: RecordingRun, exit_code: int, *, missing: bool, force: bool
) -> int:
    """Store the run's recordings; a run that is not green stores nothing unless forced."""
    if exit_code > 128 or exit_code == 2:
        out.error(f"the run did not finish (exit {exit_code}): nothing recorded")
        return exit_code
    if exit_code != 0 and not force:
        out.error(
            f"the run was not green (exit {exit_code}): nothing recorded, the recordings in "
            f"{recordings_root(config)} are as they were",
            "fix the failing tests, or record the passing tests' traffic anyway with --force",
        )
        return exit_code
    new = sorted(set(_dirs(run.root)) - run.before)
    if not new:
        raise SeamlineError(f"the run left no record dir in {run.root}: nothing to record")
    failed = {test for path in new for test in _failed_tests(path)}
    exchanges = [
        exchange
        for path in new
        for exchange in read_exchanges(path / JOURNAL)
        if exchange.test not in failed
    ]
    summaries = record_seams(config, exchanges, missing=missing)
    _print_recorded(config, summaries, len(failed))
    return 0


def _print_recorded(config: SystemConfig, summaries: list[SeamSummary], failed: int) -> None:
    console = out.console()
    root = recordings_root(config)
    if not summaries:
        console.print(f"no seam carried traffic: nothing recorded in {root}")
    for summary in summaries:
        kept = f", {summary.kept} kept" if summary.kept else ""
        console.print(
            f"{summary.seam}: {len(summary.written)} mapping(s) written{kept} -> {summary.folder}",
            markup=False,
        )
        for reason in summary.skipped[:5]:
            console.print(f"  left out {reason}", markup=False)
        if len(summary.skipped) > 5:
            console.print(f"  ... and {len(summary.skipped) - 5} more left out", markup=False)
    if failed:
        console.print(f"the traffic of {failed} failed test(s) was left out (--force)")


def _dirs(root: Path) -> list[Path]:
    return [p.resolve() for p in root.iterdir() if (p / JOURNAL).exists()] if root.is_dir() else []


def _failed_tests(record_dir: Path) -> set[str]:
    failed = set()
    path = record_dir / TESTS
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        try:
            event = json.loads(line)
        except ValueError:
            continue  # a half-written last line of a killed run
        if event.get("event") == "end" and event.get("outcome") in _FAILED:
            failed.add(str(event.get("test")))
    return failed


# -- drive ----------------------------------------------------------------------------------


def run_drive(config: SystemConfig, args: argparse.Namespace) -> int:
    """Drive the recorded seams (or `--seam` ones); 0 when nothing drifted, 1 otherwise."""
    wanted = [_seam_arg(text) for text in args.seam] or [
        _seam_arg(name) for name in recorded_seams(recordings_root(config))
    ]
    if not wanted:
        raise SeamlineError(
            f"no recorded seam in {recordings_root(config)}: record the suite first with "
            f"`seamline record {config.base_dir}`"
        )
    headers = [_header_arg(text) for text in args.header]
    secrets = dict(_secret_arg(text) for text in args.secret)
    recordings = [load_recording(config, consumer, provider) for consumer, provider in wanted]
    providers = sorted({recording.provider for recording in recordings})
    drifts: list[SeamDrift] = []
    with System(only_providers(config, providers)) as system:
        for recording in recordings:
            noise = provider_noise(config, recording.provider)
            url = system.direct_url(recording.provider)
            drifts.append(drive(recording, url, noise, headers=headers, secrets=secrets))
        text = json.dumps([d.to_json() for d in drifts], indent=2) + "\n"
        # into the run's records too: the report's Drift section reads it from there
        (system.record_dir / DRIFT).write_text(text, encoding="utf-8")
        record_dir = system.record_dir
    console = out.console()
    for drift in drifts:
        console.print("\n".join(drift.lines()), markup=False)
    target = Path(args.json) if args.json else Path(args.report_dir) / DRIFT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    console.print(f"drift written to {target}", markup=False)
    page = _build_report(config, record_dir, Path(args.report_dir))
    console.print(f"report: {page}", markup=False)
    return 1 if any(drift.drifted for drift in drifts) else 0


def _build_report(config: SystemConfig, record_dir: Path, out_dir: Path) -> Path:
    # imported here: the report's modules cost ~0.2 s, needed only once the drive is done
    from seamline.report import ReportOptions, build

    options = ReportOptions.from_spec(config.spec.report)
    return build([record_dir], out_dir, options=options).html


def _seam_arg(text: str) -> tuple[str, str]:
    consumer, sep, provider = text.partition("->")
    if not sep or not consumer.strip() or not provider.strip():
        raise SeamlineError(
            f"--seam: expected CONSUMER->PROVIDER (e.g. 'api->payments'), found {text!r}"
        )
    return consumer.strip(), provider.strip()


def _header_arg(text: str) -> tuple[str, str]:
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise SeamlineError(f"--header: expected 'NAME: VALUE', found {text!r}")
    return name.strip(), value.strip()


def _secret_arg(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise SeamlineError(f"--secret: expected FIELD=VALUE, found {text!r}")
    return name.strip(), value


def only_providers(config: SystemConfig, providers: list[str]) -> SystemConfig:
    """`config` with only `providers` and what they need, transitively: no consumer runs."""
    unknown = [name for name in providers if name not in config.spec.services]
    if unknown:
        raise SeamlineError(
            f"the recordings name {', '.join(unknown)}, which {config.path} does not declare "
            f"(services: {', '.join(config.spec.services)}); record again or remove the folder"
        )
    keep: set[str] = set()
    todo = list(providers)
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.add(name)
            todo += config.needs(name)
    services = {name: spec for name, spec in config.spec.services.items() if name in keep}
    return dataclasses.replace(
        config,
        spec=config.spec.model_copy(update={"services": services}),
        edges=tuple(e for e in config.edges if e.consumer in keep),
        links=tuple(link for link in config.links if link.consumer in keep),
        waves=tuple(w for w in (tuple(n for n in wave if n in keep) for wave in config.waves) if w),
    )
