"""Strategies and bisect inside one pytest session: the system starts once, each step switches
the seams and runs its tests again.

A step costs what its tests cost plus switching the plan (bench/strategies: well under 50 ms):
no restart, no new pytest process. Items run again through pytest's own runtest protocol, so
fixtures, markers, the report and the terminal see each run; a plan is applied before every
test because the per-test fixture resets the seams after it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from seamline.errors import SeamlineError
from seamline.records.layout import DRIFT, STRATEGY
from seamline.strategies.build import provider_noise
from seamline.strategies.drive import DriftJson, drive
from seamline.strategies.errors import FlakyStep, NotBisectable
from seamline.strategies.matrix import StepResult, StrategyJson, strategy_json
from seamline.strategies.plans import Mode, Step
from seamline.strategies.recordings import load_recording
from seamline.strategies.search import SearchResult, find_culprits
from seamline.system.harness import Harness

if TYPE_CHECKING:
    from seamline.records.exchange import Exchange
    from seamline.system.core import System

STEPS_PLUGIN = "seamline-steps"
_FAILED = ("failed",)


class _StepRunner:
    """Runs a list of items under a plan, again and again, in this session."""

    def __init__(self) -> None:
        self.plan: Mapping[str, Mode] = {}
        self._outcomes: dict[str, str] = {}
        self._test_seconds = 0.0
        self._ran: set[str] = set()
        self._rerun_ids: dict[str, str] = {}  # node id -> the id of its current rerun
        self.runs = 0  # suite runs (steps) so far
        self.system: System | None = None
        self.rootpath: Path | None = None  # pytest's rootdir: node ids are relative to it
        self.error: Exception | None = None

    def start(self, session: pytest.Session) -> System:
        self.rootpath = session.config.rootpath
        # the pytest_plugin module, looked up by its entry-point name: it sits above this layer
        plugin = session.config.pluginmanager.get_plugin("seamline")
        if plugin is None:
            raise SeamlineError("seamline's pytest plugin is not loaded (-p no:seamline?)")
        system: System = plugin.session_system(session.config)
        self.system = system
        return system

    def apply(self) -> None:
        assert self.system is not None
        for seam, mode in self.plan.items():
            view = self.system.seam(seam)
            view.use_replay() if mode == "replay" else view.use_real()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        # inside the seamline plugin's setup wrapper, which began the test under its node id
        if self.system is not None:
            rerun = self._rerun_ids.get(item.nodeid)
            if rerun is not None:
                Harness(self.system).begin_test(rerun)
            self.apply()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self._test_seconds += report.duration
        now = self._outcomes.get(report.nodeid)
        if report.failed:
            self._outcomes[report.nodeid] = "failed"
        elif report.when == "call" or (report.skipped and now is None):
            self._outcomes.setdefault(report.nodeid, report.outcome)
        rerun = self._rerun_ids.get(report.nodeid)
        if report.when == "teardown" and rerun is not None and self.system is not None:
            Harness(self.system).end_test(rerun, self._outcomes.get(report.nodeid, "passed"))

    def _label(self, item: pytest.Item, run: int) -> None:
        """A test run again is known to the system as `<node id>@<run>`, so the journal, the
        "in this test" assertions and the records tell its runs apart (pytest keeps the id)."""
        if item.nodeid in self._ran:
            if isinstance(item, pytest.Function):
                item._initrequest()  # a fresh request and funcargs, as pytest-rerunfailures does
            self._rerun_ids[item.nodeid] = f"{item.nodeid}@{run}"
        self._ran.add(item.nodeid)

    def run(
        self, items: list[pytest.Item], plan: Mapping[str, Mode]
    ) -> tuple[dict[str, str], float, float]:
        """(outcome per test, wall seconds, seconds inside the tests) of `items` under `plan`."""
        started = time.perf_counter()
        self.plan, self._outcomes, self._test_seconds = plan, {}, 0.0
        self.apply()
        self.runs += 1
        for position, item in enumerate(items):
            self._label(item, self.runs)
            following = items[position + 1] if position + 1 < len(items) else None
            # the last item tears down to the session, not beyond (None would stop the
            # session's fixtures, the system's among them): any next step starts from there
            nextitem = following if following is not None else item.session
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
            if item.session.shouldstop or item.session.shouldfail:
                break
        return dict(self._outcomes), time.perf_counter() - started, self._test_seconds


@dataclass(frozen=True)
class StrategyLabel:
    """What the steps are called in the output: the strategy, its target, the seams' order."""

    strategy: str
    target: str | None
    seams: list[str]


class StrategyPlugin(_StepRunner):
    """Runs a strategy's steps; `results` holds what each gave."""

    def __init__(
        self, steps: list[Step], tests_by_seam: Mapping[str, set[str]], label: StrategyLabel
    ) -> None:
        super().__init__()
        self.steps, self.tests_by_seam, self.label = steps, tests_by_seam, label
        self.results: list[StepResult] = []
        self.drifts: list[DriftJson] = []  # every driver's drift, for the report's Drift section

    def summary(self) -> StrategyJson:
        return strategy_json(self.label.strategy, self.label.target, self.label.seams, self.results)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.config.option.collectonly or not session.items:
            return False
        system = self.start(session)
        for step in self.steps:
            items = self.items_of(step, session.items)
            outcomes, wall, inside = self.run(items, step.plan)
            drive_started = time.perf_counter()
            drifted = {seam: self._drive(system, seam) for seam in step.drive}
            driving = time.perf_counter() - drive_started
            self.results.append(
                StepResult(
                    step,
                    passed=sorted(t for t, o in outcomes.items() if o == "passed"),
                    failed=sorted(t for t, o in outcomes.items() if o in _FAILED),
                    drifted=drifted,
                    seconds=wall + driving,
                    overhead_ms=max(wall - inside, 0.0) * 1000,
                )
            )
        # into the run's records, before the session's end writes the report: its strategy
        # and drift sections
        text = json.dumps(self.summary(), indent=2) + "\n"
        (system.record_dir / STRATEGY).write_text(text, encoding="utf-8")
        if self.drifts:
            text = json.dumps(self.drifts, indent=2) + "\n"
            (system.record_dir / DRIFT).write_text(text, encoding="utf-8")
        return True

    def items_of(self, step: Step, items: list[pytest.Item]) -> list[pytest.Item]:
        if step.drive:  # the drivers stand in for every consumer of the step's layer
            return []
        if step.tests_all:
            return list(items)
        wanted = set().union(*(self.tests_by_seam.get(seam, set()) for seam in step.changed))
        return [item for item in items if item.nodeid in wanted]

    def _drive(self, system: System, seam: str) -> int:
        """Send the seam's recorded requests to its real provider; the requests that drifted."""
        consumer, _, provider = (part.strip() for part in seam.partition("->"))
        recording = load_recording(system.config, consumer, provider)
        noise = provider_noise(system.config, provider)
        drift = drive(recording, system.direct_url(provider), noise)
        self.drifts.append(drift.to_json())
        return len(drift.drifted)


class BisectPlugin(_StepRunner):
    """The search over seams (strategies/search.py) with the failing tests only; `result`
    holds the outcome."""

    def __init__(self, seams: list[str]) -> None:
        super().__init__()
        self.seams = seams
        self.failing: list[str] = []
        self.left_out: list[str] = []  # failing tests that fail with every seam replayed too
        self.result: SearchResult | None = None
        self.culprit_exchanges: list[Exchange] = []

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.config.option.collectonly or not session.items:
            return False
        self.start(session)
        try:
            self._bisect(session.items)
        except (NotBisectable, FlakyStep) as err:
            self.error = err
        return True

    def _bisect(self, items: list[pytest.Item]) -> None:
        everything = self._suite(items, self.seams)
        self.failing = sorted(t for t, o in everything.items() if o in _FAILED)
        if not self.failing:
            raise NotBisectable(
                f"bisect: expected a suite that fails with every seam real, found all "
                f"{len(everything)} test(s) passing: there is nothing to bisect"
            )
        chosen = [item for item in items if item.nodeid in self.failing]
        replayed = self._suite(chosen, [])
        still = sorted(t for t, o in replayed.items() if o in _FAILED)
        if still == self.failing:
            raise NotBisectable(
                f"bisect: expected the failing tests to pass with every seam replayed, found "
                f"{len(still)} failing still ({', '.join(still[:3])}): the failure is not in "
                "a seam's traffic. Fix those first, or record again if the recordings are stale"
            )
        # a test that fails replayed too (or keeps a seam real by its marker) cannot tell
        # the plans apart: bisect with the others, and say which were left out
        self.left_out = still
        self.failing = [test for test in self.failing if test not in still]
        chosen = [item for item in chosen if item.nodeid in self.failing]
        fails = self._fails(chosen)
        self.result = find_culprits(self.seams, fails)
        self._confirm(chosen, fails)

    def _fails(self, chosen: list[pytest.Item]) -> Callable[[list[str]], bool]:
        def fails(real: list[str]) -> bool:
            outcomes = self._suite(chosen, real)
            return any(o in _FAILED for o in outcomes.values())

        return fails

    def _confirm(self, chosen: list[pytest.Item], fails: Callable[[list[str]], bool]) -> None:
        """The culprits once more: a plan that fails once and passes now is flaky."""
        assert self.result is not None
        assert self.system is not None
        mark = max((e.seq for e in self.system.seams.exchanges(all_tests=True)), default=0)
        if not fails(self.result.culprits):
            raise FlakyStep(
                f"bisect stopped: the plan with {', '.join(self.result.culprits)} real failed "
                "once and passed when run again: the suite is flaky, not broken at one seam. "
                "Make the failing tests deterministic and bisect again"
            )
        culprits = set(self.result.culprits)
        self.culprit_exchanges = [
            exchange
            for exchange in self.system.seams.exchanges(all_tests=True)
            if exchange.seq > mark and exchange.seam in culprits
        ]

    def _suite(self, items: list[pytest.Item], real: list[str]) -> dict[str, str]:
        plan: dict[str, Mode] = {seam: "real" if seam in real else "replay" for seam in self.seams}
        return self.run(items, plan)[0]
