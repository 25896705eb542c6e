"""`seamline test --strategy` and `seamline bisect` on the hubs project: real processes, one
pytest session per command, a recording made by `seamline record` first."""

from __future__ import annotations

import json
import math
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.strategies.hubs import SEAMS, seamline, write_project


@pytest.fixture(scope="module")
def hubs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hubs project with a recording of its green all-real run."""
    project = write_project(tmp_path_factory.mktemp("hubs"))
    report = project / "report"
    done = seamline("record", str(project), "--plain", "--report-dir", str(report))
    assert done.returncode == 0, done.stdout + done.stderr
    return project


def run(project: Path, *args: str, env: dict[str, str] | None = None):
    report = ["--plain", "--report-dir", str(project / "report")]
    return seamline(args[0], str(project), *report, *args[1:], env=env)


def test_incremental_makes_one_leaf_real_per_step_and_runs_only_the_tests_that_cross_it(
    hubs: Path,
) -> None:
    done = run(hubs, "test", "--strategy", "incremental")
    assert done.returncode == 0, done.stdout + done.stderr
    steps = json.loads((hubs / "report" / "strategy.json").read_text())["steps"]
    assert [step["changed"] for step in steps][1:] == [[seam] for seam in SEAMS]
    real = [sum(mode == "real" for mode in step["plan"].values()) for step in steps]
    assert real == [0, 1, 2, 3, 4]
    assert len(steps[0]["passed"]) == 3  # the first step runs every test
    crossing = ["tests/test_hub.py::test_flaky_when_asked", "tests/test_hub.py::test_sum"]
    assert all(step["passed"] == crossing for step in steps[1:])
    assert "every step passed (5 step(s))" in done.stdout
    page = (hubs / "report" / "index.html").read_text()  # the report's strategy section
    assert "Strategy: incremental" in page and "leaf4 real" in page
    assert json.loads((hubs / "report" / "report.json").read_text())["strategy"]["steps"][4][
        "plan"
    ] == dict.fromkeys(SEAMS, "real")


def test_the_first_failing_step_names_the_seam_it_made_real(hubs: Path) -> None:
    done = run(hubs, "test", "--strategy", "incremental", env={"HUB_BROKEN": "leaf3"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "first failing step: 4 (leaf3 real); changed at it: hub -> leaf3 real" in done.stdout
    steps = json.loads((hubs / "report" / "strategy.json").read_text())["steps"]
    assert steps[3]["failed"] == ["tests/test_hub.py::test_sum"]
    assert json.loads((hubs / "report" / "strategy.json").read_text())["first_failing"] == 3


def test_bottom_up_drives_the_leaves_with_the_recorded_requests(hubs: Path) -> None:
    done = run(hubs, "test", "--strategy", "bottom-up", env={"HUB_BROKEN": "leaf2"})
    assert done.returncode == 1, done.stdout + done.stderr
    first = json.loads((hubs / "report" / "strategy.json").read_text())["steps"][0]
    assert first["passed"] == first["failed"] == []  # drivers only: no consumer runs
    drifted = {seam for seam, requests in first["driven"].items() if requests}
    assert (set(first["driven"]), drifted) == (set(SEAMS), {"hub -> leaf2"})
    assert "first failing step: 1 (drive level 0)" in done.stdout
    drift = json.loads((hubs / "report" / "report.json").read_text())["drift"]  # its section
    assert {seam["seam"]: seam["drifted"] for seam in drift} == {
        seam: int(seam == "hub -> leaf2") for seam in SEAMS
    }


def test_bisect_names_the_broken_seam_and_the_field(hubs: Path) -> None:
    done = run(hubs, "bisect", env={"HUB_BROKEN": "leaf3"})
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "bisect: hub -> leaf3 real (every other seam replayed) still fails 1 test(s)" in out
    assert 'GET /value response $.value: changed (1 -> "1")' in out
    runs = re.search(
        r"found in (\d+) suite runs \((\d+) by group testing and ddmin over 4 seams\)", out
    )
    assert runs is not None, out
    # all-real, all-replayed, the search's runs, the culprits once more to rule out a flaky suite
    assert int(runs[2]) <= math.log2(4) + 1 and int(runs[1]) == int(runs[2]) + 3
    assert "--only-real 'hub -> leaf3' -- tests/test_hub.py::test_sum" in out
    alone = shlex.split(out.split("reproduce alone: ")[1].splitlines()[0])  # run as printed
    report = ["--plain", "--report-dir", str(hubs / "report")]
    again = seamline(*alone[1:3], *report, *alone[3:], env={"HUB_BROKEN": "leaf3"})
    assert again.returncode == 1, again.stdout + again.stderr
    assert "first failing step: 1 (only hub -> leaf3 real)" in again.stdout
    assert "failed: tests/test_hub.py::test_sum" in again.stdout


def test_bisect_on_two_interacting_seams_keeps_both(hubs: Path) -> None:
    # the hub leaves one bad leaf out of its sum: only the two together break it
    done = run(hubs, "bisect", env={"HUB_BROKEN": "leaf1,leaf4", "HUB_TOLERATE": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "bisect: hub -> leaf1, hub -> leaf4 real (every other seam replayed)" in done.stdout


def test_bisect_on_a_suite_that_passes_all_real_says_there_is_nothing_to_bisect(
    hubs: Path,
) -> None:
    done = run(hubs, "bisect")
    assert done.returncode == 2
    assert "found all 3 test(s) passing: there is nothing to bisect" in done.stdout + done.stderr


def test_bisect_on_a_suite_that_fails_all_replay_says_the_failure_is_not_in_a_seam(
    hubs: Path,
) -> None:
    done = run(hubs, "bisect", env={"HUB_TEST_FAILS": "1"})
    assert done.returncode == 2
    text = done.stdout + done.stderr
    assert "expected the failing tests to pass with every seam replayed, found 1 failing" in text


def test_bisect_stops_when_the_same_plan_gives_another_result(hubs: Path, tmp_path: Path) -> None:
    done = run(hubs, "bisect", env={"HUB_FLAKY": str(tmp_path / "runs")})
    assert done.returncode == 2
    assert "the suite is flaky" in done.stdout + done.stderr


def test_a_target_naming_no_service_says_which_it_meant(hubs: Path) -> None:
    done = run(hubs, "test", "--strategy", "sandwich", "--target", "lef3")
    assert done.returncode == 1
    assert "--target 'lef3'" in done.stderr and "did you mean 'leaf3'" in done.stderr


def test_a_strategy_of_a_system_without_seams_says_so(tmp_path: Path) -> None:
    (tmp_path / "seamline.toml").write_text(
        'name = "alone"\n[services.leaf]\ncommand = "python -m http.server {self.port}"\n'
    )
    done = seamline("test", str(tmp_path), "--strategy", "top-down", "--plain")
    assert done.returncode == 1
    assert "expected seams between services to switch, found none" in done.stderr
    done = seamline("bisect", str(tmp_path), "--plain")
    assert done.returncode == 1
    assert "bisect: expected seams between services to bisect over, found none" in done.stderr


def test_a_strategy_refuses_pytest_xdist(hubs: Path) -> None:
    done = run(hubs, "test", "--strategy", "incremental", "--", "-n", "2")
    assert done.returncode == 1
    assert "expected no pytest-xdist option, found -n" in done.stderr


def test_a_strategy_checks_every_recording_it_needs_before_anything_starts(
    hubs: Path, tmp_path: Path
) -> None:
    copy = Path(shutil.copytree(hubs, tmp_path / "hubs", ignore=shutil.ignore_patterns(".*")))
    folder = copy / "recordings" / "hub__leaf2"
    mapping = sorted((folder / "mappings").glob("*.json"))[0]
    text = mapping.read_text()
    mapping.write_text('{"request": {')  # edited by hand into an invalid mapping
    done = run(copy, "test", "--strategy", "incremental")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seam hub -> leaf2: the recording in" in done.stderr
    assert f"{mapping}: $: not valid JSON at line 1" in done.stderr
    assert "record the seam again" in done.stderr
    mapping.write_text(text)
    index = (folder / "index.json").read_text()
    (folder / "index.json").write_text("[]")  # valid JSON, not an index
    done = run(copy, "bisect", env={"HUB_BROKEN": "leaf2"})
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{folder / 'index.json'}: expected the fields v, " in done.stderr
    (folder / "index.json").write_text(index)
    config = copy / "seamline.toml"
    config.write_text(config.read_text().replace('ready = "http GET /health"', 'ready = "tcp"', 2))
    done = run(copy, "test", "--strategy", "top-down")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "was made with another version of the config" in done.stderr
    shutil.rmtree(copy / "recordings")
    done = run(copy, "test", "--strategy", "bottom-up")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "seam hub -> leaf1: no recording: expected " in done.stderr
    assert "seamline record" in done.stderr
