"""String helpers: Handlebars.java's StringHelpers and NumberHelpers, and WireMock's
trim, urlEncode, base64, regexExtract and formData."""

from __future__ import annotations

import base64
import re
import textwrap
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from seamline.mock.template_model import (
    Call,
    ListValue,
    TemplateError,
    handle_error,
    to_text,
    truthy,
)


def _pad(call: Call, side: str) -> str:
    text, size = call.text(), int(call.hash.get("size", 0))
    pad = str(call.hash.get("pad", " ")) or " "
    missing = max(0, size - len(text))
    if side == "center":
        left = missing // 2
        return pad * left + text + pad * (missing - left)
    return text + pad * missing if side == "left" else pad * missing + text


def _join(call: Call) -> str:
    first = call.arg(0)
    if isinstance(first, list):
        items, separator = list(first), to_text(call.arg(1, ""))
    else:
        items, separator = call.args[:-1], to_text(call.arg(len(call.args) - 1, ""))
    joined = separator.join(to_text(i) for i in items)
    return to_text(call.hash.get("prefix", "")) + joined + to_text(call.hash.get("suffix", ""))


def _array_join(call: Call) -> str:
    separator, first = call.arg(0), call.arg(1)
    if not isinstance(separator, str):
        return handle_error("Separator parameter must be a String")
    if first is None:
        return handle_error("The parameter must be list")
    items = list(first) if isinstance(first, list) else call.args[1:]
    if not items:
        return ""
    if call.fn is not None:
        fn = call.fn
        pieces = [
            fn(item, dict(zip(call.params, (item, i), strict=False)))
            for i, item in enumerate(items)
        ]
    else:
        pieces = [to_text(item) for item in items]
    return (
        to_text(call.hash.get("prefix", ""))
        + separator.join(pieces)
        + to_text(call.hash.get("suffix", ""))
    )


def _capitalize(call: Call) -> str:
    text = call.text()
    if truthy(call.hash.get("fully")):
        text = text.lower()
    return re.sub(r"(^|\s)(\S)", lambda m: m.group(1) + m.group(2).upper(), text)


def _abbreviate(call: Call) -> str:
    text, width = call.text(), int(call.arg(1, 0))
    if width < 4:
        raise TemplateError(f"abbreviate: the minimum width is 4, found {width}")
    return text if len(text) <= width else text[: width - 3] + "..."


def _substring(call: Call) -> str:
    text, start = call.text(), int(call.arg(1, 0))
    end = len(text) if call.arg(2) is None else int(call.arg(2))
    if not 0 <= start <= end <= len(text):
        raise TemplateError(f"substring: {start}..{end} is outside {text!r}")
    return text[start:end]


def _string_format(call: Call) -> str:
    pattern = call.text()
    try:
        return pattern % tuple(call.args[1:])
    except (TypeError, ValueError):
        return handle_error(f"stringFormat: {pattern!r} does not fit {call.args[1:]!r}")


def _number_format(call: Call) -> str:
    try:
        number = Decimal(to_text(call.arg(0)))
    except InvalidOperation:
        return handle_error(f"numberFormat: {call.arg(0)!r} is not a number")
    style = str(call.arg(1, ""))
    grouping, low, high, suffix, prefix, digits = True, 0, 3, "", "", 1
    if style == "integer":
        high = 0
    elif style == "percent":
        number, high, suffix = number * 100, 0, "%"
    elif style == "currency":  # Java's root locale has no currency: the generic sign
        low, high, prefix = 2, 2, "\u00a4"
    elif style:  # a DecimalFormat pattern like '#,##0.00'
        grouping = "," in style
        integer, _, fraction = style.partition(".")
        low, high, digits = fraction.count("0"), len(fraction), max(1, integer.count("0"))
    high = int(call.hash.get("maximumFractionDigits", high))
    low = min(int(call.hash.get("minimumFractionDigits", low)), high)
    rounded = number.quantize(Decimal(1).scaleb(-high), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0").ljust(low, "0")
    whole = f"{int(whole):0{digits}{',' if grouping else ''}d}"
    sign = "-" if rounded < 0 else ""
    return f"{sign}{prefix}{whole}{'.' + fraction if fraction else ''}{suffix}"


def _yesno(call: Call) -> str:
    value = call.arg(0)
    if value is None:
        return to_text(call.hash.get("maybe", "maybe"))
    if not isinstance(value, bool):
        raise TemplateError(f"yesno expects true, false or null, found {value!r}")
    return to_text(call.hash.get("yes", "yes") if truthy(value) else call.hash.get("no", "no"))


def _base64(call: Call) -> str:
    text = call.fn() if call.fn is not None else to_text(call.arg(0))
    if call.hash.get("decode") is True:
        return base64.b64decode(text + "=" * (-len(text) % 4)).decode("utf-8", "replace")
    encoded = base64.b64encode(text.encode()).decode()
    return encoded if call.hash.get("padding") in (None, True) else encoded.rstrip("=")


def _regex_extract(call: Call) -> Any:
    pattern = str(call.arg(1, ""))
    try:
        regex = re.compile(pattern)
    except re.error:
        return handle_error(f"Invalid regex string {pattern}")
    text = call.text()
    if len(call.args) < 3:
        found = regex.search(text)
        if found is not None:
            return found.group(0)
        groups: list[str] = []
    else:
        groups = [g for m in regex.finditer(text) for g in m.groups()]
    if not groups:
        default = call.hash.get("default")
        return default if default is not None else handle_error(f"Nothing matched {pattern}")
    call.variables[to_text(call.arg(2))] = ListValue(groups)
    return None


def _form_data(call: Call) -> Any:
    decode = call.hash.get("urlDecode") is True
    form: dict[str, ListValue] = {}
    for pair in call.text().split("&"):
        name, _, value = pair.partition("=")
        if name:
            key = unquote_plus(name) if decode else name
            form.setdefault(key, ListValue()).append(unquote_plus(value) if decode else value)
    if len(call.args) > 1:
        call.variables[to_text(call.arg(1))] = form
        return None
    return form


def _url_encode(call: Call) -> str:
    if call.hash.get("decode") is True:
        return unquote_plus(call.text())
    # Java's URLEncoder: `*` stays, `~` is encoded
    return quote_plus(call.text(), safe="*").replace("~", "%7E")


def _even(call: Call, remainder: int, word: str) -> Any:
    try:
        number = int(to_text(call.arg(0)))
    except ValueError:
        return None
    return to_text(call.arg(1, word)) if number % 2 == remainder else None


TEXT_HELPERS = {
    "capitalize": _capitalize,
    "capitalizeFirst": lambda c: c.text()[:1].upper() + c.text()[1:],
    "center": lambda c: _pad(c, "center"),
    "ljust": lambda c: _pad(c, "left"),
    "rjust": lambda c: _pad(c, "right"),
    "cut": lambda c: c.text().replace(to_text(c.arg(1, " ")), ""),
    "defaultIfEmpty": lambda c: c.arg(0) if truthy(c.arg(0)) else c.arg(1, ""),
    "join": _join,
    "arrayJoin": _array_join,
    "lower": lambda c: c.text().lower(),
    "upper": lambda c: c.text().upper(),
    "slugify": lambda c: re.sub(r"\s+", "-", re.sub(r"[^\w\s-]|_", "", c.text()).strip().lower()),
    "stringFormat": _string_format,
    "stripTags": lambda c: re.sub(r"<[^>]*>", "", c.text()),
    "abbreviate": _abbreviate,
    "wordWrap": lambda c: "\n".join(textwrap.wrap(c.text(), int(c.arg(1, 80)))),
    "replace": lambda c: c.text().replace(to_text(c.arg(1)), to_text(c.arg(2))),
    "substring": _substring,
    "yesno": _yesno,
    "numberFormat": _number_format,
    "trim": lambda c: c.text().strip(),
    "urlEncode": _url_encode,
    "base64": _base64,
    "regexExtract": _regex_extract,
    "formData": _form_data,
    "isEven": lambda c: _even(c, 0, "even"),
    "isOdd": lambda c: _even(c, 1, "odd"),
    "stripes": lambda c: "even" if int(to_text(c.arg(0)) or 0) % 2 == 0 else "odd",
}
