"""`seamline test --shard K/N` and `seamline report merge`, over real runs of a small system:
the merged report of the shards is the single run's report, in tests, outcomes and exchanges."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from seamline.report import github_summary, schema_path
from tests.cli.test_cli import SYSTEM

TESTS = "".join(
    f"def test_{n}(system):\n"
    f"    assert system.client('api').get('/health?n={n}').status_code == 200\n"
    + ("    assert False, 'deliberately failing'\n" if n == 3 else "")
    + "\n"
    for n in range(6)
)


@pytest.fixture
def suite(write_config) -> Path:
    base = write_config(SYSTEM).parent
    (base / "test_suite.py").write_text(TESTS)
    return base


def run(
    *args: str, run_root: Path, records: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SEAMLINE_RUN_ROOT": str(run_root), "COLUMNS": "200"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    if records is not None:
        env["SEAMLINE_RECORD_ROOT"] = str(records)  # each shard's records apart, as on N machines
    return subprocess.run(
        [sys.executable, "-m", "seamline", *args],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )  # fmt: skip


def run_shard(suite: Path, k: int, tmp_path: Path, run_root: Path) -> Path:
    """Shard k/2 with its own records dir (as on its own machine); returns that dir."""
    records = tmp_path / f"shard-{k}"
    done = run("test", str(suite), "--plain", "--shard", f"{k}/2", "--report-dir",
               str(tmp_path / f"report-{k}"), run_root=run_root, records=records)  # fmt: skip
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return records


def shape(report: dict) -> tuple[dict[str, str], dict[str, int], dict[str, int]]:
    tests = [t for t in report["tests"] if t["outcome"] != "session"]
    return (
        {t["id"]: t["outcome"] for t in tests},
        {t["id"]: len(t["exchanges"]) for t in tests},
        {s["name"]: s["exchanges"] for s in report["seams"]},
    )


def test_two_shards_merged_are_the_single_run(suite, run_root, tmp_path):
    single = run("test", str(suite), "--plain", "--report-dir", str(tmp_path / "one"),
                 run_root=run_root, records=tmp_path / "records-one")  # fmt: skip
    assert single.returncode == 1, single.stdout + single.stderr
    shards = [run_shard(suite, k, tmp_path, run_root) for k in (1, 2)]
    merged = run("report", "merge", str(tmp_path / "merged"), *map(str, shards), run_root=run_root)
    assert merged.returncode == 0, merged.stdout + merged.stderr
    one = json.loads((tmp_path / "one" / "report.json").read_text())
    both = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert len(shape(one)[0]) == 6
    assert shape(both) == shape(one)
    assert both["summary"]["outcomes"] == one["summary"]["outcomes"]
    # each shard ran 3 of the 6, and the slowest one is the critical path
    views = both["shards"]["shards"]
    assert [v["tests"] for v in views] == [3, 3]
    slowest = max(views, key=lambda v: v["wall_s"])
    assert both["shards"]["critical_path"] == slowest["name"]
    jsonschema.validate(both, json.loads(schema_path().read_text()))
    summary = github_summary(both)
    assert "#### Shards" in summary and f"{slowest['name']} (critical path)" in summary
    junit = (tmp_path / "merged" / "junit.xml").read_text()
    assert 'tests="6" failures="1"' in junit
    assert "critical path: shard-" in (tmp_path / "merged" / "index.html").read_text()
    durations = json.loads((tmp_path / "merged" / "durations.json").read_text())
    assert sorted(durations) == sorted(shape(one)[0])


@pytest.mark.parametrize("spec", ["3/2", "0/4", "a/b"])
def test_a_bad_shard_is_a_usage_error(suite, run_root, spec):
    done = run("test", str(suite), "--shard", spec, run_root=run_root)
    assert done.returncode == 2
    assert (
        f"--shard expects K/N with 1 <= K <= N (the K-th of N shards, e.g. 2/4), found '{spec}'"
        in done.stderr
    )


def test_durations_of_another_suite_warn_and_split_evenly(suite, run_root, tmp_path):
    other = tmp_path / "durations.json"
    other.write_text(json.dumps({"elsewhere/test_x.py::test_y": 4.0}))
    done = run("test", str(suite), "--plain", "--shard", "1/2", "--durations-from", str(other),
               "--", "-W", "default", "-rw", run_root=run_root)  # fmt: skip
    out = done.stdout + done.stderr
    assert "knows 0 of the 6 collected tests" in out
    assert "seamline shard 1/2: 3 of 6 tests (split evenly by count)" in out


def test_durations_balance_the_shards(suite, run_root, tmp_path):
    durations = {f"test_suite.py::test_{n}": 0.1 for n in range(6)}
    durations["test_suite.py::test_5"] = 10.0  # alone on its shard
    committed = suite / ".seamline" / "durations.json"
    committed.parent.mkdir(exist_ok=True)
    committed.write_text(json.dumps(durations))
    done = run("test", str(suite), "--plain", "--shard", "1/2", "--report-dir",
               str(tmp_path / "report"), run_root=run_root)  # fmt: skip
    assert "seamline shard 1/2: 1 of 6 tests (split by durations)" in done.stdout, done.stdout
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert [t["id"] for t in report["tests"] if t["outcome"] == "passed"] == [
        "test_suite.py::test_5"
    ]


def test_shards_of_different_configs_are_not_merged(suite, run_root, tmp_path):
    for k in (1, 2):
        run_shard(suite, k, tmp_path, run_root)
    run_json = next((tmp_path / "shard-2").glob("*/run.json"))
    info = json.loads(run_json.read_text())
    run_json.write_text(json.dumps({**info, "seamline": "0.0.1"}))
    done = run("report", "merge", str(tmp_path / "m"), str(tmp_path / "shard-1"),
               str(tmp_path / "shard-2"), run_root=run_root)  # fmt: skip
    assert done.returncode == 1
    assert "cannot merge shards of different seamline versions" in done.stderr
    assert "'0.0.1' in shard-2" in done.stderr.replace("\n", " ")
    run_json.write_text(json.dumps({**info, "system": "another"}))
    done = run("report", "merge", str(tmp_path / "m"), str(tmp_path / "shard-1"),
               str(tmp_path / "shard-2"), run_root=run_root)  # fmt: skip
    assert "cannot merge shards of different configs" in done.stderr
    assert "system=another" in done.stderr.replace("\n", " ")


def test_a_shard_that_is_no_record_dir_is_named(tmp_path, run_root):
    (tmp_path / "empty").mkdir()
    done = run("report", "merge", str(tmp_path / "m"), str(tmp_path / "empty"), run_root=run_root)
    assert done.returncode == 1
    assert "no seamline record dir in shard" in done.stderr
