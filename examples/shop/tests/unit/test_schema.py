"""db/schema.*.sql, db/seed.sql and the api's ORM models describe the same database."""

import re
import sqlite3
from pathlib import Path

import pytest
from check_schema import schema_differences
from shop_api.models import Product
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

DB = Path(__file__).resolve().parents[2] / "db"


def create_sqlite(path: Path, schema: str) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(schema)
        connection.executescript((DB / "seed.sql").read_text())
    return f"sqlite:///{path}"


def test_the_sqlite_schema_matches_the_models(tmp_path: Path) -> None:
    url = create_sqlite(tmp_path / "shop.db", (DB / "schema.sqlite.sql").read_text())
    assert schema_differences(create_engine(url)) == []


def test_the_check_names_a_column_the_schema_lacks(tmp_path: Path) -> None:
    schema = (DB / "schema.sqlite.sql").read_text().replace("    failure_message  TEXT,\n", "")
    url = create_sqlite(tmp_path / "shop.db", schema)
    assert schema_differences(create_engine(url)) == [
        "table orders: column failure_message: in the models, not in the database"
    ]


def test_the_check_names_a_missing_partial_index(tmp_path: Path) -> None:
    schema = (DB / "schema.sqlite.sql").read_text()
    schema = re.sub(r"CREATE UNIQUE INDEX orders_one_live_per_cart[^;]*;", "", schema)
    url = create_sqlite(tmp_path / "shop.db", schema)
    differences = schema_differences(create_engine(url))
    assert "table orders: unique ('cart_id',): in the models, not in the database" in differences
    assert any("partial index orders_one_live_per_cart" in d for d in differences)


def test_the_seed_catalogue_reads_through_the_models(tmp_path: Path) -> None:
    url = create_sqlite(tmp_path / "shop.db", (DB / "schema.sqlite.sql").read_text())
    with Session(create_engine(url)) as session:
        products = session.scalars(select(Product).order_by(Product.id)).all()
    assert [p.sku for p in products][:2] == ["MUG-SEAM", "TEE-INTEG"]
    assert {p.currency for p in products} == {"USD"}
    assert all(p.price_cents > 0 for p in products)


def _tables(sql: str) -> dict[str, list[str]]:
    """Table -> column names, read from CREATE TABLE statements."""
    tables = {}
    for name, body in re.findall(r"CREATE TABLE (\w+) \((.*?)\n\);", sql, flags=re.S):
        columns = [line.split()[0] for line in body.strip().splitlines()]
        tables[name] = [c for c in columns if c.isidentifier() and c.islower()]
    return tables


@pytest.mark.parametrize("kind", ["CREATE INDEX", "CREATE UNIQUE INDEX", "CONSTRAINT", "CHECK"])
def test_the_postgres_schema_has_the_tables_columns_and_constraints_of_the_sqlite_one(
    kind: str,
) -> None:
    sqlite_sql = (DB / "schema.sqlite.sql").read_text()
    postgres_sql = (DB / "schema.postgres.sql").read_text()
    assert _tables(postgres_sql) == _tables(sqlite_sql)
    assert postgres_sql.count(kind) == sqlite_sql.count(kind)
