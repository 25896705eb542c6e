"""Asserting on what crossed the seams: typed queries whose failures show what was there."""

from __future__ import annotations

import fnmatch
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Generic, Protocol, TypeVar

from seamline.errors import check_argument
from seamline.records.exchange import Exchange

T = TypeVar("T")


class Crossing(Protocol):
    """What crossed a seam, as a failure lists it: an exchange or a message."""

    @property
    def error(self) -> str | None: ...


C = TypeVar("C", bound=Crossing)
_TEMPLATE = re.compile(r"\{[^}/]+\}")


def path_matcher(path: str) -> Callable[[str], bool]:
    """Exact path; `*` globs (`/charges/*`); `{name}` templates (`/charges/{id}`)."""
    if "{" in path:
        pattern = re.compile(
            "^"
            + _TEMPLATE.sub("[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
            + "$"
        )
        return lambda actual: pattern.match(actual) is not None
    if "*" in path or "?" in path:
        return lambda actual: fnmatch.fnmatchcase(actual, path)
    return lambda actual: actual == path


def describe(exchanges: Iterable[Crossing]) -> str:
    lines = [f"    {e}" + (f" ({e.error})" if e.error else "") for e in exchanges]
    return "\n".join(lines) if lines else "    (none)"


class Calls(Generic[C]):
    """The exchanges (or messages) a query found, with the context to explain a failed
    expectation. Iterable and indexable like a list; `count` is a number (`calls.count == 2`).
    """

    noun = "call"

    def __init__(self, found: Iterable[C], what: str, context: list[C], where: str) -> None:
        self._found = list(found)
        self.what = what
        self.context = context
        self.where = where

    @property
    def count(self) -> int:
        """How many exchanges matched."""
        return len(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def __iter__(self) -> Iterator[C]:
        return iter(self._found)

    def __getitem__(self, index: int) -> C:
        return self._found[index]

    def __bool__(self) -> bool:
        return bool(self._found)

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"<{kind} {self.what} on {self.where}: {len(self)}>\n{describe(self._found)}"

    def _fail(self, expectation: str) -> AssertionError:
        return AssertionError(
            f"expected {expectation} {self.what} on {self.where}, found {len(self)}.\n"
            f"  what crossed {self.where}:\n{describe(self.context)}"
        )

    def one(self) -> C:
        """The only match; fails listing what was there if there are 0 or several."""
        if len(self) != 1:
            raise self._fail(f"exactly one {self.noun}")
        return self[0]

    def none(self) -> None:
        """Pass when nothing matched; else fail listing what did."""
        if self:
            raise self._fail(f"no {self.noun}")

    @property
    def first(self) -> C:
        """The first matching item; fails listing what was there if none matched."""
        if not self:
            raise self._fail(f"at least one {self.noun}")
        return self[0]

    @property
    def last(self) -> C:
        """The last matching item; fails listing what was there if none matched."""
        if not self:
            raise self._fail(f"at least one {self.noun}")
        return self[-1]


def query(
    exchanges: list[Exchange],
    where: str,
    method: str | None = None,
    path: str | None = None,
    status: int | None = None,
) -> Calls[Exchange]:
    check_argument("calls method", method, (str, type(None)), "an HTTP method such as 'GET'")
    check_argument("calls path", path, (str, type(None)), "a path such as '/orders/{id}'")
    check_argument("calls status", status, (int, type(None)), "an HTTP status such as 200")
    matches_path = path_matcher(path) if path is not None else None
    found = [
        e
        for e in exchanges
        if (method is None or e.request.method == method.upper())
        and (matches_path is None or matches_path(e.request.path))
        and (status is None or e.status == status)
    ]
    what = (
        " ".join(
            part
            for part in (method and method.upper(), path, f"-> {status}" if status else None)
            if part
        )
        or "(any)"
    )
    return Calls(found, what, exchanges, where)


class Flow(list[Any]):
    """Exchanges, and messages on broker links, in the order they started, across all seams."""

    @property
    def seams(self) -> list[str]:
        """The seam of each exchange, in order: `["test -> api", "api -> payments"]`."""
        return [e.seam for e in self]

    def index_of(self, seam: str, method: str | None = None, path: str | None = None) -> int:
        """Position of the first exchange (or message) on `seam`, an exchange matching
        method/path if they are given; fails if absent."""
        matches_path = path_matcher(path) if path else (lambda _: True)
        for position, e in enumerate(self):
            if e.seam != seam:
                continue
            if not isinstance(e, Exchange):
                if method is None and path is None:
                    return position
                continue
            if (method is None or e.request.method == method.upper()) and matches_path(
                e.request.path
            ):
                return position
        raise AssertionError(
            f"no exchange on {seam} {method or ''} {path or ''} in this flow:\n{describe(self)}"
        )

    def __str__(self) -> str:
        return describe(self)


def assert_header_propagated(exchanges: list[Exchange], header: str, from_: str, to: str) -> None:
    """Each call on `to` made while a call on `from_` carrying `header` was in flight carried
    the same value. Calls on `from_` that cause no call on `to` are not part of the check, but
    at least one pair must exist."""
    sources = [e for e in exchanges if e.seam == from_]
    targets = [e for e in exchanges if e.seam == to]
    pairs = [(s, t) for s in sources for t in targets if _during(t, s)]
    carrying = [(s, t) for s, t in pairs if s.request.headers.get(header) is not None]
    if not carrying:
        why = (
            f"no call on {to} was made while a call on {from_} was in flight"
            if not pairs
            else f"the calls on {from_} that led to calls on {to} had no {header} header"
        )
        raise AssertionError(
            f"cannot check {header} from {from_} to {to}: {why}; what crossed "
            f"the seams in this test:\n{describe(exchanges)}"
        )
    problems = []
    for source, target in carrying:
        value, passed = source.request.headers.get(header), target.request.headers.get(header)
        if passed != value:
            found = "no such header" if passed is None else repr(passed)
            problems.append(
                f"{target}: expected {header}: {value!r} (from {source}), found {found}"
            )
    if problems:
        raise AssertionError(
            f"{header} was not propagated from {from_} to {to}:\n  " + "\n  ".join(problems)
        )


def _during(inner: Exchange, outer: Exchange) -> bool:
    end = outer.mono + outer.duration_ms / 1000
    return outer.mono <= inner.mono <= end


def eventually(check: Callable[[], T], timeout: float = 5.0, interval: float = 0.05) -> T:
    """Call `check` until it returns a truthy value without raising AssertionError.

    For asynchronous flows: `eventually(lambda: db.count("emails") == 1)`. On time-out
    the AssertionError shows the last value returned or the last assertion raised.
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    last_error: AssertionError | None = None
    while True:
        try:
            value = check()
            last, last_error = value, None
            if value:
                return value
        except AssertionError as error:
            last_error = error
        if time.monotonic() >= deadline:
            seen = f"last assertion: {last_error}" if last_error else f"last value: {last!r}"
            raise AssertionError(f"not true within {timeout:g} s; {seen}") from last_error
        time.sleep(interval)
