"""Every helper a response template can call, by name: WireMock 3.13's own helpers,
Handlebars.java's string, number and conditional helpers, and `assign`.

Each family lives in its own module; this one gathers them into `HELPERS`, the table
the template parser checks names against, and holds the random-value helpers.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import string
import uuid
from collections.abc import Callable
from typing import Any

from seamline.mock.template_dates import DATE_HELPERS
from seamline.mock.template_json import JSON_HELPERS
from seamline.mock.template_logic import LOGIC_HELPERS
from seamline.mock.template_model import Call, handle_error, truthy
from seamline.mock.template_text import TEXT_HELPERS
from seamline.mock.template_xml import XML_HELPERS

Helper = Callable[[Call], Any]

_ALPHABETS = {
    "ALPHANUMERIC": string.ascii_letters + string.digits,
    "ALPHABETIC": string.ascii_letters,
    "NUMERIC": string.digits,
    "HEXADECIMAL": "0123456789abcdef",
    "ALPHANUMERIC_AND_SYMBOLS": "".join(map(chr, range(33, 127))),
}
_ASCII = "".join(map(chr, range(32, 127)))  # any other type, as WireMock's randomAscii


def _random_value(call: Call) -> str:
    """Lower case unless `uppercase=true`, whatever the type: WireMock folds the case."""
    kind = str(call.hash.get("type", "ALPHANUMERIC"))
    if kind == "UUID":
        value = str(uuid.uuid4())
    else:
        alphabet = _ALPHABETS.get(kind, _ASCII)
        length = int(call.hash.get("length", 36))
        value = "".join(secrets.choice(alphabet) for _ in range(length))
    return value.upper() if truthy(call.hash.get("uppercase", False)) else value.lower()


def _system_value(call: Call) -> Any:
    """Environment variables, limited as WireMock limits them by default to `wiremock.*`."""
    key = str(call.hash.get("key", ""))
    default = call.hash.get("default")
    if not key:
        return handle_error("The key cannot be empty")
    if not re.fullmatch(r"wiremock\..*", key, re.IGNORECASE):
        return handle_error(f"Access to {key} is denied")
    if str(call.hash.get("type", "ENVIRONMENT")) == "ENVIRONMENT":
        return os.environ.get(key, default)
    return default  # PROPERTY: a JVM system property; a Python process has none


HELPERS: dict[str, Helper] = {
    **TEXT_HELPERS,
    **LOGIC_HELPERS,
    **JSON_HELPERS,
    **DATE_HELPERS,
    **XML_HELPERS,
    "randomValue": _random_value,
    "uuid": lambda call: str(uuid.uuid4()),
    "hostname": lambda call: socket.gethostname(),
    "systemValue": _system_value,
}
