"""Row changes captured in a test database, and how they read in messages."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seamline.records.lines import FORMAT_VERSION, ChangeOp, DbChangeLine

Op = ChangeOp  # as db-changes.jsonl records it
OPS: tuple[Op, ...] = ("insert", "update", "delete")
# How many values of a row a message shows before it elides the rest.
ROW_PREVIEW = 8


@dataclass(frozen=True)
class Captured:
    """A change as the capture table holds it, before it is numbered for the run."""

    mark: int  # increases in commit order; the next read asks for changes after it
    table: str
    op: Op
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    at: str


@dataclass(frozen=True)
class Change:
    """One row inserted, updated or deleted (or a table truncated), by any process.

    `old` and `new` are the row as JSON values (numbers, strings, booleans, null;
    dates and times as ISO strings): `old` is None for an insert, `new` for a delete.
    """

    seq: int  # the change's place in commit order, counted over the whole run
    table: str
    op: Op
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    at: str  # when the row changed: ISO-8601 UTC
    key: dict[str, Any] | None = None  # the primary key's values, when the table has one

    @property
    def row(self) -> dict[str, Any]:
        """The row as it is after the change (as it was, for a delete)."""
        return self.new if self.new is not None else (self.old or {})

    @property
    def changed(self) -> dict[str, tuple[Any, Any]]:
        """For an update, the columns whose value changed: {column: (old, new)}."""
        if self.old is None or self.new is None:
            return {}
        return {
            column: (self.old.get(column), value)
            for column, value in self.new.items()
            if self.old.get(column) != value
        }

    def to_json(self, db: str, test: str | None) -> DbChangeLine:
        """This change as a `db-changes.jsonl` line (docs/architecture.md)."""
        return {
            "v": FORMAT_VERSION,
            "db": db,
            "test": test,
            "seq": self.seq,
            "table": self.table,
            "op": self.op,
            "old": self.old,
            "new": self.new,
            "at": self.at,
        }

    def __str__(self) -> str:
        where = self.table + (
            "[" + ", ".join(f"{k}={v!r}" for k, v in self.key.items()) + "]" if self.key else ""
        )
        if self.op == "update":
            diff = ", ".join(f"{c}: {o!r} -> {n!r}" for c, (o, n) in self.changed.items())
            return f"#{self.seq} update {where}: {diff or 'no value changed'}"
        if self.op == "truncate":
            return f"#{self.seq} truncate {self.table}"
        return f"#{self.seq} {self.op} {where} {preview(self.row)}"


def preview(row: Mapping[str, Any]) -> str:
    items = [f"{k}: {v!r}" for k, v in list(row.items())[:ROW_PREVIEW]]
    more = len(row) - ROW_PREVIEW
    return "{" + ", ".join(items) + (f", ... {more} more" if more > 0 else "") + "}"


def counts(changes: Sequence[Change]) -> dict[str, Counter[str]]:
    """{op: Counter(table -> number of rows)} for insert, update and delete."""
    result: dict[str, Counter[str]] = {op: Counter() for op in OPS}
    for change in changes:
        if change.op in result:
            result[change.op][change.table] += 1
    return result


def changes_diff(
    db: str,
    expected: Mapping[str, Mapping[str, int] | None],
    changes: Sequence[Change],
) -> str | None:
    """None when the counts match; else a table of expected vs found and the changes behind it.

    `expected` maps "inserted"/"updated"/"deleted" to {table: rows}; a None value
    leaves that kind of change unchecked; a table not named is expected unchanged.
    """
    found = counts(changes)
    lines: list[str] = []
    wrong_tables: set[str] = set()
    for word, op in (("inserted", "insert"), ("updated", "update"), ("deleted", "delete")):
        wanted = expected.get(word)
        if wanted is None:
            continue
        tables = sorted(set(wanted) | set(found[op]))
        rows = [(t, wanted.get(t, 0), found[op][t]) for t in tables]
        lines.append(f"  {word}:" + ("" if rows else " nothing, as expected"))
        for table, want, got in rows:
            mark = "" if want == got else "   <-- differs"
            if want != got:
                wrong_tables.add(table)
            lines.append(f"    {table:<24} expected {want:>4}   found {got:>4}{mark}")
    if not wrong_tables:
        return None
    shown = [c for c in changes if c.table in wrong_tables]
    text = [
        f"database {db!r}: the rows changed during this test are not the expected ones",
        *lines,
        f"the changes to {', '.join(sorted(wrong_tables))}, in commit order:",
        *(f"  {c}" for c in shown[:50]),
    ]
    if len(shown) > 50:
        text.append(f"  ... {len(shown) - 50} more (db.changes() has them all)")
    if not shown:
        text.append("  (none)")
    return "\n".join(text)
