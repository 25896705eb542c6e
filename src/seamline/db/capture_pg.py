"""Change capture in PostgreSQL: a PL/pgSQL row trigger writing into the `seamline` schema.

Every insert, update and delete on an application table appends a row to
`seamline.changes` with the row before and after as jsonb, whichever process
made it. To order changes by *commit* (not by when each row was written, which
differs when transactions overlap), the first change of each transaction also
queues a deferred constraint trigger. It runs just before the commit, takes a
transaction-level advisory lock and stamps the transaction with the next
number of `seamline.commit_seq`. The lock is held until the commit is visible,
so no later-stamped transaction can become visible first: stamp order is
commit order. The cost is one small insert per transaction (bench/RESULTS.md).
"""

from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa

from seamline.db.changes import Captured, Op
from seamline.db.schema import Schema, literal

# Any fixed number: the key of the advisory lock that serialises commit stamps.
STAMP_LOCK = 7_345_001

# Unlogged: the capture tables are emptied between tests and never need to survive a
# crash, and skipping the WAL makes every captured row cheaper for the services.
INSTALL_SQL = f"""
DROP SCHEMA IF EXISTS seamline CASCADE;
CREATE SCHEMA seamline;
COMMENT ON SCHEMA seamline IS 'seamline change capture; this database is a seamline test copy';
CREATE UNLOGGED TABLE seamline.changes (
    seq bigserial PRIMARY KEY,
    tx bigint NOT NULL,
    opens_tx boolean NOT NULL,
    tbl text NOT NULL,
    op text NOT NULL,
    old jsonb,
    new jsonb,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE UNLOGGED TABLE seamline.commits (tx bigint NOT NULL, commit_seq bigint NOT NULL);
CREATE SEQUENCE seamline.commit_seq;

CREATE FUNCTION seamline.capture() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tx bigint := txid_current();
    opens_tx boolean := current_setting('seamline.tx', true) IS DISTINCT FROM tx::text;
BEGIN
    IF opens_tx THEN
        -- transaction-local: reset at commit or rollback, undone with a rolled-back savepoint
        PERFORM set_config('seamline.tx', tx::text, true);
    END IF;
    INSERT INTO seamline.changes (tx, opens_tx, tbl, op, old, new) VALUES (
        tx, opens_tx, TG_ARGV[0], lower(TG_OP),
        CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END,
        CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN to_jsonb(NEW) END);
    RETURN NULL;
END $$;

CREATE FUNCTION seamline.stamp_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({STAMP_LOCK});
    INSERT INTO seamline.commits VALUES (NEW.tx, nextval('seamline.commit_seq'));
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER stamp_commit AFTER INSERT ON seamline.changes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.opens_tx)
    EXECUTE FUNCTION seamline.stamp_commit();
"""

_TRIGGERS = """
CREATE TRIGGER seamline_capture AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION seamline.capture({name});
CREATE TRIGGER seamline_capture_truncate AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION seamline.capture({name});
"""

READ_SQL = """
SELECT k.commit_seq, c.tbl, c.op, c.old, c.new,
       to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
FROM seamline.changes c JOIN seamline.commits k ON k.tx = c.tx
WHERE k.commit_seq > %(after)s
ORDER BY k.commit_seq, c.seq
"""

# Forget the changes read so far (up to a commit mark), keeping any committed since.
CLEAR_SQL = """
DELETE FROM seamline.changes
WHERE tx IN (SELECT tx FROM seamline.commits WHERE commit_seq <= {mark});
DELETE FROM seamline.commits WHERE commit_seq <= {mark};
"""


def install(conn: sa.Connection, schema: Schema) -> dict[str, str]:
    """Create the capture schema and a trigger per table; {table: why not} for the failures.

    A table whose trigger cannot be created is left out, and the rest go on: each
    table's triggers are created inside a savepoint.
    """
    conn.exec_driver_sql(INSTALL_SQL)
    failed: dict[str, str] = {}
    for table in schema.tables.values():
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(_TRIGGERS.format(table=table.sql, name=literal(table.name)))
        except sa.exc.DBAPIError as err:
            failed[table.name] = str(err.orig).strip().splitlines()[0]
    return failed


def read(conn: sa.Connection, after: int) -> list[Captured]:
    rows = conn.exec_driver_sql(READ_SQL, {"after": after}).all()
    return [
        Captured(int(mark), table, cast(Op, op), _row(old), _row(new), at)
        for mark, table, op, old, new, at in rows
    ]


def _row(value: object) -> dict[str, Any] | None:
    return cast(dict[str, Any], value) if isinstance(value, dict) else None
