"""Errors of the stub engine: each names the file, the JSON path, what was expected
and found, and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from seamline.errors import SeamlineError


class InvalidMapping(SeamlineError):
    """One stub mapping (or one part of it) does not follow WireMock's format."""

    def __init__(self, path: str, reason: str, fix: str = "") -> None:
        self.path = path
        self.reason = reason
        self.fix = fix
        text = f"{path}: {reason}"
        if fix:
            text += f" (fix: {fix})"
        super().__init__(text)


@dataclass(frozen=True)
class LoadProblem:
    """A mapping file that did not load; the others still did."""

    file: Path
    path: str
    reason: str

    def render(self) -> str:
        return f"{self.file}: {self.path}: {self.reason}"


class MappingLoadError(SeamlineError):
    """Raised only when asked to be strict; otherwise problems are reported and skipped."""

    def __init__(self, problems: Iterable[LoadProblem]) -> None:
        self.problems = list(problems)
        lines = "\n  ".join(p.render() for p in self.problems)
        super().__init__(f"{len(self.problems)} stub mapping(s) did not load:\n  {lines}")


class VerificationError(AssertionError):
    """`mock.verify(...)` found a different number of matching requests."""
