"""A GitHub Actions step summary: the run in a few lines of markdown on the job's page.

GitHub renders some HTML in summaries, so every recorded value is escaped.
Summaries are capped at 1 MiB per step; this one lists at most
`MAX_FAILURES` failures and points to the full report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MAX_FAILURES = 30
FAILED = ("failed", "error", "unfinished", "xpassed")


def github_summary(model: dict[str, Any], report_path: Path | None = None) -> str:
    """The markdown for `$GITHUB_STEP_SUMMARY` from a report's data (`report.json`)."""
    summary = model["summary"]
    lines = [f"### {_cell(model['title'])}: {_verdict(summary)}", ""]
    lines += [
        "| tests | exchanges | contract violations | faults and errors | db changes | duration |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {summary['tests']} | {summary['exchanges']} | {summary['violations']} | "
        f"{summary['faults']} | {summary['db_changes']} | {_duration(summary['duration_s'])} |",
        "",
    ]
    failed = [t for t in model["tests"] if t["outcome"] in FAILED]
    if failed:
        lines += [
            "#### Failures",
            "",
            "| test | outcome | message | seams |",
            "| --- | --- | --- | --- |",
        ]
        for test in failed[:MAX_FAILURES]:
            message, seams = _cell(_first_line(test["message"])), _cell(_seams_of(test))
            lines.append(f"| `{_code(test['id'])}` | {test['outcome']} | {message} | {seams} |")
        if len(failed) > MAX_FAILURES:
            lines.append(f"| … and {len(failed) - MAX_FAILURES} more | | | |")
        lines.append("")
    if model["seams"]:
        lines += ["#### Seams", "", "| seam | crossed | modes | violations | faults | p50 |"]
        lines.append("| --- | ---: | --- | ---: | ---: | ---: |")
        for seam in model["seams"]:
            modes = ", ".join(f"{mode} {n}" for mode, n in sorted(seam["modes"].items()))
            p50 = f"{seam['p50_ms']:.1f} ms" if seam["p50_ms"] is not None else ""
            lines.append(
                f"| `{_code(seam['name'])}` | {_crossed(seam)} | {_cell(modes)} | "
                f"{seam['violations']} | {seam['faults']} | {p50} |"
            )
        lines.append("")
    lines += _shard_lines(model.get("shards"))
    for problem in model["problems"]:
        lines.append(f"> {_cell(problem)}")
    if report_path is not None:
        lines += ["", f"Full report: `{_code(str(report_path))}`"]
    return "\n".join(lines) + "\n"


def write_github_summary(model: dict[str, Any], report_path: Path, summary_file: Path) -> None:
    """Append the summary to the step summary file (several steps may write to it)."""
    with summary_file.open("a", encoding="utf-8") as out:
        out.write(github_summary(model, report_path))


def _verdict(summary: dict[str, Any]) -> str:
    counts = ", ".join(f"{n} {outcome}" for outcome, n in sorted(summary["outcomes"].items()))
    mark = "❌" if summary["failed"] else "✅"
    return f"{mark} {counts or 'no tests'}"


def _seams_of(test: dict[str, Any]) -> str:
    parts = []
    for seam in test["seams"]:
        exchanges = [x for x in test["exchanges"] if x["seam"] == seam]
        violations = sum(len(x["violations"]) for x in exchanges)
        bad = sum(1 for x in exchanges if x["outcome"] != "ok")
        note = (f" ⚠{violations}" if violations else "") + (f" ✕{bad}" if bad else "")
        parts.append(f"{seam}{note}")
    return ", ".join(parts)


def _first_line(text: str) -> str:
    line = next((part for part in text.splitlines() if part.strip()), "")
    return line[:197] + "…" if len(line) > 200 else line


def _cell(text: str) -> str:
    """Text safe in a markdown table cell: no tag can start, pipes escaped, one line.

    Only `&` and `<` are escaped, so seams keep reading `api -> payments`.
    """
    return text.replace("\n", " ").replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")


def _code(text: str) -> str:
    # Inside a code span only backticks and pipes need care.
    return text.replace("`", "'").replace("|", "\\|").replace("\n", " ")


def _duration(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:.2f} s"


def _crossed(seam: dict[str, Any]) -> str:
    """An HTTP seam's exchanges; a message seam's messages each way and those never acked."""
    if seam.get("kind") != "message":
        return str(seam["exchanges"])
    unacked = f", {seam['unacked']} unacked" if seam["unacked"] else ""
    return f"{seam['published']} published, {seam['delivered']} delivered{unacked}"


def _shard_lines(shards: dict[str, Any] | None) -> list[str]:
    """A merged report's shards: each one's wall time, the slowest being the critical path."""
    if not shards:
        return []
    lines = ["#### Shards", "", "| shard | tests | wall time |", "| --- | ---: | ---: |"]
    for shard in shards["shards"]:
        mark = " (critical path)" if shard["name"] == shards["critical_path"] else ""
        lines.append(
            f"| {_cell(shard['name'])}{mark} | {shard['tests']} | {_duration(shard['wall_s'])} |"
        )
    return [*lines, ""]
