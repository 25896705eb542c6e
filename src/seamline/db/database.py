"""`Database`: what a test sees of one test database — its rows and the changes to them."""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from seamline.db.backend import Backend
from seamline.db.changes import Captured, Change, changes_diff, preview
from seamline.db.errors import CaptureWarning, DatabaseError
from seamline.db.schema import Table, quote
from seamline.records.writer import LineWriter

# How many rows a failed `one()` shows of what the table holds.
ROWS_SHOWN = 10


class Database:
    """One database of the system: `system.db("orders_db")`, or the `db` fixture.

    Reads and writes go through seamline's own connection and commit at once, so
    the services see a row the test inserts. `changes()` is live: it reads every
    change committed since the current test began, by any process.
    """

    def __init__(self, backend: Backend, recorder: LineWriter | None = None) -> None:
        self.name = backend.name
        self._backend = backend
        self._recorder = recorder
        self._mark = 0  # capture mark where the current test's changes start
        self._numbered = 0  # changes numbered before the current test, over the run
        # what tests ended with keep_data changed: put back with the next test's own changes
        self._kept_tables: set[str] = set()
        self._kept_inserts: Counter[str] = Counter()
        self._test: str | None = None
        self.notes: list[str] = []  # what capture cannot do for some tables, and why

    @property
    def isolation(self) -> str:
        """How this database is put back between tests: "truncate", "template" or "none"."""
        return self._backend.isolation

    @property
    def engine(self) -> sa.Engine:
        """A SQLAlchemy engine on the test database, for anything the helpers do not cover."""
        return self._backend.engine

    @property
    def tables(self) -> list[str]:
        """The names of the database's tables (seamline's own left out)."""
        return list(self._backend.schema.tables)

    def attach(self) -> None:
        """Install change capture and remember the starting data (done on first use); notes what
        cannot be captured."""
        self._backend.attach()
        schema, uncaptured = self._backend.schema, self._backend.uncaptured
        for table, reason in sorted(uncaptured.items()):
            self.notes.append(
                f"database {self.name!r}: table {table!r} is not captured: {reason}. "
                f"db.changes() cannot show its rows; isolation {self.isolation!r} "
                "resets it after every test, touched or not"
            )
        for spec in schema.tables.values():
            if not spec.primary_key and spec.name not in uncaptured:
                self.notes.append(
                    f"database {self.name!r}: table {spec.name!r} has no primary key: its "
                    "changes are captured as whole rows, without a key saying which row an "
                    "update or delete touched. Add a PRIMARY KEY to get keyed changes"
                )
        for note in self.notes:
            warnings.warn(note, CaptureWarning, stacklevel=2)

    # -- the test's lifecycle (driven by the pytest fixtures) ------------------

    def begin_test(self, test_id: str) -> None:
        """Start attributing changes to `test_id`; clean up anything written since the last test."""
        captured = self._backend.read(self._mark)
        if captured:  # a service wrote between two tests: keep the record, then clean up
            self._close_window(captured, None)
        self._test = test_id

    def end_test(self, *, keep_data: bool = False) -> None:
        """Record the test's changes, then put the database back to its starting data
        (`keep_data`: leave them for the next test, as chained Postman requests need; the
        next test ended without it puts them back too)."""
        self._close_window(self._backend.read(self._mark), self._test, keep_data=keep_data)
        self._test = None

    def _close_window(
        self, captured: list[Captured], test: str | None, *, keep_data: bool = False
    ) -> None:
        changes = self._number(captured)
        if self._recorder is not None:
            self._recorder.write_all(change.to_json(self.name, test) for change in changes)
        self._numbered += len(changes)
        read_up_to = captured[-1].mark if captured else self._mark
        self._kept_tables.update(c.table for c in changes)
        self._kept_inserts.update(c.table for c in changes if c.op == "insert")
        if self.isolation == "none" or keep_data:
            self._mark = read_up_to
            return
        touched, inserted = set(self._kept_tables), Counter(self._kept_inserts)
        self._kept_tables.clear()
        self._kept_inserts.clear()
        self._mark = self._backend.reset(touched, inserted, read_up_to)

    def _number(self, captured: list[Captured]) -> list[Change]:
        tables = self._backend.schema.tables
        changes = []
        for index, item in enumerate(captured, start=self._numbered + 1):
            table = tables.get(item.table)
            old, new = _in_order(item.old, table), _in_order(item.new, table)
            row = new if new is not None else old
            key = (
                {k: row.get(k) for k in table.primary_key}
                if row is not None and table is not None and table.primary_key
                else None
            )
            changes.append(Change(index, item.table, item.op, old, new, item.at, key))
        return changes

    # -- changes -----------------------------------------------------------

    def changes(self, table: str | None = None) -> list[Change]:
        """Every row change committed during this test, by any process, in commit order."""
        all_changes = self._number(self._backend.read(self._mark))
        if table is None:
            return all_changes
        self._table(table)
        reason = self._backend.uncaptured.get(table)
        if reason is not None:
            raise DatabaseError(
                f"db.changes(table={table!r}): table {table!r} of database {self.name!r} "
                f"is not captured: {reason}.\n  fix: check its rows with "
                f"db.rows({table!r}) or db.count({table!r}) instead"
            )
        return [c for c in all_changes if c.table == table]

    def assert_changes(
        self,
        inserted: Mapping[str, int] | None = None,
        updated: Mapping[str, int] | None = None,
        deleted: Mapping[str, int] | None = None,
    ) -> None:
        """Assert how many rows the whole system inserted/updated/deleted per table in this test.

        A table left out of a given mapping is expected to have no such change;
        a mapping left as None is not checked (`deleted={}` means nothing deleted).
        """
        __tracebackhide__ = True
        expected = {"inserted": inserted, "updated": updated, "deleted": deleted}
        for word, wanted in expected.items():
            for table, rows in (wanted or {}).items():
                self._table(table)
                if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
                    raise DatabaseError(
                        f"db.assert_changes({word}={{{table!r}: {rows!r}}}): expected a "
                        f"number of rows (an int >= 0), found {rows!r}"
                    )
        diff = changes_diff(self.name, expected, self.changes())
        if diff is not None:
            raise AssertionError(diff)

    # -- rows --------------------------------------------------------------

    def one(self, table: str, /, **where: Any) -> dict[str, Any]:
        """The one row of `table` matching `where` (column=value); fails showing what is there."""
        __tracebackhide__ = True
        spec = self._table(table, where, "db.one")
        rows = self._select(spec, where)
        if len(rows) == 1:
            return rows[0]
        call = _call("db.one", table, where)
        if rows:
            shown = "\n".join(f"    {preview(r)}" for r in rows[:ROWS_SHOWN])
            raise AssertionError(f"{call}: expected one row, found {len(rows)}:\n{shown}")
        present = self._select(spec, {})
        shown = "\n".join(f"    {preview(r)}" for r in present[:ROWS_SHOWN])
        more = len(present) - ROWS_SHOWN
        raise AssertionError(
            f"{call}: expected one row, found none. {table} holds {len(present)} "
            f"row{'s' if len(present) != 1 else ''}"
            + (":\n" + shown if present else "")
            + (f"\n    ... {more} more" if more > 0 else "")
        )

    def rows(self, table: str, /, **where: Any) -> list[dict[str, Any]]:
        """The rows of `table` matching `where`, in primary-key order."""
        return self._select(self._table(table, where, "db.rows"), where)

    def count(self, table: str, /, **where: Any) -> int:
        """The number of rows of `table` matching `where` (column=value): `db.count("orders",
        status="paid")`. An unknown table or column fails naming the known ones."""
        spec = self._table(table, where, "db.count")
        clause, params = _where(where)
        return int(self._scalar(f"SELECT count(*) FROM {spec.sql}{clause}", params))

    def scalar(self, sql: str, /, **params: Any) -> Any:
        """The first column of the first row of a query (plain SQL, `:name` parameters)."""
        return self._scalar(sql, params)

    def insert(self, table: str, /, **values: Any) -> dict[str, Any]:
        """Insert one row and commit it; returns the row as stored (defaults filled in)."""
        spec = self._table(table, values, "db.insert")
        if values:
            columns = ", ".join(quote(c) for c in values)
            binds = ", ".join(f":{_param(i)}" for i in range(len(values)))
            sql = f"INSERT INTO {spec.sql} ({columns}) VALUES ({binds}) RETURNING *"
        else:
            sql = f"INSERT INTO {spec.sql} DEFAULT VALUES RETURNING *"
        params = {_param(i): v for i, v in enumerate(values.values())}
        try:
            with self.engine.begin() as conn:
                return dict(conn.execute(sa.text(sql), params).one()._mapping)
        except sa.exc.DBAPIError as err:
            raise DatabaseError(
                f"{_call('db.insert', table, values)} failed: {str(err.orig).strip()}"
            ) from None

    # -- internals ---------------------------------------------------------

    def _table(self, name: str, values: Mapping[str, Any] | None = None, call: str = "") -> Table:
        """The table `name`, after checking it has every column `values` names."""
        schema = self._backend.schema
        table = schema.table(name)
        if values:
            schema.check_columns(table, values, _call(call, name, values))
        return table

    def _select(self, table: Table, where: Mapping[str, Any]) -> list[dict[str, Any]]:
        clause, params = _where(where)
        order = " ORDER BY " + ", ".join(quote(c) for c in table.primary_key)
        sql = f"SELECT * FROM {table.sql}{clause}{order if table.primary_key else ''}"
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(sa.text(sql), params)]

    def _scalar(self, sql: str, params: Mapping[str, Any]) -> Any:
        try:
            with self.engine.connect() as conn:
                return conn.execute(sa.text(sql), dict(params)).scalar()
        except sa.exc.DBAPIError as err:
            raise DatabaseError(
                f"database {self.name!r}: {str(err.orig).strip()}\n  in: {sql}"
            ) from None

    def close(self) -> None:
        """Close this database's connections (the System does this when it stops)."""
        self._backend.close()

    def __repr__(self) -> str:
        return f"<Database {self.name!r} isolation={self.isolation!r}>"


def _in_order(row: dict[str, Any] | None, table: Table | None) -> dict[str, Any] | None:
    """The row with its columns in table order (jsonb sorts keys its own way)."""
    if row is None or table is None:
        return row
    return {c: row[c] for c in table.columns if c in row} | row


def _param(index: int) -> str:
    return f"p{index}"


def _where(where: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A WHERE clause for column=value pairs (None matches NULL) and its parameters."""
    if not where:
        return "", {}
    terms, params = [], {}
    for index, (column, value) in enumerate(where.items()):
        if value is None:
            terms.append(f"{quote(column)} IS NULL")
        else:
            terms.append(f"{quote(column)} = :{_param(index)}")
            params[_param(index)] = value
    return " WHERE " + " AND ".join(terms), params


def _call(function: str, table: str, where: Mapping[str, Any]) -> str:
    args = "".join(f", {k}={v!r}" for k, v in where.items())
    return f"{function}({table!r}{args})"
