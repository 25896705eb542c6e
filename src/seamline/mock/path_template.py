"""A `urlPathTemplate` as WireMock 3.13 reads it (common/url/PathTemplate.java).

`{name}` takes one path segment, `**` any rest (even across slashes, named "0",
"1", ...). The characters `.`, `;` and `*` are dropped from a variable's name, so
`{.ext}` and `{ids*}` are the parameters `ext` and `ids`.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"\{(?P<variable>[^}]+)}|(?P<wildcard>\*\*)")


class PathTemplate:
    def __init__(self, template: str) -> None:
        self.template = template
        self.names: list[str] = []
        regex, last, wildcards = [], 0, 0
        for found in _SPECIAL.finditer(template):
            regex.append(re.escape(template[last : found.start()]))
            if found.group("variable") is not None:
                regex.append("([^/]+)")
                self.names.append(re.sub(r"[.;*]", "", found.group("variable")))
            else:
                regex.append("(.*?)")
                self.names.append(str(wildcards))
                wildcards += 1
            last = found.end()
        regex.append(re.escape(template[last:]))
        self._regex = re.compile("".join(regex), re.DOTALL)

    def matches(self, path: str) -> bool:
        return self._regex.fullmatch(path) is not None

    def parse(self, path: str) -> dict[str, str] | None:
        """Each parameter's raw (still percent-encoded) value; None when the path differs."""
        found = self._regex.fullmatch(path)
        if found is None:
            return None
        # A name given twice keeps its last value, as WireMock's PathParams (a map) does.
        return dict(zip(self.names, found.groups(), strict=True))
