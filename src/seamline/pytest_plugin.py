"""seamline's pytest plugin (entry point `pytest11`): the `system` fixture and options.

The system starts once per session (once per xdist worker, each with its own
ports, data and run dir) and stops when the session ends.

PYTEST_DONT_REWRITE: `seamline test` imports this module before pytest starts, and
it has no asserts of its own to rewrite.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from seamline import pytest_page
from seamline.config import SystemConfig, chosen_profile, config_in, find_config, load_config
from seamline.errors import ConfigError, ContractWarning, SeamlineError
from seamline.mock.pytest_fixtures import _mock_session_server, mock, mock_loop, mock_shared
from seamline.progress import CONFIG_PLUGIN, PROGRESS_PLUGIN
from seamline.pytest_db import db, seamline_databases
from seamline.report import ReportOptions
from seamline.report.pytest_support import REPORT_PLUGIN, ReportPlugin
from seamline.report.sharding import DEFAULT_DURATIONS, SHARD_KEY, select_shard
from seamline.system.core import System
from seamline.system.harness import Harness

__all__ = [
    "_mock_session_server",
    "db",
    "mock",
    "mock_loop",
    "mock_shared",
    "seamline_databases",
    "system",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("seamline", "seamline: integration tests of real systems")
    group.addoption(
        "--seamline-config", default=None, help="the system's seamline.toml (or its directory)"
    )
    group.addoption(
        "--seamline-profile", default=None, help="a [profiles.NAME] of the config to apply"
    )
    group.addoption(
        "--seamline-report",
        default=None,
        metavar="DIR",
        help="write the run's report (HTML, JSON) into DIR at the end of the session",
    )
    group.addoption(
        "--seamline-shard",
        default=None,
        metavar="K/N",
        help="run only the K-th of N shards of the suite (e.g. 2/4), balanced by durations",
    )
    group.addoption(
        "--seamline-durations",
        default=None,
        metavar="FILE",
        help="test durations for --seamline-shard: a report.json or {node id: seconds} "
        "(default: .seamline/durations.json next to seamline.toml)",
    )
    parser.addini("seamline_report", "write the run's report into this directory")
    parser.addini("seamline_config", "the system's seamline.toml, relative to the ini file")
    parser.addini("seamline_profile", "a [profiles.NAME] of the config to apply")


def pytest_configure(config: pytest.Config) -> None:
    report_dir = config.getoption("seamline_report") or config.getini("seamline_report")
    if report_dir:
        plugin = ReportPlugin(config, Path(str(report_dir)), _report_options(config))
        config.pluginmanager.register(plugin, REPORT_PLUGIN)
    if not config.pluginmanager.has_plugin(pytest_page.PAGE_PLUGIN):
        # the `page` fixture and its marker; Playwright is imported only when a test asks
        config.pluginmanager.register(pytest_page, pytest_page.PAGE_PLUGIN)
    config.addinivalue_line(
        "markers",
        "seams(**modes): switch the seams into a provider for this test, e.g. "
        "seams(payments='stub'), seams(payments='replay'), seams(payments={'status': 503}), "
        "seams(payments=Fault(...)); "
        "or seams({'api -> payments': 'stub'}) for one seam. Reset to real afterwards.",
    )
    config.addinivalue_line(
        "markers",
        "expect_violations: this test breaks a contract on purpose: its contract violations "
        "do not fail it, and it fails if there is none (system.seams.violations() lists them).",
    )


def _report_options(config: pytest.Config) -> ReportOptions:
    """The report's options from the system's config (its secret names), if there is one."""
    try:
        system_config = loaded_config(config)
    except ConfigError:
        return ReportOptions()  # the `system` fixture reports the problem, once
    if system_config is None:
        return ReportOptions()
    return ReportOptions.from_spec(system_config.spec.report)


def loaded_config(config: pytest.Config) -> SystemConfig | None:
    """The system's config, loaded once per process: the one `seamline test` hands on, else
    the one `config_path` finds, loaded on first use; None when there is none to find.

    A `ConfigError` is kept and raised again to every caller (the fixture reports it)."""
    if CONFIG_KEY not in config.stash:
        handed_on = config.pluginmanager.get_plugin(CONFIG_PLUGIN)
        if handed_on is not None:
            config.stash[CONFIG_KEY] = handed_on.system_config
        else:
            path = config_path(config)
            try:
                config.stash[CONFIG_KEY] = load_config(path, _profile(config)) if path else None
            except ConfigError as err:
                config.stash[CONFIG_KEY] = err
    loaded = config.stash[CONFIG_KEY]
    if isinstance(loaded, ConfigError):
        raise loaded
    return loaded


def config_path(config: pytest.Config) -> Path | None:
    """--seamline-config, else the ini key, else the nearest seamline.toml (or pyproject.toml
    with [tool.seamline]) above the test paths; None when there is none."""
    option = config.getoption("seamline_config")
    if option:
        return find_config(Path(option))
    ini = config.getini("seamline_config")
    if ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return find_config(base / str(ini))
    starts = [Path(arg.split("::")[0]) for arg in config.args] or [config.rootpath]
    for start in starts:
        directory = start.resolve()
        directory = directory if directory.is_dir() else directory.parent
        for candidate in (directory, *directory.parents):
            found = config_in(candidate)  # seamline.toml, or pyproject.toml's [tool.seamline]
            if found is not None:
                return found
    return None


def _profile(config: pytest.Config) -> str | None:
    return chosen_profile(config.getoption("seamline_profile") or config.getini("seamline_profile"))


@pytest.hookimpl(trylast=True)  # shard what -k, -m and the other plugins left selected
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("seamline_shard"):
        return
    try:
        found = config_path(config)
    except ConfigError:  # the `system` fixture reports it
        found = None
    select_shard(config, items, found.parent / DEFAULT_DURATIONS if found else None)


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    return config.stash.get(SHARD_KEY, None)


@pytest.fixture(scope="session")
def system(pytestconfig: pytest.Config) -> System:
    """The declared system, started for real (once per session, or per xdist worker)."""
    return session_system(pytestconfig)


def session_system(pytestconfig: pytest.Config) -> System:
    """The session's started system: started now unless it runs already (a strategy's steps
    start it before their first test, as drivers need it)."""
    running = pytestconfig.stash.get(HARNESS_KEY, None)
    if running is not None:
        return running.system
    system_config = loaded_config(pytestconfig)
    if system_config is None:
        raise pytest.UsageError(
            "seamline: no system config found. Pass --seamline-config=path/to/seamline.toml, "
            "set `seamline_config` in your pytest ini, or put seamline.toml (or [tool.seamline] in "
            "pyproject.toml) above your tests"
        )
    # every xdist worker of one run shares its run id: the report groups their records by it.
    # Asked of the config xdist gives its workers, not of PYTEST_XDIST_*: a plain pytest that an
    # xdist worker starts inherits those, and would join a session that is not its own.
    xdist: dict[str, Any] = getattr(pytestconfig, "workerinput", {})
    worker, session = xdist.get("workerid"), xdist.get("testrunuid")
    system_ = System(system_config, worker=worker, session=session)
    progress = pytestconfig.pluginmanager.get_plugin(PROGRESS_PLUGIN)
    if progress is not None:
        progress.system_starting(
            system_config.name, [name for wave in system_config.waves for name in wave]
        )
    try:
        system_.start(on_ready=progress.service_ready if progress is not None else None)
    except SeamlineError as err:
        _failed_start(pytestconfig, system_, err)
    # Stopped in pytest_sessionfinish, after the last test's teardown report,
    # so that report is recorded too.
    harness = Harness(system_)
    pytestconfig.stash[HARNESS_KEY] = harness
    report = pytestconfig.pluginmanager.get_plugin(REPORT_PLUGIN)
    if report is not None:
        report.add_record_dir(system_.record_dir)
    current = pytestconfig.stash.get(CURRENT_KEY, None)
    if current is not None:
        harness.begin_test(current)
    return system_


def _failed_start(pytestconfig: pytest.Config, system_: System, err: SeamlineError) -> NoReturn:
    """Show the cause once, at the first test that uses the system, without a traceback;
    every later one gets one line pointing at it. The report is still written, with the
    failed service's log."""
    headline = str(err).splitlines()[0]
    pytestconfig.stash[FAILED_START_KEY] = (
        f"seamline: {system_.config.name} did not start ({headline}); "
        "the cause is shown once, at the first test that used the system, and in the report"
    )
    report = pytestconfig.pluginmanager.get_plugin(REPORT_PLUGIN)
    with contextlib.suppress(SeamlineError):  # it failed before its record dir was made
        if report is not None:
            report.add_record_dir(system_.record_dir)
    cause = f"seamline: {system_.config.name} did not start: {err}"
    raise pytest.fail.Exception(cause, pytrace=False) from None


def pytest_sessionfinish(session: pytest.Session) -> None:
    harness = session.config.stash.get(HARNESS_KEY, None)
    if harness is not None:
        del session.config.stash[HARNESS_KEY]
        harness.system.stop(failed=session.testsfailed > 0)
        lost = harness.new_record_loss()  # at the end: run.json, the last test's lines
        if lost is not None:
            session.config.get_terminal_writer().line(f"\n{lost}", red=True)
            session.exitstatus = max(int(session.exitstatus), pytest.ExitCode.TESTS_FAILED)


@pytest.fixture(autouse=True)
def _seamline_seams_per_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """Apply the `seams` marker; afterwards check contracts and reset every seam to real."""
    marker = request.node.get_closest_marker("seams")
    if marker is not None:
        _apply_seams_marker(request.getfixturevalue("system"), marker)
    harness = request.config.stash.get(HARNESS_KEY, None)
    if harness is not None and "system" in request.fixturenames:
        _fail_if_a_service_died(harness.system, at_setup=True)
    yield
    harness = request.config.stash.get(HARNESS_KEY, None)
    if harness is None:
        return
    also = ""  # what else fails the test: told after a death, the likelier cause
    try:
        _check_replay(harness)  # first: a miss's 404 also breaks the contract, as a symptom
        _check_contracts(harness, expected=request.node.get_closest_marker(EXPECT) is not None)
    except pytest.fail.Exception as failed:
        if not any(not death.reported for death in harness.system.services_down()):
            raise
        also = str(failed.msg or "")
    finally:
        harness.reset_seams()
    _fail_if_a_service_died(harness.system, at_setup=False, also=also)
    lost = harness.new_record_loss()
    if lost is not None:
        pytest.fail(str(lost), pytrace=False)


def _fail_if_a_service_died(started: System, at_setup: bool, also: str = "") -> None:
    """A service that died fails the test it died in (with its log's tail, then `also`: what
    else failed the test); every later test errors at setup with one line saying it is down,
    until it is started again."""
    down = started.services_down()
    fresh = [death for death in down if not death.reported]
    for death in fresh:
        death.reported = True
    if fresh:
        told = "\n".join(death.during() for death in fresh)
        pytest.fail(told + (f"\n{also}" if also else ""), pytrace=False)
    if at_setup and down:
        pytest.fail("\n".join(death.later() for death in down), pytrace=False)


def _apply_seams_marker(started: System, marker: pytest.Mark) -> None:
    for arg in marker.args:
        if not isinstance(arg, dict):
            raise pytest.UsageError(
                f"@pytest.mark.seams: expected keyword arguments or a dict "
                f"of seam names, found {arg!r}"
            )
        for seam, mode in arg.items():
            started.seam(seam).set_mode(mode)
    for provider, mode in marker.kwargs.items():
        started.seams.set_provider_mode(provider, mode)


def _check_replay(harness: Harness) -> None:
    """A request that no recording answered fails the test (a replayed seam only)."""
    misses = harness.replay_misses()
    if misses:
        pytest.fail("\n\n".join(misses), pytrace=False)


EXPECT = "expect_violations"


def _check_contracts(harness: Harness, *, expected: bool) -> None:
    if harness.system.config.spec.contracts == "off":
        return
    violations = harness.contract_violations()
    if expected:  # the marker form of `system.seams.expect_violations()`
        if not violations:
            pytest.fail(
                f"expected a contract violation on the seams in this test "
                f"(@pytest.mark.{EXPECT}), found none",
                pytrace=False,
            )
        return
    if not violations:
        return
    lines = "\n  ".join(v.message for v in violations)
    text = f"{len(violations)} contract violation(s) on the seams in this test:\n  {lines}"
    if harness.system.config.spec.contracts == "warn":
        warnings.warn(ContractWarning(text), stacklevel=1)
    else:
        pytest.fail(text, pytrace=False)


# -- attributing what happens to the test it happens in -------------------------

HARNESS_KEY = pytest.StashKey[Harness]()
CONFIG_KEY = pytest.StashKey[SystemConfig | ConfigError | None]()
CURRENT_KEY = pytest.StashKey[str]()
FAILED_START_KEY = pytest.StashKey[str]()  # the one line every test after the first gets
REPORTS_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    item.config.stash[CURRENT_KEY] = item.nodeid
    item.stash[REPORTS_KEY] = {}
    # the system failed to start at an earlier test: this one gets a line, not the cause again
    failed_start = item.config.stash.get(FAILED_START_KEY, None)
    harness = item.config.stash.get(HARNESS_KEY, None)
    if harness is not None:
        harness.begin_test(item.nodeid)
    try:
        return (yield)
    except pytest.fail.Exception:
        if failed_start is not None and "system" in getattr(item, "fixturenames", ()):
            raise pytest.fail.Exception(failed_start, pytrace=False) from None
        raise


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    reports = item.stash.setdefault(REPORTS_KEY, {})
    reports[report.when] = report
    harness = item.config.stash.get(HARNESS_KEY, None)
    if report.when == "call" and report.failed and harness is not None:
        breaks = harness.seam_breaks()  # the provider's side of an httpx.ReadError
        if breaks:
            report.sections.append(("seamline: no answer on the seams", "\n".join(breaks)))
    if report.when == "teardown" and harness is not None:
        outcome, message, longrepr = _outcome(reports)
        harness.end_test(item.nodeid, outcome, message, longrepr)
    return report


def _outcome(reports: dict[str, pytest.TestReport]) -> tuple[str, str, str]:
    """passed | failed | skipped | error (setup or teardown failed), with the failure's text.

    A test that failed and then failed its teardown too (its contract check) is "failed"
    with its own failure first and the teardown's after it.
    """
    setup, call, teardown = reports.get("setup"), reports.get("call"), reports.get("teardown")
    torn = teardown is not None and teardown.failed
    if setup is not None and setup.failed:
        return "error", _message(setup), setup.longreprtext
    if call is not None and call.failed and not hasattr(call, "wasxfail"):
        after = f"\n\nand at teardown:\n{teardown.longreprtext}" if torn and teardown else ""
        return "failed", _message(call), call.longreprtext + after
    if torn and teardown is not None:
        return "error", _message(teardown), teardown.longreprtext
    if setup is not None and setup.skipped:
        return "skipped", _message(setup), ""
    if call is None:
        return "error", "", ""
    if hasattr(call, "wasxfail"):
        return ("xfailed" if call.skipped else "xpassed"), "", ""
    return call.outcome, _message(call), ""


def _message(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return str(report.longrepr or "")
