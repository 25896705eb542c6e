"""Compare a database's schema with the api's ORM models; print every difference.

    python scripts/check_schema.py sqlite:////tmp/shop.db
    python scripts/check_schema.py postgresql+psycopg://app@127.0.0.1:5432/app

The schema is applied from db/schema.*.sql, not from the models, so the two can drift apart.
This reads the live database (tables, columns, nullability, primary keys, unique constraints
and indexes, foreign keys) and names each place where it and the models disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

from sqlalchemy import Engine, Inspector, MetaData, Table, create_engine, inspect

SHOP = Path(__file__).resolve().parent.parent


def _models() -> MetaData:
    sys.path.insert(0, str(SHOP / "api"))
    from shop_api.models import Base

    metadata: MetaData = Base.metadata
    return metadata


def schema_differences(engine: Engine) -> list[str]:
    metadata = _models()
    found = inspect(engine)
    problems: list[str] = []
    expected_tables = set(metadata.tables)
    actual_tables = set(found.get_table_names())
    for name in sorted(expected_tables - actual_tables):
        problems.append(f"table {name}: in the models, not in the database")
    for name in sorted(actual_tables - expected_tables):
        problems.append(f"table {name}: in the database, not in the models")
    for name in sorted(expected_tables & actual_tables):
        table = metadata.tables[name]
        problems += [f"table {name}: {p}" for p in _table_differences(table, found)]
    return problems


def _table_differences(table: Table, inspector: Inspector) -> list[str]:
    name = table.name
    problems: list[str] = []
    columns = {c["name"]: c for c in inspector.get_columns(name)}
    for column in table.columns:
        actual = columns.pop(column.name, None)
        if actual is None:
            problems.append(f"column {column.name}: in the models, not in the database")
            continue
        if column.primary_key:
            continue  # nullability of key columns differs by dialect (SQLite reports them nullable)
        if actual["nullable"] != column.nullable:
            problems.append(
                f"column {column.name}: nullable is {actual['nullable']} in the database, "
                f"{column.nullable} in the models"
            )
        expected_type = column.type.compile(dialect=inspector.bind.dialect)
        if _family(expected_type) != _family(str(actual["type"])):
            problems.append(
                f"column {column.name}: type {actual['type']} in the database, "
                f"{expected_type} in the models"
            )
    problems += [f"column {c}: in the database, not in the models" for c in sorted(columns)]
    expected_pk = [c.name for c in table.primary_key.columns]
    actual_pk = inspector.get_pk_constraint(name)["constrained_columns"]
    if not actual_pk:
        problems.append("no primary key in the database")
    elif sorted(actual_pk) != sorted(expected_pk):
        problems.append(f"primary key {actual_pk} in the database, {expected_pk} in the models")
    problems += _index_differences(table, inspector)
    problems += _foreign_key_differences(table, inspector)
    return problems


def _family(type_name: str) -> str:
    """Types compared by kind: dialects spell them differently (TIMESTAMP, DATETIME...)."""
    text = type_name.upper()
    for family, words in (
        ("integer", ("INT",)),
        ("text", ("CHAR", "TEXT", "CLOB")),
        ("timestamp", ("TIME", "DATE")),
    ):
        if any(word in text for word in words):
            return family
    return text


def _index_differences(table: Table, inspector: Inspector) -> list[str]:
    """Unique constraints and indexes, plain indexes (by columns) and partial indexes (by name)."""
    indexes = inspector.get_indexes(table.name)
    actual_unique = {
        _columns(c["column_names"]) for c in inspector.get_unique_constraints(table.name)
    }
    actual_unique |= {_columns(i["column_names"]) for i in indexes if i["unique"]}
    expected_unique: set[tuple[str, ...]] = {(c.name,) for c in table.columns if c.unique}
    expected_unique |= {tuple(c.name for c in i.columns) for i in table.indexes if i.unique}
    actual_plain = {_columns(i["column_names"]) for i in indexes if not i["unique"]}
    expected_plain: set[tuple[str, ...]] = {(c.name,) for c in table.columns if c.index}
    expected_plain |= {tuple(c.name for c in i.columns) for i in table.indexes if not i.unique}
    problems = _missing("unique", expected_unique, actual_unique)
    problems += _missing("index on", expected_plain, actual_plain)
    partial = {
        i["name"] for i in indexes if any(k.endswith("_where") for k in i["dialect_options"])
    }
    for index in table.indexes:
        where = any(k.endswith("_where") and v is not None for k, v in index.dialect_kwargs.items())
        if where and index.name not in partial:
            problems.append(f"partial index {index.name}: in the models, not in the database")
    return problems


def _columns(names: Sequence[str | None]) -> tuple[str, ...]:
    return tuple(name or "" for name in names)


def _missing(what: str, expected: AbstractSet[object], actual: AbstractSet[object]) -> list[str]:
    problems = [
        f"{what} {x}: in the models, not in the database"
        for x in sorted(expected - actual, key=str)
    ]
    problems += [
        f"{what} {x}: in the database, not in the models"
        for x in sorted(actual - expected, key=str)
    ]
    return problems


def _foreign_key_differences(table: Table, inspector: Inspector) -> list[str]:
    actual = {
        (
            _columns(list(fk["constrained_columns"])),
            fk["referred_table"],
            _columns(list(fk["referred_columns"])),
        )
        for fk in inspector.get_foreign_keys(table.name)
    }
    expected = {
        ((fk.parent.name,), fk.column.table.name, (fk.column.name,)) for fk in table.foreign_keys
    }
    return _missing("foreign key", expected, actual)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    engine = create_engine(sys.argv[1])
    problems = schema_differences(engine)
    engine.dispose()
    for problem in problems:
        print(problem)
    print(f"{len(problems)} difference(s) between the database and the models")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
