"""A compose service that is built or given a command, as a seamline `process`.

The command is compose's `command` (over the Dockerfile's ENTRYPOINT + CMD when there is a
Dockerfile), run in the build context; the port is the container port of `ports`/`expose`; the
healthcheck becomes `ready`. What cannot be guessed is left as a TODO naming the key.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from seamline.errors import ConfigProblem
from seamline.init.compose import ComposeFile, ComposeService
from seamline.init.draft import Draft, relative_to

_URL = re.compile(r"https?://[^/\s'\"]+(/[^\s'\"|;&]*)?")
_INSTRUCTION = re.compile(r"^\s*(CMD|ENTRYPOINT)\s+(.*)$", re.IGNORECASE)


def process_fields(
    draft: Draft, service: ComposeService, compose: ComposeFile, out_dir: Path
) -> None:
    """Fill `draft` with command, workdir, port and ready; TODOs and problems for the rest."""
    port = container_port(service.data)
    context = _build_context(service.data, compose.path.parent)
    command = _command(draft, service, compose, context)
    if command is not None:
        draft.set("command", _with_port(command, port))
    else:  # so that `seamline check` names the missing key: command
        draft.set("kind", "process", "its command is a TODO below")
    if context is not None:
        draft.set("workdir", relative_to(context, out_dir), "the build context")
    if port:
        draft.set("port", port, "the container port; 0 picks a free one")
    ready = _ready(service.data.get("healthcheck"), port)
    if ready:
        draft.set("ready", ready, "from the healthcheck")


def container_port(data: dict[str, Any]) -> int | None:
    """The port the service listens on inside its container: `ports`, else `expose`."""
    for entry in [*(data.get("ports") or []), *(data.get("expose") or [])]:
        if isinstance(entry, dict):
            target = str(entry.get("target"))
            return int(target) if target.isdigit() else None
        text = str(entry).split("/")[0].rsplit(":", 1)[-1].split("-")[0]
        if text.isdigit():
            return int(text)
    return None


def _build_context(data: dict[str, Any], compose_dir: Path) -> Path | None:
    build = data.get("build")
    if build is None:
        return None
    context = build if isinstance(build, str) else str(build.get("context", "."))
    return (compose_dir / context).resolve()


def _dockerfile(data: dict[str, Any], context: Path) -> Path:
    build = data.get("build")
    name = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
    return context / str(name)


def _command(
    draft: Draft, service: ComposeService, compose: ComposeFile, context: Path | None
) -> str | None:
    """The command to run, or None with a TODO (and a problem when the build is broken)."""
    given = service.data.get("command")
    entrypoint = service.data.get("entrypoint")
    image_command: list[str] = []
    why = f"compose gives {draft.name} neither a command nor a build"
    if context is not None:
        dockerfile = _dockerfile(service.data, context)
        if not dockerfile.is_file():
            why = f"its build has no Dockerfile ({dockerfile})"
            compose.problems.append(
                ConfigProblem(
                    f"services.{draft.name}.build",
                    "a build context with a Dockerfile",
                    f"no {dockerfile.name} in {context}",
                    "fix the build path; the command is left as a TODO",
                    compose.path,
                    service.line,
                )
            )
        else:
            image_command = _dockerfile_command(dockerfile, given, entrypoint)
            why = f"{dockerfile} has no CMD or ENTRYPOINT"
    elif service.data.get("image"):
        why = f"it runs image {service.data['image']}, which seamline cannot start by itself"
    words = image_command or _words(entrypoint) + _words(given)
    if words:
        return shlex.join(words) if len(words) > 1 else words[0]
    draft.todo("command", f"the command that starts {draft.name} on this machine ({why})")
    return None


def _words(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else shlex.split(str(value))


def _dockerfile_command(dockerfile: Path, given: Any, entrypoint: Any) -> list[str]:
    """ENTRYPOINT + CMD of the last stage, with compose's own command/entrypoint over them."""
    found: dict[str, list[str]] = {}
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    for line in text.splitlines():
        if line.strip().upper().startswith("FROM "):
            found = {}  # a new stage: the earlier ones' CMD is not the image's
        match = _INSTRUCTION.match(line)
        if match:
            found[match.group(1).upper()] = _instruction_words(match.group(2).strip())
    head = _words(entrypoint) if entrypoint else found.get("ENTRYPOINT", [])
    tail = _words(given) if given else found.get("CMD", [])
    return head + tail


def _instruction_words(argument: str) -> list[str]:
    if argument.startswith("["):
        try:
            return [str(word) for word in json.loads(argument)]
        except ValueError:
            pass
    return shlex.split(argument)


def _with_port(command: str, port: int | None) -> str:
    """The container port in the command becomes `{self.port}`; other braces are literal."""
    escaped = command.replace("{", "{{").replace("}", "}}")
    if not port:
        return escaped
    return re.sub(rf"(?<![\d.]){port}(?!\d)", "{self.port}", escaped)


def _ready(healthcheck: Any, port: int | None) -> str | None:
    """An HTTP healthcheck as `http GET /path`; any other one as tcp (when there is a port)."""
    if not isinstance(healthcheck, dict) or healthcheck.get("disable"):
        return None
    test = healthcheck.get("test")
    text = " ".join(str(t) for t in test) if isinstance(test, list) else str(test or "")
    match = _URL.search(text)
    if match:
        return f"http GET {match.group(1) or '/'}"
    return "tcp" if port else None
