"""Change capture in SQLite: AFTER INSERT/UPDATE/DELETE triggers writing `json_object` rows.

Triggers can only write into their own database file, so the capture table
`seamline_changes` lives next to the application's tables. SQLite runs one
write transaction at a time per file, so the order of `seq` is commit order:
a transaction's rows are written while it holds the write lock, and a rolled
back transaction takes its rows with it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa

from seamline.db.changes import Captured, Op
from seamline.db.schema import Table, literal, quote

# SQLite functions take at most 127 arguments by default: json_object gets a
# name and a value per column, so wide rows are built in pieces of this many columns.
COLUMNS_PER_OBJECT = 60
_JULIAN_UNIX_EPOCH = 2440587.5

INSTALL_SQL = """
CREATE TABLE IF NOT EXISTS seamline_changes (
    seq INTEGER PRIMARY KEY,
    tbl TEXT NOT NULL,
    op TEXT NOT NULL,
    old TEXT,
    new TEXT,
    at REAL NOT NULL
)
"""
READ_SQL = "SELECT seq, tbl, op, old, new, at FROM seamline_changes WHERE seq > ? ORDER BY seq"
CLEAR_SQL = "DELETE FROM seamline_changes"
# In a reset: note where the log ends before the reset writes (under the write lock) ...
RESET_START_SQL = """
CREATE TEMP TABLE IF NOT EXISTS seamline_reset (log_end INTEGER);
DELETE FROM temp.seamline_reset;
INSERT INTO temp.seamline_reset SELECT coalesce(max(seq), 0) FROM main.seamline_changes;
"""
# ... then forget what was read and what the reset's own writes made the triggers log,
# keeping any change committed after the read. The row at the mark itself stays (it is
# never read again): SQLite numbers a new row max(seq) + 1, and it must come after the mark.
RESET_END_SQL = """
DELETE FROM main.seamline_changes
WHERE seq < {mark} OR seq > (SELECT log_end FROM temp.seamline_reset);
"""


def _value(ref: str, column: str) -> str:
    # json_object refuses BLOBs ("JSON cannot hold BLOB values"), which would fail the
    # service's own write; a BLOB is recorded as its hex text instead.
    expr = f"{ref}.{quote(column)}"
    return f"CASE WHEN typeof({expr}) = 'blob' THEN hex({expr}) ELSE {expr} END"


def row_json(ref: str, columns: tuple[str, ...]) -> str:
    """SQL building the row `ref` (NEW or OLD) as JSON text."""
    pieces = [
        "json_object("
        + ", ".join(f"{literal(c)}, {_value(ref, c)}" for c in columns[i : i + COLUMNS_PER_OBJECT])
        + ")"
        for i in range(0, max(len(columns), 1), COLUMNS_PER_OBJECT)
    ]
    return pieces[0] if len(pieces) == 1 else "json_array(" + ", ".join(pieces) + ")"


def triggers_sql(table: Table) -> list[str]:
    name = literal(table.name)
    new, old = row_json("NEW", table.columns), row_json("OLD", table.columns)
    body = {
        "insert": f"VALUES ({name}, 'insert', NULL, {new}, julianday('now'))",
        "update": f"VALUES ({name}, 'update', {old}, {new}, julianday('now'))",
        "delete": f"VALUES ({name}, 'delete', {old}, NULL, julianday('now'))",
    }
    return [
        f"CREATE TRIGGER {quote(f'seamline_{op}_{table.name}')} AFTER {op.upper()} ON {table.sql} "
        f"BEGIN INSERT INTO seamline_changes (tbl, op, old, new, at) {values}; END"
        for op, values in body.items()
    ]


def install(conn: sa.Connection, tables: list[Table]) -> dict[str, str]:
    """Create the capture table and triggers; {table: why not} for tables left out."""
    existing = conn.exec_driver_sql(
        "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'seamline\\_%' "
        "ESCAPE '\\'"
    ).scalars()
    for trigger in list(existing):
        conn.exec_driver_sql(f"DROP TRIGGER {quote(trigger)}")
    conn.exec_driver_sql(INSTALL_SQL)
    conn.exec_driver_sql(CLEAR_SQL)
    failed: dict[str, str] = {}
    for table in tables:
        if table.virtual:
            failed[table.name] = (
                "it is a virtual table, and SQLite cannot put triggers on virtual tables"
            )
            continue
        try:
            with conn.begin_nested():
                for statement in triggers_sql(table):
                    conn.exec_driver_sql(statement)
        except sa.exc.DBAPIError as err:
            failed[table.name] = str(err.orig).strip()
    return failed


def read(conn: sa.Connection, after: int) -> list[Captured]:
    rows = conn.exec_driver_sql(READ_SQL, (after,)).all()
    return [
        Captured(int(seq), table, cast(Op, op), _row(old), _row(new), _iso(at))
        for seq, table, op, old, new, at in rows
    ]


def _row(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    value = json.loads(text)
    if isinstance(value, list):  # a wide row, built in pieces
        merged: dict[str, Any] = {}
        for piece in value:
            merged.update(piece)
        return merged
    return cast(dict[str, Any], value)


def _iso(julian_day: float) -> str:
    moment = datetime.fromtimestamp((julian_day - _JULIAN_UNIX_EPOCH) * 86400.0, UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
