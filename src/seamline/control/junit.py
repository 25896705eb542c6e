"""Test cases from a JUnit XML file, with the time window each ran in where the XML says.

Reporters differ: a `timestamp` on the test case (some), or only on its suite (pytest,
Surefire, jest-junit); then a case starts where the previous one of its suite ended. A
timestamp without a zone is local time, as the reporters that write one mean it.
"""

from __future__ import annotations

import glob
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Where common runners' JUnit reporters write by default (relative to the command's directory).
DEFAULT_PATHS = (
    "junit.xml",  # jest-junit
    "test-results.xml",  # mocha-junit-reporter
    "newman/*.xml",  # newman -r junit
    "target/surefire-reports/TEST-*.xml",  # Maven
    "build/test-results/test/TEST-*.xml",  # Gradle
)


@dataclass(frozen=True)
class Case:
    """One test case: its id (`classname::name`), outcome and, when known, its window."""

    test_id: str
    outcome: str
    message: str
    started: float | None  # epoch seconds
    ended: float | None


class JUnitError(Exception):
    """The JUnit file is missing or is not JUnit XML; the message says which and where."""


def default_files(directory: Path, since: float) -> list[Path]:
    """The reporters' default files under `directory` written since `since` (epoch)."""
    found: list[Path] = []
    for pattern in DEFAULT_PATHS:
        for name in sorted(glob.glob(str(directory / pattern))):
            path = Path(name)
            if path.is_file() and path.stat().st_mtime >= since:
                found.append(path)
    return found


def read_cases(path: Path) -> list[Case]:
    """Every test case of `path`, in file order."""
    if not path.is_file():
        raise JUnitError(f"JUnit file {path} was not written: expected the runner to write it")
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise JUnitError(f"JUnit file {path} is not XML ({err})") from None
    suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
    if root.tag not in ("testsuite", "testsuites"):
        raise JUnitError(
            f"JUnit file {path}: expected <testsuites> or <testsuite>, found <{root.tag}>"
        )
    cases: list[Case] = []
    for suite in suites:
        cursor = _epoch(suite.get("timestamp"))
        for case in suite.findall("testcase"):
            duration = _seconds(case.get("time"))
            started = _epoch(case.get("timestamp")) or cursor
            ended = started + duration if started is not None and duration is not None else None
            cursor = ended
            cases.append(Case(_case_id(case), *_outcome(case), started, ended))
    return cases


def _case_id(case: ET.Element) -> str:
    classname, name = case.get("classname") or "", case.get("name") or "?"
    return f"{classname}::{name}" if classname else name


def _outcome(case: ET.Element) -> tuple[str, str]:
    for tag, outcome in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
        found = case.find(tag)
        if found is not None:
            return outcome, found.get("message") or (found.text or "").strip()[:500]
    return "passed", ""


def _epoch(stamp: str | None) -> float | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _seconds(text: str | None) -> float | None:
    try:
        return float((text or "").replace(",", "")) if text else None
    except ValueError:
        return None
