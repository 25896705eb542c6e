"""Before validation: lay the chosen profile over the base config, infer each service's kind."""

from __future__ import annotations

import copy
from typing import Any

from seamline.config import explain, keys
from seamline.errors import ConfigProblem

# Marks a service table with neither kind nor command, said once and not validated further.
UNKNOWN_KIND = "(unknown)"


def prepare(
    data: dict[str, Any], profile: str | None
) -> tuple[dict[str, Any], list[ConfigProblem]]:
    """Apply the profile and infer `kind = "process"` where a command is given.

    A service with neither a kind nor a command cannot be validated: it is left out of the
    validation (its problem said here), and stays declared for the references to it.
    """
    data = copy.deepcopy(data)
    problems = keys.unknown_in_profiles(data)
    if profile:
        profiles = data.get("profiles", {})
        if profile not in profiles:
            near = keys.suggest(profile, profiles)
            known = ", ".join(sorted(profiles)) or "none declared"
            problems.append(
                ConfigProblem(
                    "profiles",
                    f"a declared profile (known: {known})",
                    repr(profile),
                    f"did you mean '{near}'?" if near else f"add a [profiles.{profile}] table",
                )
            )
        else:
            said = [p.key for p in problems if p.key.startswith(f"profiles.{profile}.")]
            data = _merge(data, _without(profiles[profile], said, len(f"profiles.{profile}.")))
    services = data.get("services", {})
    if isinstance(services, dict):
        for name, table in services.items():
            if isinstance(table, dict) and "kind" not in table:
                if "command" in table:
                    table["kind"] = "process"
                else:
                    problems.append(_infer_kind(name, table))
    return data, problems


def _infer_kind(name: str, table: dict[str, Any]) -> ConfigProblem:
    """The problem of a service table without kind or command; fixes a near miss in place."""
    for key in list(table):
        near = keys.suggest(key, ["kind", "command"])
        if near:
            table[near] = table.pop(key)  # validate the rest as if it were fixed
            table.setdefault("kind", "process")
            allowed = keys.allowed_keys(keys.KIND_MODELS["process"])
            return keys.unknown_key(("services", name, key), allowed)
    table["kind"] = UNKNOWN_KIND
    return ConfigProblem(
        f"services.{name}",
        "a 'kind' (or a 'command' for a process)",
        "neither",
        "add " + explain.EXAMPLES["kind"],
    )


def _without(table: dict[str, Any], dotted: list[str], strip: int) -> dict[str, Any]:
    """`table` without the keys at the `dotted` paths (after their first `strip` characters)."""
    table = copy.deepcopy(table)
    for path in dotted:
        *parents, last = path[strip:].split(".")
        inner: Any = table
        for part in parents:
            inner = inner.get(part, {}) if isinstance(inner, dict) else {}
        if isinstance(inner, dict):
            inner.pop(last, None)
    return table


def _merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged
