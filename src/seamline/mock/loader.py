"""Loading mappings from WireMock's directory layout: `ROOT/mappings/**/*.json` and
`ROOT/__files/` for `bodyFileName`.

A file holds one mapping or `{"mappings": [...]}`. A mapping that does not parse is
reported with its file, JSON path and reason; the others still load.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from seamline.mock.errors import InvalidMapping, LoadProblem
from seamline.mock.mapping import StubMapping, mappings_in


def mappings_dir(root: Path) -> Path:
    """`ROOT/mappings`, or ROOT itself when it holds the JSON files directly."""
    sub = root / "mappings"
    return sub if sub.is_dir() else root


def files_dir(root: Path) -> Path:
    return root / "__files"


def load_file(path: Path, files: Path | None) -> tuple[list[StubMapping], list[LoadProblem]]:
    try:
        document: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        reason = f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        return [], [LoadProblem(path, "$", reason)]
    except (OSError, UnicodeDecodeError) as exc:
        return [], [LoadProblem(path, "$", f"cannot be read: {exc}")]
    stubs: list[StubMapping] = []
    problems: list[LoadProblem] = []
    try:
        items = mappings_in(document)
    except InvalidMapping as exc:
        return [], [LoadProblem(path, exc.path, exc.reason)]
    for where, item in items:
        try:
            stub = StubMapping(item, where, files)
            stub.source = path
            stubs.append(stub)
        except InvalidMapping as exc:
            reason = exc.reason + (f" (fix: {exc.fix})" if exc.fix else "")
            problems.append(LoadProblem(path, exc.path, reason))
    return stubs, problems


def load_directory(root: Path) -> tuple[list[StubMapping], list[LoadProblem]]:
    """Every mapping under `root`, in file-name order, and the problems found."""
    if not root.is_dir():
        return [], [
            LoadProblem(root, "$", "expected a directory of WireMock mappings; it does not exist")
        ]
    files = files_dir(root)
    stubs: list[StubMapping] = []
    problems: list[LoadProblem] = []
    for path in sorted(mappings_dir(root).rglob("*.json")):
        if files in path.parents:
            continue
        loaded, found = load_file(path, files)
        stubs += loaded
        problems += found
    return stubs, problems


def save_mappings(root: Path, stubs: list[StubMapping]) -> list[Path]:
    """What `/__admin/mappings/save` does: every stub becomes persistent, and each one
    not already in a file is written to `ROOT/mappings/` (no duplicate of a file)."""
    written = []
    for stub in stubs:
        stub.persistent = True
        stub.spec["persistent"] = True
        if stub.source is None or not stub.source.exists():
            written.append(persist(root, stub))
    return written


def persist(root: Path, stub: StubMapping) -> Path:
    """Write one stub to its file (the one it came from, or a new one named as WireMock
    names it: `<name or method-url>-<id>.json`)."""
    if stub.source is None:
        base = str(stub.name) if stub.name else f"{stub.request.method}-{_url(stub)}"
        safe = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:150]
        stub.source = root / "mappings" / f"{safe}-{stub.id}.json"
    stub.source.parent.mkdir(parents=True, exist_ok=True)
    stub.source.write_text(json.dumps(stub.to_json(), indent=2) + "\n", encoding="utf-8")
    return stub.source


def forget(stub: StubMapping) -> None:
    """Remove a persistent stub's file (a stub not marked persistent keeps its file)."""
    if stub.persistent and stub.source is not None:
        stub.source.unlink(missing_ok=True)


def _url(stub: StubMapping) -> str:
    spec = stub.request.spec
    for key in ("url", "urlPath", "urlPattern", "urlPathPattern", "urlPathTemplate"):
        if isinstance(spec.get(key), str):
            return str(spec[key])
    return ""
