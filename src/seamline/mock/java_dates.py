"""What WireMock's date matchers and date helpers share: Java's calendar arithmetic,
its named truncations and its date-time pattern letters read as strptime directives.

Both the matchers (`patterns_dates.py`) and the templating helpers (`template_dates.py`)
read dates the way one JVM does, so they read them with this one module.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import datetime, timedelta


def add_months(moment: datetime, months: int) -> datetime:
    """Calendar months, the day clamped to the month's length (Java's plusMonths)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


UNITS = ("SECONDS", "MINUTES", "HOURS", "DAYS", "MONTHS", "YEARS")


def shift(moment: datetime, amount: int, unit: str) -> datetime:
    """`moment` moved by `amount` of one of UNITS; months and years are calendar-aware."""
    if unit == "MONTHS":
        return add_months(moment, amount)
    if unit == "YEARS":
        return add_months(moment, 12 * amount)
    return moment + timedelta(**{unit.lower(): amount})


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _last_day(moment: datetime) -> datetime:
    return moment.replace(day=calendar.monthrange(moment.year, moment.month)[1])


TRUNCATIONS: dict[str, Callable[[datetime], datetime]] = {
    "first second of minute": lambda m: m.replace(second=0, microsecond=0),
    "first minute of hour": lambda m: m.replace(minute=0, second=0, microsecond=0),
    "first hour of day": _midnight,
    "first day of month": lambda m: _midnight(m.replace(day=1)),
    "first day of next month": lambda m: _midnight(add_months(m.replace(day=1), 1)),
    "last day of month": lambda m: _midnight(_last_day(m)),
    "first day of year": lambda m: _midnight(m.replace(month=1, day=1)),
    "first day of next year": lambda m: _midnight(m.replace(year=m.year + 1, month=1, day=1)),
    "last day of year": lambda m: _midnight(m.replace(month=12, day=31)),
}

# A quoted literal ('' inside quotes is one quote), a run of one letter, or other text.
JAVA_TOKEN = re.compile(r"'(?:[^']|'')*'|([a-zA-Z])\1*|[^'a-zA-Z]+")
# Java pattern letters -> strptime directives; strptime is lenient on widths, so one
# directive serves every width except where the width changes the meaning (below).
_DIRECTIVES = {
    "y": "%Y",
    "u": "%Y",
    "M": "%m",
    "d": "%d",
    "D": "%j",
    "H": "%H",
    "h": "%I",
    "m": "%M",
    "s": "%S",
    "S": "%f",
    "a": "%p",
    "X": "%z",
    "x": "%z",
    "Z": "%z",
    "O": "%z",
    "z": "%Z",
}


def _directive(letter: str, width: int) -> str:
    if letter == "y" and width == 2:
        return "%y"
    if letter == "M" and width >= 3:
        return "%b" if width == 3 else "%B"
    if letter == "E":
        return "%a" if width <= 3 else "%A"
    if letter not in _DIRECTIVES:
        raise ValueError(f"unsupported date-time pattern letter {letter!r}")
    return _DIRECTIVES[letter]


def java_to_strptime(pattern: str) -> str:
    """A Java DateTimeFormatter / SimpleDateFormat pattern as a strptime format.

    Raises ValueError naming the first letter strptime has no directive for."""
    out: list[str] = []
    for match in JAVA_TOKEN.finditer(pattern):
        token = match.group(0)
        if token == "''":
            out.append("'")
        elif token.startswith("'"):
            out.append(token[1:-1].replace("''", "'").replace("%", "%%"))
        elif match.group(1):
            out.append(_directive(token[0], len(token)))
        else:
            out.append(token.replace("%", "%%"))
    return "".join(out)
