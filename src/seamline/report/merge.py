"""`seamline report merge`: one report from the record dirs of N shards of one suite.

Each shard is a directory: a record dir, a runs directory (`.seamline/runs/`), or a CI
artifact holding either (found by searching it). The record dirs of all shards go through
the same assembly as the xdist workers of one run (`build_model`), so tests, seams,
violations and logs read as if from one run; on top, the report names the shards, their
wall times and the critical path (the slowest shard, which bounds the whole job).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from seamline.errors import SeamlineError
from seamline.records.layout import is_record_dir
from seamline.records.reader import RecordDir, canonical_time
from seamline.report.build import record_dirs_of, write_report
from seamline.report.github import write_github_summary
from seamline.report.model import build_model, load_records
from seamline.report.options import ReportOptions, ReportPaths
from seamline.report.sharding import durations_of
from seamline.report.summary import seconds_between

FAILED = {"failed", "error"}


class MergeError(SeamlineError):
    """Shards that cannot be merged into one report (missing, or of different runs' kinds)."""


@dataclass(frozen=True)
class Shard:
    name: str
    records: list[RecordDir]


def merge(
    shard_dirs: Sequence[Path],
    out_dir: Path,
    *,
    options: ReportOptions | None = None,
    environ: Mapping[str, str] | None = None,
) -> ReportPaths:
    """Write one report (index.html, report.json, junit.xml, GitHub summary) of the shards."""
    options = options or ReportOptions()
    shards = [_load_shard(Path(path), options) for path in shard_dirs]
    refuse_mixed(shards)
    model = build_model([r for shard in shards for r in shard.records], options)
    model["shards"] = shard_views(shards)
    paths = write_report(model, out_dir, options)
    (out_dir / "junit.xml").write_text(junit_xml(model), encoding="utf-8")
    # the whole suite's durations, ready to commit as .seamline/durations.json for --shard
    durations = json.dumps(durations_of(model["tests"]), indent=1)
    (out_dir / "durations.json").write_text(durations + "\n", encoding="utf-8")
    environ = os.environ if environ is None else environ
    if options.github_summary and environ.get("GITHUB_STEP_SUMMARY"):
        write_github_summary(model, paths.html, Path(environ["GITHUB_STEP_SUMMARY"]))
    return paths


def shard_record_dirs(path: Path) -> list[Path]:
    """The record dirs of one shard: PATH itself, its newest session, or those found inside."""
    if not path.is_dir():
        raise MergeError(
            f"shard {path} does not exist or is not a directory: expected a record dir, a "
            "runs directory (.seamline/runs) or a downloaded artifact holding one"
        )
    try:
        return record_dirs_of(path)
    except FileNotFoundError:
        pass
    # A CI artifact keeps the paths it was uploaded with: find the runs directory inside.
    parents = sorted({p.parent for p in path.rglob("run.json") if is_record_dir(p.parent)})
    if not parents:
        raise MergeError(
            f"no seamline record dir in shard {path}: expected run.json under it (upload "
            "the shard's .seamline/runs directory as its artifact)"
        )
    return [d for parent in parents for d in record_dirs_of(parent)]


def _load_shard(path: Path, options: ReportOptions) -> Shard:
    return Shard(
        name=path.name or str(path), records=load_records(shard_record_dirs(path), options)
    )


def refuse_mixed(shards: list[Shard]) -> None:
    """Shards of different configs or seamline versions are not one suite's run: refuse."""
    for what, key in (("seamline version", _version), ("config", _config)):
        seen: dict[str, str] = {}
        for shard in shards:
            for record in shard.records:
                seen.setdefault(key(record), f"{shard.name} ({record.path})")
        if len(seen) > 1:
            found = "; ".join(f"{value!r} in {where}" for value, where in seen.items())
            raise MergeError(
                f"cannot merge shards of different {what}s: found {found}. Merge only the "
                f"shards of one CI run, all made by the same seamline and config."
            )


def _version(record: RecordDir) -> str:
    return str(record.run.get("seamline") or "unknown")


def _config(record: RecordDir) -> str:
    # The absolute path differs between CI machines; the file name, system and declared
    # services and seams do not when the config is the same.
    run = record.run
    services = ",".join(sorted(run.get("services") or {}))
    seams = ",".join(
        sorted(f"{s.get('consumer')}->{s.get('provider')}" for s in run.get("seams") or [])
    )
    name = Path(str(run.get("config") or "")).name
    return f"{name} system={run.get('system')} services=[{services}] seams=[{seams}]"


def shard_views(shards: list[Shard]) -> dict[str, Any]:
    """Each shard's wall time (first start to last end of its record dirs) and the slowest."""
    views: list[dict[str, Any]] = []
    for shard in shards:
        starts = [canonical_time(r.run.get("started")) or "" for r in shard.records]
        ends = [canonical_time(r.run.get("ended")) or "" for r in shard.records]
        # a shard still running (or killed) has no end: its wall time is unknown
        wall = None if "" in ends else seconds_between(min(starts), max(ends))
        tests = sum(e.get("event") == "end" for r in shard.records for e in r.test_events)
        views.append({"name": shard.name, "wall_s": wall, "tests": tests})
    timed = [v for v in views if v["wall_s"] is not None]
    slowest = max(timed, key=lambda v: v["wall_s"], default=None)
    return {
        "shards": views,
        "critical_path": slowest["name"] if slowest else None,
        "critical_path_s": slowest["wall_s"] if slowest else None,
        "sum_s": round(sum(v["wall_s"] for v in timed), 3) if timed else None,
    }


def junit_xml(model: dict[str, Any]) -> str:
    """A JUnit XML of the merged tests (one suite), for CI test views."""
    tests = [t for t in model["tests"] if t["outcome"] != "session"]
    failures = sum(t["outcome"] == "failed" for t in tests)
    errors = sum(t["outcome"] in ("error", "unfinished") for t in tests)
    skipped = sum(t["outcome"] == "skipped" for t in tests)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<testsuites><testsuite name="seamline" tests="{len(tests)}" failures="{failures}" '
        f'errors="{errors}" skipped="{skipped}">',
    ]
    for test in tests:
        lines.append(_testcase(test))
    lines.append("</testsuite></testsuites>")
    return "\n".join(lines) + "\n"


def _testcase(test: dict[str, Any]) -> str:
    path, _, name = str(test["id"]).rpartition("::")
    classname = path.replace("/", ".").removesuffix(".py")
    duration = test.get("duration_s") or 0
    head = f'<testcase classname={quoteattr(classname)} name={quoteattr(name)} time="{duration}"'
    message = quoteattr(str(test.get("message") or ""))
    body = escape(str(test.get("longrepr") or test.get("message") or ""))
    outcome = test["outcome"]
    if outcome == "failed":
        return f"{head}><failure message={message}>{body}</failure></testcase>"
    if outcome in ("error", "unfinished"):
        return f"{head}><error message={message}>{body}</error></testcase>"
    if outcome == "skipped":
        return f"{head}><skipped message={message}/></testcase>"
    return f"{head}/>"
