"""`seamline test --strategy`, `seamline test --only-real` and `seamline bisect`: the checks
before the session, and what is printed and written after it (strategy_steps.py runs them)."""

from __future__ import annotations

import argparse
import json
import os
import shlex
from pathlib import Path
from typing import Any

from seamline import console as out
from seamline.config import SystemConfig
from seamline.errors import SeamlineError
from seamline.mock.mapping import StubMapping
from seamline.records.exchange import Exchange
from seamline.strategies.build import provider_noise
from seamline.strategies.drive import field_differences, request_of
from seamline.strategies.errors import NoSeams
from seamline.strategies.matrix import matrix_lines
from seamline.strategies.noise import Noise
from seamline.strategies.plans import Layers, Mode, Step, plan_steps
from seamline.strategies.recordings import (
    SeamRecording,
    load_recording,
    read_index,
    recordings_root,
    seam_dir,
)
from seamline.strategy_steps import BisectPlugin, StrategyLabel, StrategyPlugin

STRATEGY_FILE = "strategy.json"


def check_pytest_args(pytest_args: list[str]) -> None:
    """Steps run again in one session: pytest-xdist's workers would each run the suite once."""
    parallel = [arg for arg in pytest_args if arg.startswith(("-n", "--numprocesses", "--dist"))]
    if parallel:
        raise SeamlineError(
            f"strategies and bisect run their steps in one pytest session: expected no "
            f"pytest-xdist option, found {' '.join(parallel)}; drop it"
        )


def strategy_plugin(config: SystemConfig, args: argparse.Namespace) -> StrategyPlugin:
    """The plugin that runs the steps `args` ask for; every recording they need checked now."""
    layers = Layers.of(config)
    if args.only_real is not None:
        steps = [_only_real_step(layers, args.only_real)]
    else:
        if args.target is not None and args.strategy != "sandwich":
            raise SeamlineError(
                f"--target: expected with --strategy sandwich only, found --strategy "
                f"{args.strategy}; drop --target or use --strategy sandwich"
            )
        steps = plan_steps(args.strategy, layers, args.target)
    needed = {seam for step in steps for seam, mode in step.plan.items() if mode != "real"}
    tests = {seam: _tests_of(config, seam) for seam in layers.names}
    for seam in sorted(needed):
        _recording(config, seam)  # NoRecording / RecordingOutdated / InvalidRecording now
    label = StrategyLabel(args.strategy or "plan", args.target, layers.names)
    return StrategyPlugin(steps, tests, label)


def _only_real_step(layers: Layers, wanted: list[str]) -> Step:
    real = {_seam(text) for text in wanted}
    unknown = sorted(real - set(layers.names))
    if unknown:
        raise SeamlineError(
            f"--only-real: expected a seam between two services, found {', '.join(unknown)} "
            f"(seams: {', '.join(layers.names) or 'none'})"
        )
    plan: dict[str, Mode] = {s: "real" if s in real else "replay" for s in layers.names}
    return Step(f"only {', '.join(sorted(real))} real", plan, tuple(plan), tests_all=True)


def finish_strategy(
    config: SystemConfig, args: argparse.Namespace, plugin: StrategyPlugin, code: int
) -> int:
    """Print the matrix and write strategy.json beside the report; pytest's code stands."""
    if not plugin.results:
        return code
    console = out.console()
    console.print(f"\nstrategy {plugin.label.strategy} on {config.name}:", markup=False)
    for line in matrix_lines(plugin.results, plugin.label.seams):
        console.print(line, markup=False)
    report = plugin.summary()
    target = Path(args.report_dir) / STRATEGY_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    console.print(f"each step's plan written to {target}", markup=False)
    return code if report["first_failing"] is None else max(code, 1)


def bisect_plugin(config: SystemConfig) -> BisectPlugin:
    seams = Layers.of(config).names
    if not seams:
        raise NoSeams(
            f"bisect: expected seams between services to bisect over, found none in "
            f"{config.path}; every link there is from the test or the browser"
        )
    for seam in seams:
        _recording(config, seam)
    return BisectPlugin(seams)


def finish_bisect(
    config: SystemConfig, args: argparse.Namespace, plugin: BisectPlugin, pytest_args: list[str]
) -> int:
    """Print the seams found, how their traffic differs from the recording, and how to rerun."""
    console = out.console()
    if plugin.error is not None:
        out.error(str(plugin.error))
        return 2
    if plugin.result is None:
        out.error("bisect: no test ran (check the path and the pytest arguments)")
        return 2
    culprits = plugin.result.culprits
    console.print(
        f"\nbisect: {', '.join(culprits)} real (every other seam replayed) still fails "
        f"{len(plugin.failing)} test(s); found in {plugin.runs} suite runs "
        f"({plugin.result.runs} by group testing and ddmin over {len(plugin.seams)} seams)",
        markup=False,
    )
    if plugin.left_out:
        console.print(
            f"left out {len(plugin.left_out)} test(s) that fail with every seam replayed too: "
            + ", ".join(plugin.left_out),
            markup=False,
        )
    for seam in culprits:
        console.print(f"  {seam}:", markup=False)
        for line in differences(config, seam, plugin.culprit_exchanges) or ["(no field differs)"]:
            console.print(f"    {line}", markup=False)
    only = " ".join(f"--only-real {shlex.quote(seam)}" for seam in culprits)
    tests = " ".join(shlex.quote(_from(config, plugin, test)) for test in plugin.failing)
    console.print(
        f"reproduce alone: seamline test {shlex.quote(str(config.base_dir))} {only} -- {tests}",
        markup=False,
    )
    return 0


def differences(config: SystemConfig, seam: str, exchanges: list[Exchange]) -> list[str]:
    """Field-level differences between `seam`'s exchanges and the closest recorded ones.

    A field whose recorded values vary from one recording of the same endpoint to another
    (an id, a key) is volatile: it shows only when its type changed (3998 -> "39.98")."""
    recording = _recording(config, seam)
    noise = provider_noise(config, recording.provider)
    lines: list[str] = []
    for exchange in (e for e in exchanges if e.seam == seam):
        where = f"{exchange.request.method} {exchange.request.path}"
        candidates = _recorded_for(recording, exchange)
        if not candidates:
            lines.append(f"{where}: not in the recording")
            continue
        volatile = _varying(candidates)
        found = min(
            (_compared(request, stub, exchange, noise, volatile) for request, stub in candidates),
            key=len,
        )
        lines += [f"{where} {difference}" for difference in found]
    return sorted(set(lines), key=lines.index)


def _compared(
    request: dict[str, Any],
    stub: StubMapping,
    exchange: Exchange,
    noise: Noise,
    volatile: set[str],
) -> list[str]:
    sent = _json(exchange.request.body.text)
    found = [
        f"request {path}: {change} ({_shown(was)} -> {_shown(now)})"
        for path, change, was, now in field_differences(_json(request["body"]), sent, noise)
        if not _noise(path, was, now, volatile)
    ]
    if exchange.response is None:
        return [*found, f"no response ({exchange.outcome})"]
    if exchange.response.status != stub.response.status:
        found.append(f"status: {stub.response.status} -> {exchange.response.status}")
    was_body = _json((stub.response.body or b"").decode("utf-8", "replace"))
    for path, change, was, now in field_differences(
        was_body, _json(exchange.response.body.text), noise
    ):
        if not _noise(path, was, now, volatile):
            found.append(f"response {path}: {change} ({_shown(was)} -> {_shown(now)})")
    return found


def _noise(path: str, was: object, now: object, volatile: set[str]) -> bool:
    return path in volatile and type(was) is type(now)


def _varying(candidates: list[tuple[dict[str, Any], StubMapping]]) -> set[str]:
    """The response fields whose recorded values differ between the endpoint's recordings."""
    seen: dict[str, set[str]] = {}
    for _, stub in candidates:
        body = _json((stub.response.body or b"").decode("utf-8", "replace"))
        for path, value in _leaves(body, "$"):
            seen.setdefault(path, set()).add(json.dumps(value, sort_keys=True))
    return {path for path, values in seen.items() if len(values) > 1}


def _leaves(value: object, path: str) -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _leaves(item, f"{path}.{key}")]
    return [(path, value)]


def _recorded_for(
    recording: SeamRecording, exchange: Exchange
) -> list[tuple[dict[str, Any], StubMapping]]:
    """The recorded requests (and their stubs) to the same method and path."""
    found = []
    for stub in recording.in_order():
        request = request_of(stub)
        if request is None or request["method"] != exchange.request.method:
            continue
        if str(request["url"]).split("?", 1)[0] == exchange.request.path:
            found.append((request, stub))
    return found


def _json(text: object) -> object:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _shown(value: object) -> str:
    return json.dumps(value) if value is not None else "nothing"


def _from(config: SystemConfig, plugin: BisectPlugin, test: str) -> str:
    """A node id (relative to pytest's rootdir) as an argument from the system's directory,
    where `seamline test` runs pytest."""
    path, sep, rest = test.partition("::")
    absolute = (plugin.rootpath or config.base_dir) / path
    return f"{os.path.relpath(absolute, config.base_dir)}{sep}{rest}"


def _tests_of(config: SystemConfig, seam: str) -> set[str]:
    consumer, provider = _ends(seam)
    index = read_index(seam_dir(recordings_root(config), consumer, provider))
    if index is None:
        return set()
    return {test for entry in index["mappings"].values() for test in entry["tests"]}


def _recording(config: SystemConfig, seam: str) -> SeamRecording:
    consumer, provider = _ends(seam)
    return load_recording(config, consumer, provider)


def _ends(seam: str) -> tuple[str, str]:
    consumer, _, provider = seam.partition("->")
    return consumer.strip(), provider.strip()


def _seam(text: str) -> str:
    consumer, sep, provider = text.partition("->")
    if not sep or not consumer.strip() or not provider.strip():
        raise SeamlineError(
            f"expected a seam CONSUMER->PROVIDER (e.g. 'api->payments'), found {text!r}"
        )
    return f"{consumer.strip()} -> {provider.strip()}"
