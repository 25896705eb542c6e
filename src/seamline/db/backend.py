"""What the database seam needs from each database kind (PostgreSQL, SQLite)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from typing import Literal

import sqlalchemy as sa

from seamline.db.changes import Captured
from seamline.db.schema import Schema

Isolation = Literal["truncate", "template", "none"]

# Above this many rows in a table, emptying it with TRUNCATE beats DELETE
# (TRUNCATE costs about as much as deleting this many small rows; bench/db).
TRUNCATE_ABOVE_ROWS = 5000


class Backend(ABC):
    """One test database: capture, reading changes, and putting it back between tests."""

    engine: sa.Engine  # the test database, for queries and rows the test inserts
    schema: Schema
    uncaptured: dict[str, str]  # tables the triggers could not be put on, and why

    def __init__(self, name: str, isolation: Isolation, auto: bool = False) -> None:
        self.name = name
        self.isolation = isolation
        self.auto = auto  # chosen by isolation = "auto": the backend may pick another
        self.uncaptured = {}

    @abstractmethod
    def attach(self) -> None:
        """Check this is a seamline test database, install capture, set the starting data."""

    @abstractmethod
    def read(self, after: int) -> list[Captured]:
        """The changes committed after mark `after`, in commit order."""

    @abstractmethod
    def reset(self, touched: set[str], inserted: Counter[str], read_up_to: int) -> int:
        """Put the database back to its starting data; returns the capture mark to read after.

        `touched` is every table changed up to mark `read_up_to` (the uncaptured
        tables are always reset too); `inserted` counts rows inserted per table,
        to pick between TRUNCATE and DELETE. A change committed after that mark
        (a service writing while the test ends) is left in the capture log, so
        the next read finds it and it is recorded and cleaned up in turn.
        """

    @abstractmethod
    def close(self) -> None:
        """Release connections (the server itself belongs to the service)."""

    def tables_to_reset(self, touched: set[str]) -> set[str]:
        return (touched | set(self.uncaptured)) & set(self.schema.tables)
