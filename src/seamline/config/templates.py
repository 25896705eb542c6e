"""`{service.attr}` templates in commands and environment variables.

A template names another service's attribute (`{db.url}`, `{payments.port}`),
the service's own (`{self.port}`), or the run (`{run_dir}`). `{{` and `}}`
are literal braces. References are checked at load time so a typo is a config
error, not a service that starts with a broken URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_REF = re.compile(r"^(?P<service>[A-Za-z_][A-Za-z0-9_\-]*)\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)$")

RUN_FIELDS = frozenset({"run_dir"})


@dataclass(frozen=True)
class Ref:
    """One `{service.attr}` (or `{run_dir}`) inside a template string."""

    service: str  # "" for run-level fields
    attr: str

    def __str__(self) -> str:
        return "{" + (f"{self.service}.{self.attr}" if self.service else self.attr) + "}"


class TemplateSyntaxError(ValueError):
    pass


def refs(template: str) -> list[Ref]:
    """Every reference in `template`, in order; raises on malformed fields."""
    found: list[Ref] = []
    for match in _FIELD.finditer(template):
        inner = match.group(1)
        if inner is None:
            continue
        inner = inner.strip()
        if inner in RUN_FIELDS:
            found.append(Ref("", inner))
            continue
        ref = _REF.match(inner)
        if not ref:
            raise TemplateSyntaxError(
                f"'{{{inner}}}' is not a reference: write {{service.attribute}} such as "
                "{db.url} or {self.port}, or {run_dir}; write {{ and }} for literal braces"
            )
        found.append(Ref(ref.group("service"), ref.group("attr")))
    stray = _FIELD.sub("", template)
    if "{" in stray or "}" in stray:
        raise TemplateSyntaxError("unbalanced brace: write {{ or }} for a literal brace")
    return found


def render(
    template: str, owner: str, values: Mapping[str, Mapping[str, str]], run: Mapping[str, str]
) -> str:
    """Substitute every reference; `self` means `owner`. Unknown names raise KeyError."""

    def substitute(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole == "{{":
            return "{"
        if whole == "}}":
            return "}"
        inner = (match.group(1) or "").strip()
        if inner in RUN_FIELDS:
            return run[inner]
        service, _, attr = inner.partition(".")
        return values[owner if service == "self" else service][attr]

    return _FIELD.sub(substitute, template)


# In a command's arguments (`seamline run PATH -- COMMAND`) only `{service.attr}` and
# `{run_dir}` are templates: the command's own braces (JSON, `${VAR}`, f-strings) stay as
# they are, so `python -c '...'` and `sh -c '...'` need no escaping.
_ARGUMENT_FIELD = re.compile(
    r"\{\s*(?:(?P<service>[A-Za-z_][A-Za-z0-9_\-]*)\.(?P<attr>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<run>" + "|".join(sorted(RUN_FIELDS)) + r"))\s*\}"
)


def argument_refs(argument: str) -> list[Ref]:
    """The `{service.attr}` and `{run_dir}` references in a command's argument."""
    return [
        Ref("", match["run"]) if match["run"] else Ref(match["service"], match["attr"])
        for match in _ARGUMENT_FIELD.finditer(argument)
    ]


def render_argument(
    argument: str, owner: str, values: Mapping[str, Mapping[str, str]], run: Mapping[str, str]
) -> str:
    """Substitute the references of `argument_refs`; every other brace is left alone."""

    def substitute(match: re.Match[str]) -> str:
        if match["run"]:
            return run[match["run"]]
        service = owner if match["service"] == "self" else match["service"]
        return values[service][match["attr"]]

    return _ARGUMENT_FIELD.sub(substitute, argument)
