"""The date-time matchers: `before`, `after` and `equalToDateTime`, as WireMock has them.

The expected value is a date-time (zoned `2021-06-14T12:13:14Z` or local
`2021-06-14T12:13:14`, `2021-06-14`, `2021-06`, `2021`) or an offset from now
(`now`, `now +3 days`, `-1 months`, or `expectedOffset` + `expectedOffsetUnit`).
The actual value is read with `actualFormat` (a Java DateTimeFormatter pattern,
`unix` or `epoch`) or else as ISO-8601, RFC 1123, RFC 1036 or asctime.
`truncateExpected` / `truncateActual` cut a date down (`first day of month`...);
`applyTruncationLast` shifts before truncating. A local date against a zoned one
is compared in this machine's zone, as WireMock compares in the JVM's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from seamline.mock.errors import InvalidMapping
from seamline.mock.java_dates import TRUNCATIONS, UNITS, java_to_strptime, shift
from seamline.mock.value_patterns import ValuePattern

_ZONED_ISO = re.compile(
    r"(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?)(Z|[+-]\d\d(?::?\d\d)?)(?:\[[^\]]+\])?"
)
_LOCAL_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?")
# WireMock's courtesy: a "+" of an offset sent unencoded in a query string became a space.
_OFFSET_SPACE = re.compile(r"([0-5]\d:[0-5]\d(?::[0-5]\d)?(?:\.\d+)?) ([0-2]\d)")


def _iso(text: str) -> datetime:
    """fromisoformat after cutting fractions to the microseconds Python keeps."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text))


def parse_default(text: str) -> datetime | None:
    """A zoned (aware) or local (naive) date-time in one of WireMock's default formats."""
    text = _OFFSET_SPACE.sub(r"\1+\2", text.strip())
    found = _ZONED_ISO.fullmatch(text)
    if found is not None:
        offset = found.group(2)
        offset = "+00:00" if offset == "Z" else offset
        return _iso(found.group(1) + offset)
    if _LOCAL_ISO.fullmatch(text):
        return _iso(text)
    for form, fmt in ((r"\d{4}-\d\d-\d\d", "%Y-%m-%d"), (r"\d{4}-\d\d", "%Y-%m"), (r"\d{4}", "%Y")):
        if re.fullmatch(form, text):
            return datetime.strptime(text, fmt)
    for fmt in ("%A, %d-%b-%y %H:%M:%S %Z", "%a %b %d %H:%M:%S %Y"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        parsed = parsedate_to_datetime(text)  # RFC 1123 / RFC 822
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_with(fmt: str, text: str) -> datetime | None:
    """The actual value read with `actualFormat` (a Java pattern, `unix` or `epoch`)."""
    try:
        if fmt.lower() == "unix":
            return datetime.fromtimestamp(int(text), UTC)
        if fmt.lower() == "epoch":
            return datetime.fromtimestamp(int(text) / 1000, UTC)
        return datetime.strptime(_OFFSET_SPACE.sub(r"\1+\2", text), java_to_strptime(fmt))
    except (ValueError, OverflowError):
        return None


_NUMERIC = ("unix", "epoch")
_NOW = re.compile(r"(?i)(?:now)?\s*([+-]?\d+)\s+([a-z]+)")


class DateTimePattern(ValuePattern):
    """One of before / after / equalToDateTime; `spec` is the matcher's JSON object."""

    def __init__(self, key: str, spec: dict[str, Any], where: str) -> None:
        self.key = key
        self.spec = spec
        expected = spec[key]
        if not isinstance(expected, str):
            raise InvalidMapping(where, f"expected a date-time string, found {expected!r}")
        self.actual_format = spec.get("actualFormat")
        self.truncate_expected = _truncation(spec, "truncateExpected", where)
        self.truncate_actual = _truncation(spec, "truncateActual", where)
        self.truncation_last = bool(spec.get("applyTruncationLast"))
        self.offset: tuple[int, str] | None = None
        self.fixed: datetime | None = None
        if expected.strip().lower() == "now" or _NOW.fullmatch(expected.strip()):
            self.offset = _offset(expected, spec, where)
        else:
            self.fixed = parse_default(expected)
            if self.fixed is None:
                raise InvalidMapping(
                    where,
                    f"expected a date-time like 2021-06-14T12:13:14Z or 'now +3 days', "
                    f"found {expected!r}",
                )
        if self.actual_format is not None and str(self.actual_format).lower() not in _NUMERIC:
            try:
                java_to_strptime(str(self.actual_format))
            except ValueError as exc:
                raise InvalidMapping(f"{where}.actualFormat", str(exc)) from None

    def _expected(self) -> datetime:
        if self.fixed is not None:
            return self.fixed
        amount, unit = self.offset or (0, "SECONDS")
        now = datetime.now().astimezone()
        cut = self.truncate_expected
        if self.truncation_last:
            shifted = shift(now, amount, unit)
            return cut(shifted) if cut else shifted
        return shift(cut(now) if cut else now, amount, unit)

    def _actual(self, value: str) -> datetime | None:
        if self.actual_format is not None:
            parsed = parse_with(str(self.actual_format), value)
        else:
            parsed = parse_default(value)
        if parsed is not None and parsed.tzinfo is not None and self.truncate_actual:
            parsed = self.truncate_actual(parsed)
        return parsed

    def matches(self, value: str | None) -> bool:
        if value is None:
            return False
        actual = self._actual(value)
        if actual is None:
            return False
        expected = self._expected()
        if (expected.tzinfo is None) != (actual.tzinfo is None):
            # local against zoned: WireMock compares in the JVM's zone; we use this machine's.
            local = expected.tzinfo is None
            actual = actual.replace(tzinfo=None) if local else actual.astimezone()
        if self.key == "before":
            return actual < expected
        if self.key == "after":
            return actual > expected
        return actual == expected

    def to_json(self) -> dict[str, Any]:
        return dict(self.spec)


def _truncation(
    spec: dict[str, Any], key: str, where: str
) -> Callable[[datetime], datetime] | None:
    value = spec.get(key)
    if value is None:
        return None
    name = str(value).lower().replace("_", " ")
    if name not in TRUNCATIONS:
        raise InvalidMapping(
            f"{where}.{key}",
            f"unknown truncation {value!r}",
            f"use one of: {', '.join(TRUNCATIONS)}",
        )
    return TRUNCATIONS[name]


def _offset(expected: str, spec: dict[str, Any], where: str) -> tuple[int, str]:
    amount, unit = spec.get("expectedOffset"), spec.get("expectedOffsetUnit")
    if amount is not None and unit is not None:
        pair = (int(amount), str(unit).upper())
    elif expected.strip().lower() == "now":
        pair = (0, "SECONDS")
    else:
        found = _NOW.fullmatch(expected.strip())
        assert found is not None
        pair = (int(found.group(1)), found.group(2).upper())
    if pair[1] not in UNITS:
        raise InvalidMapping(
            where, f"unknown offset unit {pair[1].lower()!r}", f"use one of: {', '.join(UNITS)}"
        )
    return pair
