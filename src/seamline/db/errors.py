"""The errors of the database seam: each says what was expected, what was found and the fix."""

from __future__ import annotations

from collections.abc import Iterable

from seamline.errors import SeamlineError


class DatabaseError(SeamlineError):
    """A database call was given something the database does not have, or could not run."""


class NotATestDatabase(DatabaseError):
    """seamline was asked to install its triggers into a database it did not create."""


class ResetError(DatabaseError):
    """The database could not be put back to its starting data between two tests."""


class CaptureWarning(UserWarning):
    """A table whose changes seamline captures only in part, or not at all."""


def listing(names: Iterable[str]) -> str:
    """Names for a message, sorted: `a, b, c` (or `none`)."""
    return ", ".join(sorted(names)) or "none"
