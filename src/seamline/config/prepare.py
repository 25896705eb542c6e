"""Before validation: lay the chosen profile over the base config, infer each service's kind."""

from __future__ import annotations

import copy
import dataclasses
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


def in_profile(
    problems: list[ConfigProblem], data: dict[str, Any], profile: str
) -> list[ConfigProblem]:
    """`problems` found with `profile` laid over the base config, each that comes from the
    profile's own table keyed as `profiles.<profile>.<key>`: its line is the profile's, where
    the fix goes, not the base table's (or none, for a service only the profile declares)."""
    overlay = data.get("profiles", {}).get(profile)
    if not isinstance(overlay, dict):
        return problems
    return [
        dataclasses.replace(p, key=f"profiles.{profile}.{p.key}")
        if _set_by(overlay, data, p.key.split("."))
        else p
        for p in problems
    ]


def _set_by(overlay: Any, base: Any, parts: list[str]) -> bool:
    """Whether the value at `parts` (or the table holding it) is the overlay's, not base's."""
    for part in parts:
        if not isinstance(overlay, dict) or part not in overlay:
            return base is None  # a table only the overlay has: a missing key is its too
        overlay = overlay[part]
        base = base.get(part) if isinstance(base, dict) else None
        if not isinstance(overlay, dict):
            return True  # a value the overlay sets
    return True
