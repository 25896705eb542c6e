"""The errors seamline raises. Each one says what was expected, what was found,
where, and how to fix it, so that a failing run explains itself.

Code branches on these types and their fields, never on their messages. The tree
(public names are importable from `seamline`, `seamline.db` or `seamline.mock`):

    Exception
    +-- SeamlineError                 everything seamline raises on purpose
    |   +-- ConfigError               seamline.toml is invalid (.problems: ConfigProblem list)
    |   +-- StartError                a service did not start (.service, .exit_code, .log_tail)
    |   +-- ArgumentTypeError         a test API call got a wrong type (also a TypeError)
    |   +-- ContractError             an OpenAPI document cannot be used (contracts/openapi.py)
    |   +-- RecordVersionError        records/lines.py: a record line of an unknown format version
    |   +-- RecordsError              the record dir cannot be written (.path, .cause)
    |   +-- DatabaseError             db/errors.py: a database call that cannot be done
    |   |   +-- NotATestDatabase      not a database seamline created
    |   |   +-- ResetError            the database could not be put back between tests
    |   +-- InvalidMapping            mock/errors.py: a stub mapping breaks WireMock's format
    |   |   +-- TemplateSyntaxError   mock/templating.py: a response template that cannot be read
    |   |   +-- TemplateError         mock/template_model.py: a helper refused its arguments
    |   +-- MappingLoadError          mock/errors.py: mapping files did not load (strict)
    |   +-- NotRecording              mock/recordings.py: stop_recording() with none running
    |   +-- TlsError                  mock/tls.py: a certificate or key HTTPS cannot use
    |   +-- RecordingError            strategies/errors.py: a seam's recording cannot be used
    |   |   +-- NoRecording           the seam has no recording (or an empty one)
    |   |   +-- RecordingOutdated     made with another version of the config
    |   |   +-- InvalidRecording      its files are not valid WireMock mappings / index
    |   +-- StrategyError             strategies/errors.py: a strategy or a bisection cannot run
    |       +-- NoSeams               no seam between two services to switch
    |       +-- UnknownTarget         --target names no service
    |       +-- NotBisectable         the suite passes all-real, or fails all-replay
    |       +-- FlakyStep             the same plan gave different results
    +-- AssertionError                a test's assertion on what crossed: Calls, Flow, verify
    |   +-- VerificationError         mock/errors.py: `mock.verify(...)` counted otherwise
    +-- ConnectionError
        +-- UpstreamError             http/client.py: the provider closed or sent no HTTP
            +-- UpstreamRefused       nothing listens at the provider's address

    Warning
    +-- UserWarning
        +-- ContractWarning           a contract violation under `contracts = "warn"`
        +-- CaptureWarning            db/errors.py: a table whose changes are captured in part

Internal signals that never reach a user (`lifecycle.StartFailed`, `readiness.NotReady`,
`http.message.HttpError`, `templates.TemplateSyntaxError`, ...) stay in their modules.
"""

from __future__ import annotations

import difflib
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


class RecordsError(SeamlineError):
    """The run's record dir cannot be made or written (read-only, full, not allowed)."""

    def __init__(self, path: Path, cause: OSError, lost: int = 0) -> None:
        self.path = path
        self.cause = cause
        self.lost = lost
        reason = cause.strerror or str(cause)
        what = f"; {lost} record line(s) lost" if lost else ""
        super().__init__(
            f"seamline cannot write the run's records at {path}: {reason}{what}\n"
            "  fix: free space there or make it writable, or point SEAMLINE_RECORD_ROOT "
            "at a writable directory with room"
        )


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


def did_you_mean(found: str, known: Iterable[str]) -> str:
    """'; did you mean 'orders'?' when `found` looks like a typo of a known name, else ''."""
    close = difflib.get_close_matches(found, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class ContractWarning(UserWarning):
    """A contract violation on a seam under `contracts = "warn"` (with "fail", the test fails)."""


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.rstrip("\n").splitlines())
