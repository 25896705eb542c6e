"""Triggers go only into databases seamline created for this run, never anywhere else.

A seamline test database lives in the run dir: a PostgreSQL server whose data
directory is inside it, or an SQLite file inside it. Anything else (a shared
server, a developer's database, production) is refused before a single
statement changes it.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from seamline.db.errors import NotATestDatabase

_FIX = (
    "seamline installs its change-capture triggers only into the databases it starts "
    "itself (a `postgres` or `sqlite` service of the system). Declare the database as "
    "such a service and point your services at it with {name.url}"
)


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def check_postgres(conn: sa.Connection, run_dir: Path, databases: tuple[str, ...]) -> None:
    """Refuse unless the server's data directory is in `run_dir` and the database is ours."""
    data_dir, database = conn.exec_driver_sql(
        "SELECT current_setting('data_directory'), current_database()"
    ).one()
    if not _inside(Path(data_dir), run_dir):
        raise NotATestDatabase(
            f"refusing to install triggers into database {database!r}: its server's data "
            f"directory is {data_dir}, expected one inside this run's directory {run_dir}, "
            f"so it is not a seamline test database.\n  fix: {_FIX}"
        )
    if database not in databases:
        raise NotATestDatabase(
            f"refusing to install triggers into database {database!r}: expected one of "
            f"{', '.join(databases)} (the test database and its template).\n  fix: {_FIX}"
        )


def check_sqlite(path: Path, run_dir: Path) -> None:
    if not _inside(path, run_dir):
        raise NotATestDatabase(
            f"refusing to install triggers into SQLite file {path}: expected a file inside "
            f"this run's directory {run_dir}, so it is not a seamline test database.\n"
            f"  fix: {_FIX}"
        )
