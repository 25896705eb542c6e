"""PostgreSQL `truncate` isolation of a table above the size threshold, where TRUNCATE beats
DELETE: the tables whose foreign keys point into it are emptied and restored with it, even
when the test did not touch them."""

from __future__ import annotations

from seamline.db.backend import TRUNCATE_ABOVE_ROWS

SEEDED = TRUNCATE_ABOVE_ROWS + 1000

SCHEMA = """
CREATE TABLE products (id serial PRIMARY KEY, sku text NOT NULL UNIQUE);
CREATE TABLE reviews (
    id serial PRIMARY KEY,
    product_id integer NOT NULL REFERENCES products(id),
    stars integer NOT NULL
);
"""
SEED = f"""
INSERT INTO products (sku) SELECT 'sku-' || n FROM generate_series(1, {SEEDED}) AS n;
INSERT INTO reviews (product_id, stars) VALUES (1, 5), (2, 4), ({SEEDED}, 1);
"""


def test_a_large_table_and_the_tables_referring_to_it_come_back_whole(
    tmp_path, write_config, start_system
):
    (tmp_path / "schema.sql").write_text(SCHEMA)
    (tmp_path / "seed.sql").write_text(SEED)
    system = start_system(
        write_config("""
        [services.db]
        kind = "postgres"
        schema = "schema.sql"
        seed = "seed.sql"
        isolation = "truncate"
        """)
    )
    db = system.db("db")
    reviews = db.rows("reviews")
    for number in range(2):
        system.databases.begin_test(f"test_{number}")
        assert db.count("products") == SEEDED
        assert db.rows("reviews") == reviews  # restored, though no test wrote to it
        new = db.insert("products", sku=f"new-{number}")  # only the large table is touched
        assert new["id"] == SEEDED + 1  # its sequence was reset too
        db.insert("products", sku=f"other-{number}")
        system.databases.end_test()
    system.databases.begin_test("test_after")
    assert db.count("products") == SEEDED and db.count("products", sku="new-1") == 0
    assert db.rows("reviews") == reviews
    system.databases.end_test()
