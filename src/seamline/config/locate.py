"""Find the line of a key in TOML source text.

`tomllib` gives values without positions, so config errors find their line
here: a small scan over table headers and `key = value` lines that is good
enough to point a person at the right spot (inline-table members resolve to the
line of the table they sit in).
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*\[\[?\s*(?P<path>[^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(r"^\s*(?P<key>[A-Za-z0-9_\-\.\"' ]+?)\s*=")
_INLINE_KEY = re.compile(r"(?:^|[{,])\s*(?P<key>[A-Za-z0-9_\-]+|\"[^\"]*\"|'[^']*')\s*=")

Path_ = tuple[str, ...]


def _split_dotted(text: str) -> Path_:
    parts: list[str] = []
    for match in re.finditer(r"\"([^\"]*)\"|'([^']*)'|([^.\s]+)", text):
        parts.append(next(g for g in match.groups() if g is not None))
    return tuple(parts)


class KeyLocator:
    """Maps key paths such as ("services", "api", "ready") to 1-based lines."""

    def __init__(self, source: str, prefix: Path_ = ()) -> None:
        self._lines: dict[Path_, int] = {}
        self._prefix = prefix
        table: Path_ = ()
        for number, raw in enumerate(source.splitlines(), start=1):
            header = _HEADER.match(raw)
            if header:
                table = _split_dotted(header.group("path"))
                self._lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(raw)
            if not assign:
                continue
            path = table + _split_dotted(assign.group("key"))
            self._lines.setdefault(path, number)
            rest = raw[assign.end() :]
            if rest.lstrip().startswith("{"):
                for inner in _INLINE_KEY.finditer(rest):
                    self._lines.setdefault(path + _split_dotted(inner.group("key")), number)

    def line_of(self, path: Path_) -> int | None:
        """The line of `path` or of its nearest located parent."""
        full = self._prefix + tuple(str(p) for p in path)
        while full:
            if full in self._lines:
                return self._lines[full]
            full = full[:-1]
        return None
