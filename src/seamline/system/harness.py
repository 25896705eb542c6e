"""What the pytest plugin and the CLI drive on a running `System`; tests never see it.

`System` shows tests what they use (`url`, `client`, `seam`, `db`, `logs`, `env`, ...);
the plumbing around each test (its boundaries, the seams' reset, the contract check) and
the run's description for tables and `run.json` are here, over the same System.

    harness = Harness(system)
    harness.begin_test(nodeid)
    ...
    harness.end_test(nodeid, "passed")
    violations = harness.contract_violations()
    harness.reset_seams()
"""

from __future__ import annotations

from collections.abc import Mapping

from seamline.errors import RecordsError
from seamline.http.loop import LoopThread
from seamline.records.exchange import Violation
from seamline.records.lines import RunInfo
from seamline.records.writer import write_failure
from seamline.seams.view import SeamView
from seamline.services.base import AnyService
from seamline.system.core import System
from seamline.system.lifecycle import Timing


class Harness:
    """The plumbing of one System: test boundaries, seam resets, the run's description."""

    def __init__(self, system: System) -> None:
        self._system = system
        self._lost_told = 0  # record lines lost so far that a test was already failed for

    @property
    def system(self) -> System:
        return self._system

    def begin_test(self, test_id: str) -> None:
        """Attribute what crosses the seams from now on to `test_id` (tests.jsonl)."""
        tests = self._system._tests
        if tests is not None:
            tests.begin(test_id)
        self._system._stubs.begin_test(test_id)  # replays answer from this test's recording

    def end_test(self, test_id: str, outcome: str, message: str = "", longrepr: str = "") -> None:
        """Record `test_id`'s outcome (passed, failed, error, ...) in tests.jsonl."""
        tests = self._system._tests
        if tests is not None:
            tests.end(test_id, outcome, message, longrepr)

    def new_record_loss(self) -> RecordsError | None:
        """The record dir's first failed write, when lines were lost since the last call:
        each loss fails the test it happened in, and no later one."""
        failure = write_failure(self._system.record_dir)
        if failure is None or failure.lost <= self._lost_told:
            return None
        self._lost_told = failure.lost
        return failure

    def seam_breaks(self) -> list[str]:
        """The current test's exchanges that got no answer (timeout, reset, refused, error)
        and were no fault a test injected, one line each: what a failed test is shown."""
        seams = self._system._seams
        if seams is None:
            return []
        return [
            f"{exchange}" + (f": {exchange.error}" if exchange.error else "")
            for exchange in seams.exchanges()
            if exchange.outcome not in ("ok", "fault")
        ]

    def contract_violations(self) -> list[Violation]:
        """The current test's contract violations (less those it expected); none when
        `contracts = "off"`."""
        system = self._system
        if system.config.spec.contracts == "off" or system._seams is None:
            return []
        return system._seams.violations()

    def loop(self) -> LoopThread:
        """The run's event loop thread (seam proxies, stub servers), started on first use."""
        return self._system._shared_loop()

    def add_finished(
        self, test_id: str, outcome: str, message: str, started: float, ended: float
    ) -> None:
        """Record a test another runner ran (its JUnit case), with its window (epoch s)."""
        tests = self._system._tests
        if tests is not None:
            tests.add_finished(test_id, outcome, message, started, ended)

    def replay_misses(self) -> list[str]:
        """The current test's requests that no recording answered, each with its near
        misses (replayed seams only)."""
        seams = self._system._seams
        return seams.replay_misses() if seams is not None else []

    def reset_seams(self) -> None:
        """Every seam back to real, stub servers' requests forgotten (between tests)."""
        if self._system._seams is not None:
            self._system._seams.reset()
        self._system._stubs.reset()

    def reset_services(self) -> None:
        """After a test: Redis emptied, mock services back to their file mappings (each
        kind's `reset_after_test`; databases are reset by `databases.end_test()`)."""
        for service in self._system._services.values():
            service.reset_after_test()

    def services(self) -> Mapping[str, AnyService]:
        """The services, by name, as declared."""
        return dict(self._system._services)

    def timings(self) -> Mapping[str, Timing]:
        """When each service was started and became ready (monotonic clock)."""
        return dict(self._system._timings)

    def ready_s(self, name: str) -> float | None:
        """Seconds `name` took from its start to ready, once it was ready."""
        return self._system._ready_s(name)

    def seams_in_use(self) -> list[SeamView]:
        """The seams that have a proxy now (declared links and those tests opened)."""
        return list(self._system._seams) if self._system._seams is not None else []

    def describe(self) -> RunInfo:
        """The system as `run.json` records it: services, seams, how each runs."""
        return self._system._describe()
