"""pytest-postgresql's side: its `postgresql` fixture, which drops and creates the
database for every test (from a template holding the schema and seed).

The server gets the same durability settings seamline gives its own server, so
the two differ only in how a test's database is reset.
"""

from __future__ import annotations

import os
from pathlib import Path

from pytest_postgresql import factories

HERE = Path(__file__).parent.parent

postgresql_proc = factories.postgresql_proc(
    executable=os.environ["PG_CTL"],
    postgres_options="-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
    load=[HERE / "schema.pg.sql", HERE / "seed.pg.sql"],
)
postgresql = factories.postgresql("postgresql_proc")
