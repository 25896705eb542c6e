"""`seamline init --from-compose`: one seamline service per compose service.

Images of known kinds become native kinds (`postgres`, `redis`, `rabbitmq`, `nats`, WireMock as
`mock`); services that are built or given a command become processes; environment values that
name another service by host become templates, so each of those links becomes a seam.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from seamline.errors import ConfigProblem
from seamline.init.compose import ComposeFile, ComposeService, load_compose
from seamline.init.draft import Draft, relative_to, render
from seamline.init.links import escape, linked_value
from seamline.init.process import process_fields

# image name (registry and tag stripped) -> seamline kind; None: no native kind yet
IMAGE_KINDS: dict[str, str | None] = {
    "postgres": "postgres",
    "postgis/postgis": "postgres",
    "redis": "redis",
    "rabbitmq": "rabbitmq",
    "nats": "nats",
    "wiremock/wiremock": "mock",
    "rodolpheche/wiremock": "mock",
    "mysql": None,
    "mariadb": None,
}
_POSTGRES_ENV = {"POSTGRES_DB": "database", "POSTGRES_USER": "user"}
_WIREMOCK_ROOT = "/home/wiremock"


@dataclass
class Conversion:
    """What `init --from-compose` produced: the file's text and what it could not convert."""

    text: str
    problems: list[ConfigProblem]
    todos: list[str]


def image_kind(image: str) -> tuple[str | None, bool]:
    """(kind, known): the seamline kind of a compose image, if seamline has one for it."""
    repository = image.split("@", maxsplit=1)[0].rsplit(":", 1)[0] if image else ""
    if ":" in repository.rsplit("/", 1)[-1]:
        repository = repository.rsplit(":", 1)[0]
    parts = repository.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]  # a registry host
    if parts[:1] == ["library"]:
        parts = parts[1:]
    name = "/".join(parts)
    for candidate in (name, parts[-1] if parts else ""):
        if candidate in IMAGE_KINDS:
            return IMAGE_KINDS[candidate], True
    return None, False


def convert_compose(path: Path, out_dir: Path, environ: dict[str, str] | None = None) -> Conversion:
    """The seamline.toml text for the compose file at `path`, written to live in `out_dir`."""
    compose = load_compose(path, environ)
    kinds = _kinds(compose)
    profiles = {service.name: _profile(service) for service in compose.services}
    drafts = [_draft(service, kinds, compose, out_dir) for service in compose.services]
    drafts += _profile_links(drafts, profiles)
    header = [
        f"Converted from {path.name} by `seamline init --from-compose`.",
        "Every `{name.url}` (or `.dsn`) below is a link: seamline hands the consumer a seam",
        "proxy's address in its place. Check it with: seamline check",
    ]
    name = str(compose_name(path))
    todos = [todo.line() for draft in drafts for todo in draft.todos]
    return Conversion(render(name, header, drafts), compose.problems, todos)


def compose_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", path.resolve().parent.name) or "system"


def _kinds(compose: ComposeFile) -> dict[str, str | None]:
    """Each service's kind: a known image's (None when seamline has none), else a process."""
    kinds: dict[str, str | None] = {}
    for service in compose.services:
        kind, known = image_kind(str(service.data.get("image", "")))
        kinds[service.name] = kind if known else "process"
    return kinds


def _draft(
    service: ComposeService, kinds: dict[str, str | None], compose: ComposeFile, out_dir: Path
) -> Draft:
    draft = Draft(service.name, profile=_profile(service))
    kind = kinds[service.name]
    image = str(service.data.get("image", ""))
    if kind is None:
        _no_native_kind(draft, image)
    elif kind == "process":
        process_fields(draft, service, compose, out_dir)
    else:
        draft.set("kind", kind, f"was image {image}")
        _native_settings(draft, kind, service, compose.path.parent, out_dir)
    _depends_on(draft, service, kinds)
    if kind is not None:
        _environment(draft, service, kinds, native=kind != "process")
    return draft


def _profile_links(drafts: list[Draft], profiles: dict[str, str | None]) -> list[Draft]:
    """A link to a service of a profile is made in that profile; the base keeps the value."""
    overlays: dict[tuple[str, str], Draft] = {}
    for draft in drafts:
        for index, (key, template, comment) in enumerate(draft.env):
            providers = {
                ref.split(".")[0] for ref in re.findall(r"(?<!\{)\{([\w-]+\.\w+)\}", template)
            }
            profile = next((profiles[p] for p in providers if profiles.get(p)), None)
            if profile is None or profile == draft.profile:
                continue
            original = comment.removeprefix("was ").split(" (")[0]
            draft.env[index] = (key, escape(original), f"{template} with --profile {profile}")
            overlay = overlays.setdefault((profile, draft.name), Draft(draft.name, profile=profile))
            overlay.env.append((key, template, comment))
    return list(overlays.values())


def _profile(service: ComposeService) -> str | None:
    """Compose starts a service with profiles only when asked: here, a seamline profile."""
    profiles = service.data.get("profiles") or []
    return str(profiles[0]) if profiles else None


def _no_native_kind(draft: Draft, image: str) -> None:
    draft.disabled = True
    draft.notes += [
        f"{draft.name}: compose runs {image}, and seamline has no native kind for it yet.",
        "Run it yourself and declare it as below, or move the app to postgres or sqlite.",
    ]
    draft.set("kind", "external")
    draft.set("url", "TODO")
    draft.todo(
        "url",
        f'the address of a running {image.split(":", maxsplit=1)[0]} server (kind = "external")',
    )


def _native_settings(
    draft: Draft, kind: str, service: ComposeService, compose_dir: Path, out_dir: Path
) -> None:
    env = service.environment
    if kind == "postgres":
        for variable, key in _POSTGRES_ENV.items():
            if env.get(variable):
                draft.set(key, env[variable], f"was {variable}")
        if "POSTGRES_PASSWORD" in env:
            draft.notes.append(
                "POSTGRES_PASSWORD is not needed: seamline's server trusts local connections"
            )
        schema = _mounted_sql(service)
        if schema:
            draft.set(
                "schema", relative_to(compose_dir / schema, out_dir), "was mounted in initdb.d"
            )
    elif kind == "mock":
        mappings = _mounted_mappings(service)
        if mappings:
            draft.set("mappings", relative_to(compose_dir / mappings, out_dir), "was mounted")


def _mounted(service: ComposeService) -> list[tuple[str, str]]:
    """(host path, container path) of each bind mount; named volumes are left out."""
    mounts = []
    for volume in service.data.get("volumes") or []:
        if isinstance(volume, dict):
            source, target = str(volume.get("source", "")), str(volume.get("target", ""))
        else:
            source, _, rest = str(volume).partition(":")
            target = rest.split(":")[0]
        if source.startswith((".", "/", "~")):
            mounts.append((source, target.rstrip("/")))
    return mounts


def _mounted_sql(service: ComposeService) -> str | None:
    for source, target in _mounted(service):
        if target.startswith("/docker-entrypoint-initdb.d") and source.endswith(".sql"):
            return source
    return None


def _mounted_mappings(service: ComposeService) -> str | None:
    for source, target in _mounted(service):
        if target in (_WIREMOCK_ROOT, f"{_WIREMOCK_ROOT}/mappings"):
            return source
    return None


def _depends_on(draft: Draft, service: ComposeService, kinds: dict[str, str | None]) -> None:
    depends = service.data.get("depends_on") or []
    names = [str(n) for n in depends if n != "__line__"]
    kept = [n for n in names if kinds.get(n) is not None]
    if kept:
        draft.set("depends_on", kept)
    for name in names:
        if name not in kept:
            draft.notes.append(f"depends on {name}, which is not converted (see its TODO)")


def _environment(
    draft: Draft, service: ComposeService, kinds: dict[str, str | None], native: bool
) -> None:
    """The service's variables, with links to other services as templates."""
    if native:
        return  # a native kind is configured by its keys, not by the image's variables
    for key, value in service.environment.items():
        template, comment = linked_value(value, kinds, own=service.name)
        draft.env.append((key, template, comment))
