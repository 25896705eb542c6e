"""Which keys each table of `seamline.toml` allows, derived from the config model.

pydantic forbids unknown keys, but says neither what was meant nor what is allowed; and a
profile's tables are partial (laid over the base config), so pydantic cannot check them at all.
Both use this walk over the model: the model of any table, and the unknown keys of a partial one.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from seamline.config import model as m
from seamline.errors import ConfigProblem

KIND_MODELS: dict[str, type[BaseModel]] = {
    kind: info.spec for kind, info in m.SERVICE_KINDS.items()
}


def suggest(word: str, choices: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def service_model(table: Any) -> type[BaseModel] | None:
    """The model of a service table: by its `kind`, or a process when it has a `command`."""
    if not isinstance(table, dict):
        return None
    kind = table.get("kind", "process" if "command" in table else None)
    return KIND_MODELS.get(kind) if isinstance(kind, str) else None


def model_at(data: dict[str, Any], loc: tuple[str, ...]) -> type[BaseModel] | None:
    """The model of the table at `loc` in the raw config `data` (None: a free-form table)."""
    model: type[BaseModel] | None = m.SystemSpec
    table: Any = data
    rest = list(loc)
    while rest and model is not None:
        key = rest.pop(0)
        table = table.get(key) if isinstance(table, dict) else None
        if model is m.SystemSpec and key == "services":
            if not rest:
                return None
            table = table.get(rest.pop(0)) if isinstance(table, dict) else None
            model = service_model(table)
        else:
            model = _nested_model(model, key)
    return model


def _nested_model(model: type[BaseModel], key: str) -> type[BaseModel] | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            nested = field.annotation
            return nested if isinstance(nested, type) and issubclass(nested, BaseModel) else None
    return None


def unknown_key(loc: tuple[str, ...], allowed: list[str]) -> ConfigProblem:
    """The problem of the key at the end of `loc`, which its table does not allow."""
    near = suggest(loc[-1], allowed)
    fix = f"did you mean '{near}'?" if near else "remove it"
    if allowed:
        fix += " (allowed here: " + ", ".join(sorted(allowed)) + ")"
    return ConfigProblem(".".join(loc), "a known key", f"unknown key '{loc[-1]}'", fix)


def unknown_in_profiles(data: dict[str, Any]) -> list[ConfigProblem]:
    """Unknown keys in every profile, chosen or not: a typo there is caught before it is used."""
    profiles = data.get("profiles")
    if not isinstance(profiles, dict):
        return []
    services = data.get("services")
    base = services if isinstance(services, dict) else {}
    problems: list[ConfigProblem] = []
    for name, overlay in profiles.items():
        if isinstance(overlay, dict):
            problems += _unknown_in(overlay, m.SystemSpec, ("profiles", name), base)
    return problems


def _unknown_in(
    table: dict[str, Any], model: type[BaseModel], loc: tuple[str, ...], base: dict[str, Any]
) -> list[ConfigProblem]:
    allowed = allowed_keys(model)
    problems: list[ConfigProblem] = []
    for key, value in table.items():
        if key not in allowed:
            problems.append(unknown_key((*loc, key), allowed))
        elif model is m.SystemSpec and key == "services" and isinstance(value, dict):
            for service, overlay in value.items():
                # a profile's service table is laid over the base one, which may give its kind
                below = base.get(service)
                merged = {**(below if isinstance(below, dict) else {}), **overlay}
                kind_model = service_model(merged) if isinstance(overlay, dict) else None
                if kind_model is not None and isinstance(overlay, dict):
                    problems += _unknown_in(overlay, kind_model, (*loc, key, service), base)
        else:
            nested = _nested_model(model, key)
            if nested is not None and isinstance(value, dict):
                problems += _unknown_in(value, nested, (*loc, key), base)
    return problems
