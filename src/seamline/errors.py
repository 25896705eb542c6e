"""The errors seamline raises. Each one says what was expected, what was found,
where, and how to fix it, so that a failing run explains itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class SeamlineError(Exception):
    """Base class of every error seamline raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a config file."""

    key: str
    expected: str
    found: str
    fix: str
    file: Path | None = None
    line: int | None = None

    def render(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        text = f"{where}{self.key}: expected {self.expected}, found {self.found}"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text


class ConfigError(SeamlineError):
    """The system's config is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem], what: str = "seamline config") -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"invalid {what}" + (f" ({count} problems)" if count > 1 else "")
        super().__init__(head + ":\n  " + "\n  ".join(p.render() for p in self.problems))


class StartError(SeamlineError):
    """A service did not start or did not become ready."""

    def __init__(
        self,
        service: str,
        reason: str,
        *,
        exit_code: int | None = None,
        log_path: Path | None = None,
        log_tail: str = "",
    ) -> None:
        self.service = service
        self.reason = reason
        self.exit_code = exit_code
        self.log_path = log_path
        self.log_tail = log_tail
        text = f"service '{service}' failed to start: {reason}"
        if exit_code is not None:
            text += f" (exit code {exit_code})"
        if log_path is not None:
            text += f"\n  log: {log_path}"
        if log_tail:
            text += "\n  last lines of its log:\n" + _indent(log_tail, "    | ")
        super().__init__(text)


class ArgumentTypeError(SeamlineError, TypeError):
    """A test API call got an argument of the wrong type (still a TypeError for callers)."""


def check_argument(name: str, value: object, types: type | tuple[type, ...], expected: str) -> None:
    """Raise ArgumentTypeError unless `value` is one of `types` (a bool is no number here)."""
    allowed = types if isinstance(types, tuple) else (types,)
    if isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed):
        return
    raise ArgumentTypeError(
        f"{name}: expected {expected}, found {value!r} ({type(value).__name__})"
    )


class RemoteTargetError(SeamlineError):
    """An `external` service points at a non-loopback host without opt-in."""


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.rstrip("\n").splitlines())
