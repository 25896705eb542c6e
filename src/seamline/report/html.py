"""The HTML page: one self-contained file, rendered with Jinja2 from the report's data.

The page is the list of tests with the run's summary; each test's details sit
in the page as JSON and are drawn by the page's own script when the test is
opened, so a run of thousands of tests opens quickly. Everything from the
records is escaped: text by Jinja's autoescaping, JSON for `<script>` blocks
with `<`, `>` and `&` as `\\u` escapes, and the script builds the details with
DOM text nodes only, never by parsing HTML.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

FAILED = ("failed", "error", "unfinished", "xpassed")

_SCRIPT_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def json_for_script(value: Any) -> Markup:
    """JSON that can sit inside `<script type="application/json">` whatever its strings hold."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.translate(_SCRIPT_ESCAPES))  # escaped for a script element above


def render_html(model: dict[str, Any]) -> str:
    environment = _environment()
    static = files("seamline.report") / "static"
    tests = model["tests"]
    return environment.get_template("index.html.j2").render(
        model=model,
        summary=model["summary"],
        failures=[(i, t) for i, t in enumerate(tests) if t["outcome"] in FAILED],
        filter_services=sorted({name for t in tests for name in t["services"]}),
        css=Markup((static / "report.css").read_text(encoding="utf-8")),
        js=Markup((static / "report.js").read_text(encoding="utf-8")),
    )


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("seamline.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["json_script"] = json_for_script
    environment.filters["seconds"] = format_seconds
    environment.filters["ms"] = lambda value: format_seconds(float(value) / 1000)
    environment.filters["clock"] = lambda at: str(at).replace("T", " ")[:23] + " UTC"
    environment.filters["first_line"] = first_line
    environment.filters["counted"] = counted
    return environment


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """`1 exchange`, `2 exchanges`, `2 db changes`."""
    return f"{number} {singular if number == 1 else plural or singular + 's'}"


def format_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    if seconds < 120:
        return f"{seconds:.2f} s"
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def first_line(text: str, limit: int = 200) -> str:
    line = next((part for part in str(text).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
