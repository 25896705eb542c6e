"""The database seam: per-test isolation, change capture and data assertions.

`system.db(name)` (or the `db` fixture) gives a `Database`; see docs/db.md.
"""

from __future__ import annotations

from seamline.db.changes import Change
from seamline.db.database import Database
from seamline.db.errors import CaptureWarning, DatabaseError, NotATestDatabase, ResetError

__all__ = [
    "CaptureWarning",
    "Change",
    "Database",
    "DatabaseError",
    "NotATestDatabase",
    "ResetError",
]
