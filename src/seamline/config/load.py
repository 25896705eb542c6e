"""Load `seamline.toml` (or `[tool.seamline]` in pyproject.toml) into a checked `SystemConfig`."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from seamline.config import explain, keys
from seamline.config.graph import Edge, find_cycle, start_waves
from seamline.config.locate import KeyLocator
from seamline.config.model import (
    BROKER_PROTOCOLS,
    BROKER_SEAM_ATTRIBUTES,
    HTTP_KINDS,
    ExternalSpec,
    ServiceSpec,
    SystemSpec,
)
from seamline.config.prepare import UNKNOWN_KIND, in_profile, prepare
from seamline.config.template_checks import check_template, service_templates
from seamline.errors import ConfigError, ConfigProblem

CONFIG_NAMES = ("seamline.toml", "pyproject.toml")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
RESERVED_NAMES = frozenset({"self", "test", "browser", "run_dir"})


@dataclass(frozen=True)
class Link:
    """A service reaching another one's URL through its environment: a seam."""

    consumer: str
    provider: str
    variable: str
    # a link to a broker: a message seam, not an HTTP one
    message: bool = False


@dataclass(frozen=True)
class SystemConfig:
    """A validated system declaration, with paths resolved against `base_dir`."""

    spec: SystemSpec
    path: Path
    base_dir: Path
    profile: str | None = None
    edges: tuple[Edge, ...] = ()
    links: tuple[Link, ...] = ()
    waves: tuple[tuple[str, ...], ...] = field(default=())
    message_links: tuple[Link, ...] = ()

    @property
    def name(self) -> str:
        """The system's name (`name = ...` in the config, else "system")."""
        return self.spec.name

    def needs(self, service: str) -> list[str]:
        """The services `service` needs started first (`depends_on` and the ones its templates
        reach)."""
        return sorted({e.provider for e in self.edges if e.consumer == service})

    def ready_needs(self, service: str, seamed: Container[str]) -> list[str]:
        """The services `service` waits for to be ready before it starts: all it `needs`
        but those it reaches only by `{provider.url}` into a provider in `seamed`, whose seam
        holds its requests until the provider is ready."""
        return sorted(
            {
                e.provider
                for e in self.edges
                if e.consumer == service and not (e.via_url and e.provider in seamed)
            }
        )

    def resolve(self, path: Path | str) -> Path:
        """`path` relative to the config file's directory, resolved."""
        return (self.base_dir / path).resolve()


def chosen_profile(given: str | None) -> str | None:
    """The profile to apply: the one given (an option), else `$SEAMLINE_PROFILE`, else none.

    The one rule for the CLI's `--profile` and the plugin's `--seamline-profile` / ini key."""
    return given or os.environ.get("SEAMLINE_PROFILE") or None


def find_config(start: Path | str) -> Path:
    """The config file at `start` (a file or a directory holding one)."""
    start = Path(start)
    if start.is_file():
        return start.resolve()
    found = config_in(start)
    if found is not None:
        return found
    raise ConfigError(
        [
            ConfigProblem(
                key="config",
                expected="seamline.toml or a pyproject.toml with [tool.seamline]",
                found=f"neither in {start.resolve()}",
                fix="create seamline.toml (see the README's example) or pass --config PATH",
            )
        ]
    )


def config_in(directory: Path) -> Path | None:
    """The config file in `directory`: its seamline.toml, else its pyproject.toml if that has
    a [tool.seamline] table; None when it has neither."""
    for name in CONFIG_NAMES:
        candidate = directory / name
        if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
            return candidate.resolve()
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "seamline" in tomllib.loads(path.read_text()).get("tool", {})
    except (tomllib.TOMLDecodeError, OSError):
        return False


def load_config(path: Path | str, profile: str | None = None) -> SystemConfig:
    """The system declared by the `seamline.toml` at `path` (a file, or a directory holding one or a
    `pyproject.toml` with `[tool.seamline]`), with `profile` applied. A `ConfigError` lists every
    problem, each with its file:line, what was expected and found, and the fix."""
    file = find_config(path)
    source = file.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as err:
        line = re.search(r"line (\d+)", str(err))
        raise ConfigError(
            [
                ConfigProblem(
                    "(syntax)",
                    "valid TOML",
                    str(err),
                    "fix the TOML syntax at that line",
                    file,
                    int(line.group(1)) if line else None,
                )
            ]
        ) from None
    prefix: tuple[str, ...] = ()
    if file.name == "pyproject.toml":
        data, prefix = data.get("tool", {}).get("seamline", {}), ("tool", "seamline")
    locator = KeyLocator(source, prefix)
    merged, problems = prepare(data, profile)
    spec, found = _validate(merged)
    problems += in_profile(found, data, profile) if profile else found
    data = merged
    base_dir = file.parent.resolve()
    declared = list(data.get("services") or {}) if isinstance(data.get("services"), dict) else []
    edges, links, found = _check_services(spec, declared, base_dir)
    problems += found
    cycle = find_cycle(list(spec.services), edges)
    if cycle:
        problems.append(_cycle_problem(cycle))
    if problems:
        raise ConfigError(explain.with_lines(problems, file, locator.line_of))
    needs = {
        name: sorted({e.provider for e in edges if e.consumer == name}) for name in spec.services
    }
    waves = tuple(tuple(w) for w in start_waves(needs))
    http_links = tuple(link for link in links if not link.message)
    message_links = tuple(link for link in links if link.message)
    return SystemConfig(
        spec, file, base_dir, profile, tuple(edges), http_links, waves, message_links
    )


_SERVICE = TypeAdapter[ServiceSpec](ServiceSpec)


def check_profiles(config: SystemConfig) -> None:
    """For `seamline check` without a profile: load the config with each profile laid over
    it, and raise one `ConfigError` with what each breaks (a run checks only its own)."""
    profiles = tomllib.loads(config.path.read_text(encoding="utf-8"))
    if config.path.name == "pyproject.toml":
        profiles = profiles.get("tool", {}).get("seamline", {})
    problems: list[ConfigProblem] = []
    for name in profiles.get("profiles", {}) if config.profile is None else ():
        try:
            load_config(config.path, name)
        except ConfigError as err:
            problems += err.problems
    if problems:
        raise ConfigError(problems)


def _validate(data: dict[str, Any]) -> tuple[SystemSpec, list[ConfigProblem]]:
    """Validate each service on its own, so that one broken service hides no other problem.

    The spec returned holds the services that are valid, for the checks that follow.
    """
    services = data.get("services", {})
    if not isinstance(services, dict):
        services = {}  # the top-level validation says what is wrong with it
    problems: list[ConfigProblem] = []
    valid: dict[str, Any] = {}
    for name, table in services.items():
        if isinstance(table, dict) and table.get("kind") == UNKNOWN_KIND:
            continue
        try:
            valid[name] = _SERVICE.validate_python(table)
        except ValidationError as err:
            problems += explain.explain(err, data, ("services", name))
    try:
        top = SystemSpec.model_validate({**data, "services": {}})
    except ValidationError as err:
        problems += explain.explain(err, data)
        top = SystemSpec()
    return top.model_copy(update={"services": valid}), problems


def _cycle_problem(cycle: list[Edge]) -> ConfigProblem:
    chain = " -> ".join([cycle[0].consumer, *(e.provider for e in cycle)])
    why = "; ".join(e.why for e in cycle)
    return ConfigProblem(
        f"services.{cycle[0].consumer}",
        "dependencies without a cycle",
        f"the cycle {chain} ({why})",
        "remove one of these dependencies, or use {name.direct_url} where a service "
        "only needs an address and not the other service started first",
    )


def _check_services(
    spec: SystemSpec, declared: list[str], base_dir: Path
) -> tuple[list[Edge], list[Link], list[ConfigProblem]]:
    """Names, dependencies, templates and paths of the valid services in `spec`.

    `declared` holds every service of the file, valid or not: a reference to a service whose
    own table is broken is not reported a second time.
    """
    edges: list[Edge] = []
    links: list[Link] = []
    problems = [
        _bad_name(name) for name in declared if not _NAME.match(name) or name in RESERVED_NAMES
    ]
    for name, service in spec.services.items():
        where = f"services.{name}"
        for dep in service.depends_on:
            if dep not in declared:
                problems.append(_unknown_service(f"{where}.depends_on", dep, declared))
            elif dep != name and dep in spec.services:
                edges.append(Edge(name, dep, f"{name}.depends_on lists {dep}"))
        for key, template in service_templates(service):
            found, bad = check_template(spec, declared, name, f"{where}.{key}", template)
            problems.extend(bad)
            for ref in found:
                if ref.service in ("", "self", name) or ref.service not in spec.services:
                    continue
                # direct_url and browser_url are addresses only: nothing to start first
                provider_kind = spec.services[ref.service].kind
                http = provider_kind in HTTP_KINDS
                if ref.attr not in ("direct_url", "browser_url"):
                    why = f"{name}.{key} uses {ref}"
                    edges.append(Edge(name, ref.service, why, http and ref.attr == "url"))
                if provider_kind in BROKER_PROTOCOLS and ref.attr in BROKER_SEAM_ATTRIBUTES:
                    link = Link(name, ref.service, key.removeprefix("env."), message=True)
                    if link not in links:
                        links.append(link)
                if not http:
                    continue
                variable = f"{name}.{key}" if ref.attr == "browser_url" else key
                consumer = "browser" if ref.attr == "browser_url" else name
                if ref.attr in ("url", "browser_url"):
                    link = Link(consumer, ref.service, variable.removeprefix("env."))
                    if link not in links:
                        links.append(link)
        problems.extend(_check_paths(service, where, base_dir))
        if isinstance(service, ExternalSpec):
            problems.extend(_check_external(service, where))
    return edges, links, problems


def _bad_name(name: str) -> ConfigProblem:
    return ConfigProblem(
        f"services.{name}",
        "a service name of letters, digits, _ and - (not self, test, browser, run_dir)",
        repr(name),
        "rename the service",
    )


def _unknown_service(key: str, name: str, declared: list[str]) -> ConfigProblem:
    near = keys.suggest(name, declared)
    fix = f"did you mean '{near}'?" if near else "declared services: " + ", ".join(declared)
    return ConfigProblem(key, "the name of a declared service", repr(name), fix)


LOOPBACK_HOSTS = frozenset({"localhost", "ip6-localhost", "::1"})


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_external(service: ExternalSpec, where: str) -> list[ConfigProblem]:
    parts = urlsplit(service.url)
    if not parts.scheme or not parts.hostname:
        return [
            ConfigProblem(
                f"{where}.url",
                "an absolute URL such as http://127.0.0.1:8080",
                repr(service.url),
                "write the scheme and host",
            )
        ]
    if service.allow_remote or is_loopback(parts.hostname):
        return []
    return [
        ConfigProblem(
            f"{where}.url",
            "a loopback host (127.0.0.1, localhost, ::1)",
            f"the remote host {parts.hostname!r}",
            "tests run against a separate test environment, never production by accident; if this "
            "host really is a test system, set allow_remote = true on this service",
        )
    ]


def _check_paths(service: Any, where: str, base_dir: Path) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for key in ("workdir", "openapi", "asyncapi", "stubs", "mappings", "schema_", "seed"):
        value = getattr(service, key, None)
        if value is None or (key == "seed" and _is_callable_ref(value)):
            continue
        path = base_dir / value
        if not path.exists():
            shown = key.rstrip("_")
            problems.append(
                ConfigProblem(
                    f"{where}.{shown}",
                    f"an existing path (relative to {base_dir})",
                    f"{str(value)!r}, which does not exist",
                    f"create {path} or correct the path",
                )
            )
    return problems


def _is_callable_ref(value: Path | str) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[\w.]+:[\w.]+", value) is not None
