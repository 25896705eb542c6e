"""`seamline init [DIR]`: a starter `seamline.toml` and one test, from what DIR holds.

It looks for, in this order: a FastAPI app (`app = FastAPI(...)`), a Flask app, a `package.json`
with a start script, an OpenAPI document (served by a stub server until there is a real one).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from seamline.errors import ConfigError, ConfigProblem
from seamline.init.draft import Draft, relative_to, render

_APP = re.compile(r"^(?P<var>[A-Za-z_]\w*)\s*(?::[^=]+)?=\s*(?P<cls>FastAPI|Flask)\(", re.MULTILINE)
_SKIPPED_DIRS = frozenset({".venv", "venv", "node_modules", ".git", "tests", "__pycache__"})
OPENAPI_NAMES = ("openapi.yaml", "openapi.yml", "openapi.json")
SERVICE = "app"


@dataclass(frozen=True)
class Starter:
    """The starter's two files and what it found."""

    found: str
    config: str
    test: str


def starter(directory: Path) -> Starter:
    """The starter for `directory`, or a ConfigError saying what was looked for."""
    draft = Draft(SERVICE)
    openapi = next((directory / n for n in OPENAPI_NAMES if (directory / n).is_file()), None)
    app = _python_app(directory)
    start_script = _start_script(directory)
    if app is not None:
        module, variable, framework = app
        found, path = _python_service(draft, module, variable, framework)
        test = _test(path)
    elif start_script is not None:
        found, test = f"a package.json start script ({start_script})", _test("/")
        draft.set("command", "npm start")
        draft.set("ready", "tcp")
        draft.env.append(("PORT", "{self.port}", "the port seamline chose"))
    elif openapi is not None:
        found = f"{openapi.name} (a stub server serves it until the service exists)"
        test = _stub_test(openapi)
        draft.set("kind", "mock")
    else:
        raise ConfigError([_nothing_found(directory)], what="directory for `seamline init`")
    if openapi is not None:
        draft.set("openapi", relative_to(openapi, directory), "exchanges are checked against it")
    header = [
        f"Started by `seamline init` from {found}.",
        "Run the test beside it with: seamline test .",
    ]
    return Starter(found, render(_name(directory), header, [draft]), test)


def _python_service(draft: Draft, module: str, variable: str, framework: str) -> tuple[str, str]:
    target = f"{module}:{variable}"
    if framework == "FastAPI":
        draft.set("command", f"python -m uvicorn {target} --port {{self.port}}")
        draft.set("ready", "http GET /openapi.json", "FastAPI serves it once it is up")
        return f"a FastAPI app ({target})", "/openapi.json"
    draft.set("command", f"python -m flask --app {target} run --port {{self.port}}")
    draft.set("ready", "tcp")
    return f"a Flask app ({target})", "/"


def _python_app(directory: Path) -> tuple[str, str, str] | None:
    """(module, variable, framework) of the first app found, the shallowest first."""
    files = sorted(directory.rglob("*.py"), key=lambda p: (len(p.parts), str(p)))
    for path in files:
        relative = path.relative_to(directory)
        if _SKIPPED_DIRS.intersection(relative.parts[:-1]) or len(relative.parts) > 3:
            continue
        match = _APP.search(path.read_text(errors="replace"))
        if match:
            parts = relative.with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            return module, match.group("var"), match.group("cls")
    return None


def _start_script(directory: Path) -> str | None:
    path = directory / "package.json"
    if not path.is_file():
        return None
    try:
        scripts = json.loads(path.read_text()).get("scripts") or {}
    except (ValueError, AttributeError):
        return None
    start = scripts.get("start") if isinstance(scripts, dict) else None
    return str(start) if start else None


def _nothing_found(directory: Path) -> ConfigProblem:
    return ConfigProblem(
        str(directory),
        "a FastAPI or Flask app (app = FastAPI()), a package.json with a start script, "
        "or an openapi.yaml",
        "none of them",
        "run it in your project's directory, convert a compose file "
        "(seamline init --from-compose docker-compose.yml), or write seamline.toml by hand "
        "(README: Declare a system)",
    )


def _name(directory: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", directory.resolve().name) or "system"


def _test(path: str) -> str:
    """One test through the `test -> app` seam: the app answers."""
    check = "response.status_code < 500" if path == "/" else "response.status_code == 200"
    return (
        '"""Started by `seamline init`: the app answers through its seam."""\n\n\n'
        "def test_app_answers(system):\n"
        f'    response = system.client("{SERVICE}").get({json.dumps(path)})\n'
        f"    assert {check}, response.text\n"
        f'    system.seam("test", "{SERVICE}").calls("GET", {json.dumps(path)}).one()\n'
    )


def _stub_test(openapi: Path) -> str:
    """One operation of the document, stubbed and called: the contract is checked on the way."""
    method, path, status = _first_operation(openapi)
    return (
        '"""Started by `seamline init`: one operation of '
        f'{openapi.name}, stubbed and called through its seam."""\n\n'
        f"from seamline.mock import {method}\n\n\n"
        "def test_app_answers(system):\n"
        "    # a reply the document allows; give it a body when the document asks for one\n"
        f'    system.mock("{SERVICE}").stub({method}({json.dumps(path)})).reply({status})\n'
        f'    response = system.client("{SERVICE}").{method}({json.dumps(path)})\n'
        f"    assert response.status_code == {status}, response.text\n"
    )


def _first_operation(openapi: Path) -> tuple[str, str, int]:
    """(method, path, status): a GET without path parameters when there is one."""
    document = yaml.safe_load(openapi.read_text()) or {}
    operations = [
        (method, path, spec)
        for path, item in (document.get("paths") or {}).items()
        for method, spec in (item or {}).items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    if not operations:
        return "get", "/", 404  # no operation yet: nothing is stubbed, the server says so
    method, path, spec = min(operations, key=lambda op: (op[0] != "get", "{" in op[1]))
    statuses = [int(c) for c in (spec or {}).get("responses") or {} if str(c).isdigit()]
    status = min(statuses, default=200)
    return method, re.sub(r"\{[^}]+\}", "1", path), status
