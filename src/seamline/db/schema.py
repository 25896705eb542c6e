"""What tables a test database holds: columns, primary keys and foreign keys.

Read once when seamline attaches to a database; the schema of a test database
comes from the template and does not change while tests run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from seamline.db.errors import DatabaseError, listing
from seamline.errors import did_you_mean

# Schemas that belong to PostgreSQL or to seamline, never to the application.
PG_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "seamline")


@dataclass(frozen=True)
class Table:
    name: str  # as tests write it: `orders`, or `audit.events` outside the default schema
    sql: str  # quoted for SQL: `"public"."orders"` or `"orders"`
    columns: tuple[str, ...]
    insertable: tuple[str, ...]  # every column except generated ones
    primary_key: tuple[str, ...] = ()
    references: frozenset[str] = frozenset()  # tables this one has foreign keys to
    virtual: bool = False  # an SQLite virtual table (FTS, R-tree): no triggers possible


@dataclass(frozen=True)
class Schema:
    database: str  # the service name, for messages
    tables: dict[str, Table] = field(default_factory=dict)
    sequences: tuple[str, ...] = ()  # quoted names (PostgreSQL)
    triggered: tuple[str, ...] = ()  # tables with triggers of the application's own (SQLite)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise DatabaseError(
                f"database {self.database!r} has no table {name!r}"
                f"{did_you_mean(name, self.tables)}\n  tables: {listing(self.tables)}"
            ) from None

    def check_columns(self, table: Table, columns: Iterable[str], call: str) -> None:
        for column in columns:
            if column not in table.columns:
                raise DatabaseError(
                    f"{call}: table {table.name!r} has no column {column!r}"
                    f"{did_you_mean(column, table.columns)}\n"
                    f"  columns of {table.name}: {', '.join(table.columns)}"
                )

    def referencing(self, names: Iterable[str]) -> set[str]:
        """`names` plus every table that refers to one of them, transitively."""
        found = set(names)
        grew = True
        while grew:
            more = {t.name for t in self.tables.values() if t.references & found} - found
            found |= more
            grew = bool(more)
        return found


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# -- PostgreSQL ----------------------------------------------------------------

_PG_TABLES = """
SELECT c.oid, n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND n.nspname <> ALL(%(system)s) AND n.nspname NOT LIKE 'pg\\_%%'
ORDER BY n.nspname, c.relname
"""
_PG_COLUMNS = """
SELECT attrelid, attname, attgenerated <> '' FROM pg_attribute
WHERE attrelid = ANY(%(oids)s) AND attnum > 0 AND NOT attisdropped ORDER BY attrelid, attnum
"""
_PG_KEYS = """
SELECT con.conrelid, con.contype, con.confrelid, a.attname
FROM pg_constraint con
LEFT JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, position) ON con.contype = 'p'
LEFT JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
WHERE con.conrelid = ANY(%(oids)s) AND con.contype IN ('p', 'f')
ORDER BY con.conrelid, k.position
"""
_PG_SEQUENCES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND n.nspname <> ALL(%(system)s) AND n.nspname NOT LIKE 'pg\\_%%'
ORDER BY 1, 2
"""


def load_postgres(conn: sa.Connection, database: str) -> Schema:
    system = list(PG_SYSTEM_SCHEMAS)
    rows = conn.exec_driver_sql(_PG_TABLES, {"system": system}).all()
    names = {oid: (nsp, rel) for oid, nsp, rel in rows}
    oids = list(names)
    columns: dict[int, list[tuple[str, bool]]] = {oid: [] for oid in oids}
    for oid, column, generated in conn.exec_driver_sql(_PG_COLUMNS, {"oids": oids}):
        columns[oid].append((column, generated))
    keys: dict[int, list[str]] = {oid: [] for oid in oids}
    refs: dict[int, set[int]] = {oid: set() for oid in oids}
    for oid, kind, target, column in conn.exec_driver_sql(_PG_KEYS, {"oids": oids}):
        if kind == "p":
            keys[oid].append(column)
        elif target in names:
            refs[oid].add(target)

    def display(oid: int) -> str:
        nsp, rel = names[oid]
        return rel if nsp == "public" else f"{nsp}.{rel}"

    tables = {
        display(oid): Table(
            name=display(oid),
            sql=f"{quote(names[oid][0])}.{quote(names[oid][1])}",
            columns=tuple(c for c, _ in columns[oid]),
            insertable=tuple(c for c, generated in columns[oid] if not generated),
            primary_key=tuple(keys[oid]),
            references=frozenset(display(t) for t in refs[oid]),
        )
        for oid in oids
    }
    sequences = tuple(
        f"{quote(nsp)}.{quote(rel)}"
        for nsp, rel in conn.exec_driver_sql(_PG_SEQUENCES, {"system": system})
    )
    return Schema(database, tables, sequences)


# -- SQLite --------------------------------------------------------------------


def load_sqlite(conn: sa.Connection, database: str) -> Schema:
    entries = conn.exec_driver_sql(
        "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'table' "
        # SQLite's own tables, and seamline's (their names all start with seamline_)
        "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'seamline\\_%' ESCAPE '\\' "
        "ORDER BY name"
    ).all()
    virtual = {name for name, sql in entries if sql.upper().startswith("CREATE VIRTUAL TABLE")}
    tables: dict[str, Table] = {}
    for name, _ in entries:
        # A virtual table keeps its data in shadow tables named `<table>_<part>`; they
        # are the virtual table's business, never the application's.
        if any(name.startswith(v + "_") for v in virtual):
            continue
        info = conn.exec_driver_sql(f"PRAGMA table_xinfo({quote(name)})").all()
        # hidden: 0 a plain column, 1 a virtual table's hidden column, 2/3 generated
        visible = [row for row in info if row[6] in (0, 2, 3)]
        fks = conn.exec_driver_sql(f"PRAGMA foreign_key_list({quote(name)})").all()
        tables[name] = Table(
            name=name,
            sql=quote(name),
            columns=tuple(row[1] for row in visible),
            insertable=tuple(row[1] for row in visible if row[6] == 0),
            primary_key=tuple(row[1] for row in sorted(visible, key=lambda r: r[5]) if row[5]),
            references=frozenset(row[2] for row in fks if row[2] != name),
            virtual=name in virtual,
        )
    triggered = conn.exec_driver_sql(
        "SELECT DISTINCT tbl_name FROM sqlite_schema WHERE type = 'trigger' "
        "AND name NOT LIKE 'seamline\\_%' ESCAPE '\\' ORDER BY 1"
    ).scalars()
    return Schema(database, tables, triggered=tuple(triggered))
