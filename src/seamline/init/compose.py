"""Read a docker-compose file as compose itself would: interpolation, `extends`, env files.

The result is one `ComposeService` per service, with `environment` as a dict whatever form
the file used, plus a list of problems (unknown keys, missing env files), each naming its
service, so that one broken service never stops the others from being converted.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seamline.errors import ConfigError, ConfigProblem

# The service keys of the compose specification (https://docs.docker.com/reference/compose-file/
# services/); any other key is most likely a typo, and is named as one.
_SERVICE_KEY_TEXT = """annotations attach blkio_config build cap_add cap_drop cgroup cgroup_parent
    command
    configs container_name cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period
    cpu_rt_runtime cpu_shares cpus cpuset credential_spec depends_on deploy develop
    device_cgroup_rules devices dns dns_opt dns_search domainname entrypoint env_file
    environment expose extends external_links extra_hosts gpus group_add healthcheck hostname
    image init ipc isolation labels links logging mac_address mem_limit mem_reservation
    mem_swappiness memswap_limit network_mode networks oom_kill_disable oom_score_adj pid
    pids_limit platform ports post_start pre_stop privileged profiles pull_policy read_only
    restart runtime scale secrets security_opt shm_size stdin_open stop_grace_period
    stop_signal storage_opt sysctls tmpfs tty ulimits user userns_mode uts volumes
    volumes_from working_dir"""
SERVICE_KEYS = frozenset(_SERVICE_KEY_TEXT.split())
TOP_KEYS = frozenset({"version", "name", "services", "networks", "volumes", "configs", "secrets"})
# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, $VAR, $$
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass
class ComposeService:
    """One service as compose would run it, after `extends` and interpolation."""

    name: str
    data: dict[str, Any]
    line: int | None
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class ComposeFile:
    path: Path
    services: list[ComposeService]
    problems: list[ConfigProblem]


class _LineLoader(yaml.SafeLoader):
    """Keeps the line of every mapping, so a problem can point at its service."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = {
        str(k): v for k, v in loader.construct_mapping(node, deep=True).items()
    }
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def read_yaml(path: Path) -> dict[str, Any]:
    """The file's top mapping, or a ConfigError that names the file, line and column."""
    try:
        text = path.read_text()
    except OSError as err:
        raise _error(
            path, None, "compose file", "a readable docker-compose file", str(err), ""
        ) from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        line = mark.line + 1 if mark else None
        where = f"line {line}, column {mark.column + 1}" if mark else "the file"
        found = f"{err.problem} at {where}"
        raise _error(
            path, line, "compose file", "valid YAML", found, "fix the YAML there"
        ) from None
    except yaml.YAMLError as err:
        raise _error(path, None, "compose file", "valid YAML", str(err), "fix the YAML") from None
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise _error(
            path,
            None,
            "services",
            "a mapping of services at the top (services: {web: {...}})",
            type(data.get("services") if isinstance(data, dict) else data).__name__,
            "is this a docker-compose file?",
        )
    return data


def _error(
    path: Path, line: int | None, key: str, expected: str, found: str, fix: str
) -> ConfigError:
    return ConfigError(
        [ConfigProblem(key, expected, found, fix, path, line)], what="docker-compose file"
    )


def load_compose(path: Path, environ: dict[str, str] | None = None) -> ComposeFile:
    """Read `path`; raise ConfigError only when the file as a whole cannot be read."""
    data = read_yaml(path)
    variables = {**_dotenv(path.parent / ".env"), **(os.environ if environ is None else environ)}
    problems: list[ConfigProblem] = []
    for key in data:
        if key not in TOP_KEYS and key != "__line__" and not str(key).startswith("x-"):
            problems.append(_unknown(path, data.get("__line__"), str(key), TOP_KEYS, "top level"))
    services = []
    for name, raw in data["services"].items():
        if name == "__line__":
            continue
        if not isinstance(raw, dict):
            problems.append(
                ConfigProblem(
                    f"services.{name}",
                    "a mapping of service keys",
                    repr(raw),
                    "",
                    path,
                    data["services"].get("__line__"),
                )
            )
            continue
        merged = _extended(path, name, raw, data["services"], problems, depth=0)
        missing: list[str] = []
        service = ComposeService(
            name, _interpolated(merged, variables, missing), raw.get("__line__")
        )
        problems += [_required(path, service, text) for text in missing]
        problems += _check_keys(path, service)
        service.environment = _environment(path, service, problems)
        services.append(service)
    return ComposeFile(path, services, problems)


def _unknown(
    path: Path, line: Any, key: str, known: frozenset[str], where: str, prefix: str = ""
) -> ConfigProblem:
    near = difflib.get_close_matches(key, known, n=1)
    fix = f"did you mean '{near[0]}'?" if near else "remove it (it is not a compose key)"
    return ConfigProblem(
        prefix + key, f"a compose key at the {where}", "an unknown key", fix, path, line
    )


def _check_keys(path: Path, service: ComposeService) -> list[ConfigProblem]:
    return [
        _unknown(path, service.line, key, SERVICE_KEYS, "service", f"services.{service.name}.")
        for key in service.data
        if key not in SERVICE_KEYS and key != "__line__" and not str(key).startswith("x-")
    ]


def _extended(
    path: Path,
    name: str,
    raw: dict[str, Any],
    siblings: dict[str, Any],
    problems: list[ConfigProblem],
    depth: int,
) -> dict[str, Any]:
    """`raw` merged over the service it `extends` (in this file or another), recursively."""
    extends = raw.get("extends")
    if extends is None or depth > 10:
        return dict(raw)
    if isinstance(extends, str):
        extends = {"service": extends}
    base_path, base_services = path, siblings
    if extends.get("file"):
        base_path = (path.parent / str(extends["file"])).resolve()
        try:
            base_services = read_yaml(base_path)["services"]
        except ConfigError as err:
            problems += [
                ConfigProblem(f"services.{name}.extends", *_parts(p), path, raw.get("__line__"))
                for p in err.problems
            ]
            return {k: v for k, v in raw.items() if k != "extends"}
    base = base_services.get(str(extends.get("service")))
    if not isinstance(base, dict):
        problems.append(
            ConfigProblem(
                f"services.{name}.extends",
                f"a service named {extends.get('service')!r} in {base_path.name}",
                "none",
                f"one of: {', '.join(k for k in base_services if k != '__line__')}",
                path,
                raw.get("__line__"),
            )
        )
        return {k: v for k, v in raw.items() if k != "extends"}
    parent = _extended(base_path, str(extends["service"]), base, base_services, problems, depth + 1)
    if base_path != path and isinstance(parent.get("build"), (str, dict)):
        parent["build"] = _rebased_build(parent["build"], base_path.parent, path.parent)
    return _merge(parent, {k: v for k, v in raw.items() if k != "extends"})


def _parts(problem: ConfigProblem) -> tuple[str, str, str]:
    return problem.expected, problem.found, problem.fix


def _rebased_build(build: Any, base_dir: Path, here: Path) -> Any:
    """A build context of a service from another file is relative to that file."""
    context = build if isinstance(build, str) else build.get("context", ".")
    rebased = os.path.relpath((base_dir / context).resolve(), here.resolve())
    return rebased if isinstance(build, str) else {**build, "context": rebased}


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Compose's merge: mappings merge key by key, environment in either form, the rest replace."""
    merged = dict(base)
    for key, value in override.items():
        if key == "environment":
            merged[key] = {**_as_mapping(base.get(key)), **_as_mapping(value)}
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged


def _as_mapping(environment: Any) -> dict[str, Any]:
    if isinstance(environment, dict):
        return {k: v for k, v in environment.items() if k != "__line__"}
    pairs = [str(item).partition("=") for item in environment or []]
    return {key: (value if sep else None) for key, sep, value in pairs}


def _required(path: Path, service: ComposeService, text: str) -> ConfigProblem:
    return ConfigProblem(
        f"services.{service.name}",
        f"the variable of {text} to be set",
        "it unset (in the environment and in .env)",
        "set it, or put it in the .env file beside the compose file; it is left empty",
        path,
        service.line,
    )


def _interpolated(value: Any, variables: dict[str, str], missing: list[str]) -> Any:
    """`value` with ${VAR} forms replaced; required variables that are unset go to `missing`."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: _substitute(m, variables, missing), value)
    if isinstance(value, dict):
        return {k: _interpolated(v, variables, missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolated(v, variables, missing) for v in value]
    return value


def _substitute(match: re.Match[str], variables: dict[str, str], missing: list[str]) -> str:
    if match.group("escaped"):
        return "$"
    name = match.group("braced") or match.group("bare")
    op, arg = match.group("op") or "", match.group("arg") or ""
    value = variables.get(name)
    is_set = value is not None and (value != "" or not op.startswith(":"))
    if op.endswith("-"):
        return value if is_set and value is not None else arg
    if op.endswith("+"):
        return arg if is_set else ""
    if op.endswith("?") and not is_set:
        missing.append(match.group(0))
    return value or ""


def _dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (compose's .env and env_file format); comments and blanks skipped."""
    values: dict[str, str] = {}
    for line in path.read_text().splitlines() if path.is_file() else []:
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key and not key.startswith("#"):
            values[key.strip()] = value.strip().strip("\"'")
    return values


def _environment(
    path: Path, service: ComposeService, problems: list[ConfigProblem]
) -> dict[str, str]:
    """env_file values, then `environment` over them, as compose applies them."""
    files = service.data.get("env_file") or []
    environment: dict[str, str] = {}
    for entry in [files] if isinstance(files, (str, dict)) else files:
        name = entry if isinstance(entry, str) else str(entry.get("path"))
        required = entry.get("required", True) if isinstance(entry, dict) else True
        env_path = path.parent / name
        if env_path.is_file():
            environment.update(_dotenv(env_path))
        elif required:
            problems.append(
                ConfigProblem(
                    f"services.{service.name}.env_file",
                    "an env file that exists",
                    f"{name} (no such file beside {path.name})",
                    "create it, or remove it from env_file; its variables are left out",
                    path,
                    service.line,
                )
            )
    for key, value in _as_mapping(service.data.get("environment")).items():
        environment[key] = "" if value is None else _scalar(value)
    return environment


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
