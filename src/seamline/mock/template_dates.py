"""Date helpers: `now`, `date`, `parseDate`, `truncateDate`, as WireMock 3.13 has them.

A date renders as ISO 8601 (`2024-01-31T10:20:30Z`), or `epoch` milliseconds, `unix`
seconds, or a Java `SimpleDateFormat` pattern. Offsets are calendar-aware (`1 months`
from Jan 31 is Feb 29). Without a timezone a date is rendered in UTC, which is what
WireMock does on a JVM whose default zone is UTC.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from seamline.mock.java_dates import JAVA_TOKEN, TRUNCATIONS, UNITS, java_to_strptime
from seamline.mock.java_dates import shift as shift_by
from seamline.mock.template_model import Call, TemplateError

_MONTHS = list(calendar.month_name)[1:]
_DAYS = list(calendar.day_name)


@dataclass(frozen=True)
class RenderableDate:
    """WireMock's RenderableDate: an instant with an optional format and zone."""

    moment: datetime
    format: str | None = None
    zone: tzinfo | None = None

    def __str__(self) -> str:
        if self.format == "epoch":
            return str(int(self.moment.timestamp() * 1000))
        if self.format == "unix":
            return str(int(self.moment.timestamp()))
        local = self.moment.astimezone(self.zone or UTC)
        if self.format:
            return format_java_date(local, self.format)
        offset = local.utcoffset() or timedelta(0)
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        return text + ("Z" if not offset else _offset_text(offset, ":"))


def _offset_text(offset: timedelta, separator: str = "", hours_only: bool = False) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}" + ("" if hours_only else f"{separator}{rest:02d}")


def _zone_name(moment: datetime) -> str:
    if isinstance(moment.tzinfo, ZoneInfo):
        return moment.tzname() or "UTC"
    offset = moment.utcoffset() or timedelta(0)
    return "UTC" if not offset else "GMT" + _offset_text(offset, ":")


def format_java_date(moment: datetime, pattern: str) -> str:
    """Render `moment` with a Java `SimpleDateFormat` pattern."""
    out: list[str] = []
    for match in JAVA_TOKEN.finditer(pattern):
        token = match.group(0)
        if token.startswith("'"):
            out.append(token[1:-1].replace("''", "'") if token != "''" else "'")
        elif match.group(1):
            out.append(_java_field(moment, token[0], len(token)))
        else:
            out.append(token)
    return "".join(out)


def _us_week(day: int, first: datetime) -> int:
    """Java's week number in the US locale: weeks start on Sunday, week 1 holds the 1st."""
    return (day - 1 + first.isoweekday() % 7) // 7 + 1


def _java_field(moment: datetime, letter: str, count: int) -> str:
    numbers = {
        "y": moment.year,
        "d": moment.day,
        "H": moment.hour,
        "m": moment.minute,
        "s": moment.second,
        "D": moment.timetuple().tm_yday,
        "k": moment.hour or 24,
        "K": moment.hour % 12,
        "h": moment.hour % 12 or 12,
        "u": moment.isoweekday(),
        "S": moment.microsecond // 1000,
        "F": (moment.day - 1) // 7 + 1,
        "w": _us_week(moment.timetuple().tm_yday, moment.replace(month=1, day=1)),
        "W": _us_week(moment.day, moment.replace(day=1)),
    }
    if letter == "y" and count == 2:
        return f"{moment.year % 100:02d}"
    if letter in "ML":
        if count >= 3:
            name = _MONTHS[moment.month - 1]
            return name if count >= 4 else name[:3]
        return f"{moment.month:0{count}d}"
    if letter == "E":
        name = _DAYS[moment.weekday()]
        return name if count >= 4 else name[:3]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter == "z":
        return _zone_name(moment)
    if letter in "ZX":
        offset = moment.utcoffset() or timedelta(0)
        if letter == "X" and not offset:
            return "Z"
        if letter == "Z":
            return _offset_text(offset)
        return _offset_text(offset, ":" if count >= 3 else "", hours_only=count == 1)
    if letter == "G":
        return "AD"
    if letter in numbers:
        return f"{numbers[letter]:0{count}d}"
    raise TemplateError(f"Illegal pattern character '{letter}' in the date format")


def _zone(name: str) -> tzinfo:
    if name in ("Z", "UTC"):
        return UTC
    fixed = re.fullmatch(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?", name)
    if fixed:
        sign = -1 if fixed.group(1) == "-" else 1
        delta = timedelta(hours=int(fixed.group(2)), minutes=int(fixed.group(3) or 0))
        return timezone(sign * delta)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TemplateError(
            f"unknown timezone {name!r}: use a zone id like 'Europe/Paris'"
        ) from None


def shift(moment: datetime, offset: str) -> datetime:
    """WireMock's DateTimeOffset: `3 days`, `-1 months`, `now +5 years`."""
    parts = offset.split(" ")
    if offset.lower() == "now":
        return moment
    if len(parts) not in (2, 3):
        raise TemplateError(
            "Offset can be of the short form <amount> <unit> e.g. 8 seconds "
            f"or long form now +/-<amount> <unit> e.g. now +5 years, found {offset!r}"
        )
    amount_text, unit = parts[-2], parts[-1].lower()
    try:
        amount = int(amount_text)
    except ValueError:
        raise TemplateError(f"offset amount must be an integer, found {amount_text!r}") from None
    if unit.upper() in UNITS:
        return shift_by(moment, amount, unit.upper())
    raise TemplateError(
        f"unknown offset unit {parts[-1]!r}: use seconds, minutes, hours, days, months or years"
    )


def _now(call: Call) -> RenderableDate:
    given = call.arg(0)
    offset, fmt, zone_name = (
        call.hash.get("offset"),
        call.hash.get("format"),
        call.hash.get("timezone"),
    )
    if isinstance(given, RenderableDate):
        date, zone = given.moment, given.zone
    else:
        date, zone = datetime.now(UTC), _zone(str(zone_name)) if zone_name else None
    if offset:
        date = shift(date.astimezone(UTC), str(offset))
    return RenderableDate(date, str(fmt) if fmt else None, zone)


def _parse_date(call: Call) -> RenderableDate | None:
    text, fmt = str(call.arg(0, "")), call.hash.get("format")
    if fmt is None:
        return _parse_default(text)
    if str(fmt).lower() in ("epoch", "unix"):
        try:
            number = int(text)
        except ValueError:
            raise TemplateError(f"parseDate: {text!r} is not a number for format={fmt!r}") from None
        seconds = number / 1000 if str(fmt).lower() == "epoch" else number
        return RenderableDate(datetime.fromtimestamp(seconds, UTC))
    try:
        pattern = java_to_strptime(str(fmt))
    except ValueError as exc:
        raise TemplateError(f"parseDate: {exc} in {str(fmt)!r}") from None
    try:
        parsed = datetime.strptime(text, pattern)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return RenderableDate(parsed.replace(tzinfo=UTC))
    return RenderableDate(parsed, zone=parsed.tzinfo)


def _parse_default(text: str) -> RenderableDate | None:
    """ISO zoned date-time, then RFC 1123/1036 and asctime, as WireMock tries them."""
    iso = re.sub(r"\[[^\]]*\]$", "", text)
    try:
        parsed = datetime.fromisoformat(iso)
        if "T" in iso and parsed.tzinfo is not None:
            return RenderableDate(parsed, zone=parsed.tzinfo)
    except ValueError:
        pass
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return RenderableDate(parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC), zone=UTC)


def _truncate_date(call: Call) -> Any:
    date, kind = call.arg(0), str(call.arg(1, "")).lower()
    if len(call.args) < 2:
        return "[ERROR: Truncation type must be specified as the first parameter to truncateDate]"
    if not isinstance(date, RenderableDate):
        return "[ERROR: A date object must be passed to the truncateDate helper]"
    truncation = TRUNCATIONS.get(kind)
    if truncation is None:
        raise TemplateError(
            f"truncateDate: unknown truncation {kind!r}; use one of {list(TRUNCATIONS)}"
        )
    local = date.moment.astimezone(date.zone or UTC)
    return replace(date, moment=truncation(local), format=None)


_STYLES = {
    "full": "EEEE, MMMM d, yyyy",
    "long": "MMMM d, yyyy",
    "medium": "MMM d, yyyy",
    "short": "M/d/yy",
}


def _date_format(call: Call) -> str:
    """Handlebars.java's dateFormat: a style (full, long, medium, short) or a pattern."""
    date = call.arg(0)
    if not isinstance(date, RenderableDate):
        raise TemplateError(f"dateFormat expects a date, found {date!r}: use (parseDate ...)")
    style = str(call.hash.get("format", call.arg(1, "medium")))
    zone = _zone(str(call.hash["tz"])) if call.hash.get("tz") else date.zone or UTC
    return format_java_date(date.moment.astimezone(zone), _STYLES.get(style, style))


DATE_HELPERS = {
    "dateFormat": _date_format,
    "now": lambda call: _now(Call([], call.hash, call.variables)),
    "date": _now,
    "parseDate": _parse_date,
    "truncateDate": _truncate_date,
}
