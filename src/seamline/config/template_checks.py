"""Check a service's `{service.attr}` templates against the services a config declares."""

from __future__ import annotations

from typing import Any

from seamline.config import keys
from seamline.config.model import ATTRIBUTES, HTTPS_ATTRIBUTES, ServiceSpec, SystemSpec
from seamline.config.templates import Ref, TemplateSyntaxError, refs
from seamline.errors import ConfigProblem


def service_templates(service: Any) -> list[tuple[str, str]]:
    """(key, template) of every string of `service` that may hold templates."""
    found = [(f"env.{k}", v) for k, v in service.env.items()]
    if service.ready is not None and service.ready.command:
        found.extend(("ready", part) for part in service.ready.command)
    command = getattr(service, "command", None)
    if isinstance(command, str):
        found.append(("command", command))
    elif isinstance(command, list):
        found.extend(("command", part) for part in command)
    return found


def check_template(
    spec: SystemSpec, declared: list[str], owner: str, key: str, template: str
) -> tuple[list[Ref], list[ConfigProblem]]:
    """The references in `template` (at `key` of service `owner`) and what is wrong with them."""
    try:
        found = refs(template)
    except TemplateSyntaxError as err:
        return [], [ConfigProblem(key, "a valid template", repr(template), str(err))]
    problems = [
        problem
        for ref in found
        if ref.service and (problem := _ref_problem(spec, declared, owner, key, ref)) is not None
    ]
    return found, problems


def _ref_problem(
    spec: SystemSpec, declared: list[str], owner: str, key: str, ref: Ref
) -> ConfigProblem | None:
    """What is wrong with `ref`, a service's reference in the template at `key` of `owner`."""
    target = owner if ref.service == "self" else ref.service
    if target not in declared:
        near = keys.suggest(ref.service, [*declared, "self"])
        fix = (
            f"did you mean {{{near}.{ref.attr}}}?"
            if near
            else "declared services: " + ", ".join(declared)
        )
        return ConfigProblem(
            key, "a reference to a declared service", f"{ref} (no service '{ref.service}')", fix
        )
    if target not in spec.services:
        return None  # its own table is broken, and said so
    return _attribute_problem(spec.services[target], target, key, ref)


def _attribute_problem(
    service: ServiceSpec, target: str, key: str, ref: Ref
) -> ConfigProblem | None:
    """What is wrong with `ref`'s attribute of `service` (named `target`): one its kind lacks,
    or one its settings turn off."""
    attrs = ATTRIBUTES[service.kind]
    if ref.attr not in attrs:
        near = keys.suggest(ref.attr, attrs)
        fix = f"did you mean {{{ref.service}.{near}}}?" if near else ""
        return ConfigProblem(
            key,
            f"an attribute of a {service.kind} service ({', '.join(sorted(attrs))})",
            str(ref),
            fix or f"use one of the attributes of '{target}'",
        )
    if ref.attr in HTTPS_ATTRIBUTES and not getattr(service, "https", True):
        return ConfigProblem(
            key,
            f"'{target}' serving HTTPS",
            f"{ref}, but services.{target} has no https = true",
            f"add https = true to services.{target}",
        )
    if ref.attr == "management_url" and not getattr(service, "management", True):
        return ConfigProblem(
            key,
            f"'{target}' running the management plugin",
            f"{ref}, but services.{target} has management = false",
            f"remove management = false from services.{target}",
        )
    return None
