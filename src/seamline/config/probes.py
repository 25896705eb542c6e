"""Readiness probes: how seamline knows a service is up.

Written in the config either as a short string, which reads like what it does:

    ready = "http GET /health"      # any 2xx; "http GET /health 204" for one status
    ready = "tcp"                   # the port accepts connections
    ready = "log Uvicorn running"   # a regex matched by a line of the service's log
    ready = "command pg_isready -h 127.0.0.1"   # exits 0
    ready = "none"                  # ready as soon as it is started

or as a table: `ready = { http = "/health", method = "GET", status = 200 }`,
`{ tcp = true }`, `{ log = "regex" }`, `{ command = ["cmd", "arg"] }`.
"""

from __future__ import annotations

import difflib
import re
import shlex
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

ProbeKind = Literal["http", "tcp", "log", "command", "none"]
_METHODS = {"GET", "HEAD", "POST", "OPTIONS"}
_EXPECTED_FORMS = (
    '"http GET /health", "tcp", "log <regex>", "command <cmd>", "none", '
    'or a table such as { http = "/health" }'
)


class Probe(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: ProbeKind
    method: str = "GET"
    path: str = "/"
    status: int | None = None  # None: any 2xx
    pattern: str | None = None
    command: list[str] | None = None

    def describe(self) -> str:
        if self.kind == "http":
            return f"http {self.method} {self.path} -> {self.status or '2xx'}"
        if self.kind == "log":
            return f"log /{self.pattern}/"
        if self.kind == "command":
            return "command " + shlex.join(self.command or [])
        return self.kind


def parse_probe(value: Any) -> Any:
    """Normalize the config forms into a `Probe`; leave other types to pydantic."""
    if value is None or isinstance(value, Probe):
        return value
    if isinstance(value, str):
        return _from_string(value)
    if isinstance(value, dict):
        return _from_table(value)
    raise ValueError(f"expected {_EXPECTED_FORMS}")


def _from_string(text: str) -> Probe:
    head, _, rest = text.strip().partition(" ")
    rest = rest.strip()
    if head in ("tcp", "none") and not rest:
        return Probe(kind=head)  # type: ignore[arg-type]
    if head == "http":
        return _http(rest.split())
    if head == "log" and rest:
        return _log(rest.strip("\"'") if rest[:1] in "\"'" else rest)
    if head in ("command", "cmd") and rest:
        return Probe(kind="command", command=shlex.split(rest))
    raise ValueError(f"expected {_EXPECTED_FORMS}")


def _http(words: list[str]) -> Probe:
    method = "GET"
    if words and words[0].upper() in _METHODS:
        method = words.pop(0).upper()
    if words and not words[0].startswith("/") and words[0].isalpha():
        raise ValueError(
            f'expected a method ({", ".join(sorted(_METHODS))}) or a path after "http" '
            f"(unknown method {words[0]!r})"
        )
    if not words or not words[0].startswith("/"):
        raise ValueError(
            'expected an http probe such as "http GET /health" (a path starting with /)'
        )
    path = words.pop(0)
    status = None
    if words:
        if len(words) > 1 or not words[0].isdigit():
            raise ValueError('expected "http GET /path" optionally followed by one status code')
        status = int(words[0])
    return Probe(kind="http", method=method, path=path, status=status)


def _log(pattern: str) -> Probe:
    try:
        re.compile(pattern)
    except re.error as err:
        raise ValueError(f"expected a valid regular expression for the log probe ({err})") from err
    return Probe(kind="log", pattern=pattern)


class ProbeKeyError(ValueError):
    """A probe table with a key it does not know; `fix` names the key that was meant."""

    def __init__(self, message: str, fix: str) -> None:
        super().__init__(message)
        self.fix = fix


def _unknown_key(extra: set[str], allowed: tuple[str, ...], what: str) -> ProbeKeyError:
    key = sorted(extra)[0]
    near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    fix = f"did you mean '{near[0]}'?" if near else f"use {', '.join(allowed)}"
    return ProbeKeyError(f"expected {what} (not {key!r})", fix)


def _from_table(table: dict[str, Any]) -> Probe:
    keys = set(table)
    if "http" in keys:
        extra = keys - {"http", "method", "status"}
        if extra:
            raise _unknown_key(
                extra, ("http", "method", "status"), "only http, method, status in an http probe"
            )
        words = [str(table.get("method", "GET")), str(table["http"])]
        if "status" in table:
            words.append(str(table["status"]))
        return _http(words)
    if keys == {"tcp"}:
        return Probe(kind="tcp")
    if keys == {"log"} and isinstance(table["log"], str):
        return _log(table["log"])
    if keys == {"command"}:
        command = table["command"]
        argv = shlex.split(command) if isinstance(command, str) else [str(c) for c in command]
        return Probe(kind="command", command=argv)
    unknown = keys - {"tcp", "log", "command"}
    if unknown:
        raise _unknown_key(unknown, ("http", "tcp", "log", "command"), "a probe table's kind")
    raise ValueError(f"expected {_EXPECTED_FORMS}")
