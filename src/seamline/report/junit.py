"""Each test's seam summary as plain text, for JUnit XML's `<system-out>` and terminals.

pytest writes the JUnit XML; `attach_seam_summary` adds the text to a test's
teardown report as a "Captured stdout" section, which pytest's junitxml puts in
`<system-out>` when `junit_logging` is `system-out`, `out-err` or `all`.
`JournalTail` reads a record dir's journal as it grows, so the text can be
built at the end of each test without rereading the whole file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seamline.records.layout import DB_CHANGES, JOURNAL
from seamline.records.lines import DbChangeLine, ExchangeLine, as_db_change, as_exchange
from seamline.records.reader import LineFollower
from seamline.report.options import ReportOptions
from seamline.report.testview import is_fault
from seamline.report.views import db_change_view, exchange_view, masker_for

if TYPE_CHECKING:
    import pytest

SECTION = "Captured stdout seamline seams"


def junit_text(
    exchanges: Iterable[Mapping[str, Any]],
    db_changes: Iterable[Mapping[str, Any]] = (),
    *,
    options: ReportOptions | None = None,
) -> str:
    """One test's exchanges (journal records) and database changes, as masked plain text.

    Empty when the test crossed no seam and changed nothing. Records of an older format
    are read as such; one of a format this seamline cannot read raises RecordVersionError.
    """
    options = options or ReportOptions()
    # copies in the current format: a caller's records are not changed
    records = sorted((as_exchange(dict(x)) for x in exchanges), key=lambda x: x.get("mono") or 0)
    changes = [as_db_change(dict(c)) for c in db_changes]
    if not records and not changes:
        return ""
    masker = masker_for(records, changes, [], options.secret_names)
    views = [exchange_view(record, masker, 0) for record in records]
    lines = [_headline(views, changes)]
    first = views[0]["mono"] if views and views[0]["mono"] is not None else None
    for view in views:
        lines.append(_exchange_line(view, first))
        lines.extend(f"      ! {v['message'] or v['pointer']}" for v in view["violations"])
    if changes:
        lines.append("database: " + _changes_line([db_change_view(c, masker) for c in changes]))
    return "\n".join(lines) + "\n"


def _headline(views: list[dict[str, Any]], changes: list[DbChangeLine]) -> str:
    seams = {view["seam"] for view in views}
    violations = sum(len(view["violations"]) for view in views)
    faults = sum(1 for view in views if is_fault(view))
    parts = [f"{len(views)} exchange(s) on {len(seams)} seam(s)"]
    if violations:
        parts.append(f"{violations} contract violation(s)")
    if faults:
        parts.append(f"{faults} fault(s) or error(s)")
    if changes:
        parts.append(f"{len(changes)} database change(s)")
    return "seamline: " + ", ".join(parts)


def _exchange_line(view: dict[str, Any], first: float | None) -> str:
    offset = ""
    if first is not None and view["mono"] is not None:
        offset = f"+{(view['mono'] - first) * 1000:.1f}ms"
    request = view["request"]
    mode = "" if view["mode"] == "real" else f" [{view['mode']}]"
    response = view["response"]
    result = f"{response['status']} {response['reason']}".strip() if response else view["outcome"]
    took = f"{view['duration_ms']:.1f}ms" if view["duration_ms"] is not None else ""
    line = f"  {offset:>10}  {view['seam']:<22} {request['method']} {request['target']}{mode}"
    line += f" -> {result} {took}"
    if view["error"]:
        line += f" ({view['error']})"
    return line


def _changes_line(changes: list[dict[str, Any]]) -> str:
    counted: dict[tuple[str, str], int] = {}
    for change in changes:
        key = (str(change["table"]), str(change["op"]))
        counted[key] = counted.get(key, 0) + 1
    return ", ".join(f"{table} {op} {n}" for (table, op), n in counted.items())


def attach_seam_summary(report: pytest.TestReport, text: str) -> None:
    """Add a test's seam summary to its teardown report (which junitxml writes out)."""
    if text and report.when == "teardown":
        report.sections.append((SECTION, text))


class JournalTail:
    """Follows a record dir's journal and db-changes files; hands out each test's records.

    Reads only what was appended since the last call, and only complete lines,
    so it can run at the end of every test while the writers keep writing.
    """

    def __init__(self, record_dir: Path) -> None:
        self._exchanges = LineFollower(record_dir / JOURNAL, as_exchange)
        self._changes = LineFollower(record_dir / DB_CHANGES, as_db_change)
        self._pending_exchanges: dict[str, list[ExchangeLine]] = {}
        self._pending_changes: dict[str, list[DbChangeLine]] = {}

    def take(self, test_id: str) -> tuple[list[ExchangeLine], list[DbChangeLine]]:
        """The exchanges and database changes of `test_id` recorded so far (each given once)."""
        for exchange in self._exchanges.read_new():
            self._pending_exchanges.setdefault(str(exchange.get("test")), []).append(exchange)
        for change in self._changes.read_new():
            self._pending_changes.setdefault(str(change.get("test")), []).append(change)
        return self._pending_exchanges.pop(test_id, []), self._pending_changes.pop(test_id, [])
