"""Every document a system will use, validated before anything starts: the OpenAPI documents of
providers and the AsyncAPI documents of brokers (unless contracts are off), the WireMock
mappings of `stubs` and of mock services.

`seamline check` and `System.start` both call `document_problems`, so a document that would be
skipped or quietly check nothing stops the run instead, with its file, line and place.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from seamline.config import SystemConfig
from seamline.contracts import Contract, ContractError
from seamline.contracts import document as document_checks
from seamline.contracts.asyncapi import EventContract
from seamline.contracts.document import pointer_lines
from seamline.errors import ConfigError, ConfigProblem
from seamline.mock.errors import LoadProblem
from seamline.mock.loader import load_directory
from seamline.services.buildcache import cache_root
from seamline.version import __version__

_INDEX = re.compile(r"\[(\d+)\]")


def check_documents(config: SystemConfig) -> None:
    """Raise a ConfigError with every problem of every document the system uses."""
    problems = document_problems(config)
    if problems:
        raise ConfigError(problems, what="documents")


def document_problems(config: SystemConfig) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for name, spec in config.spec.services.items():
        asyncapi = getattr(spec, "asyncapi", None)
        if config.spec.contracts != "off":
            if spec.openapi is not None:
                problems += _contract_problems(name, "openapi", config.resolve(spec.openapi))
            if asyncapi is not None:
                problems += _contract_problems(name, "asyncapi", config.resolve(asyncapi))
        mappings = getattr(spec, "mappings", None)
        for root in (spec.stubs, mappings):
            if root is not None and "{" not in str(root):  # templated: known once started
                problems += _mapping_problems(config.resolve(root))
    return problems


def _contract_problems(service: str, key: str, path: Path) -> list[ConfigProblem]:
    what = "an OpenAPI" if key == "openapi" else "an AsyncAPI"
    # checking every schema of a document costs ~0.1 s of each start (the shop's two): a
    # document found valid once, by these very checks, is not checked again
    valid_mark = _valid_mark(key, path)
    if valid_mark is not None and valid_mark.exists():
        return []
    try:
        (Contract if key == "openapi" else EventContract).load(path)
    except ContractError as err:
        if err.problems:
            return err.problems
        return [ConfigProblem(f"services.{service}.{key}", f"{what} document", str(err), "", path)]
    if valid_mark is not None:
        try:
            valid_mark.parent.mkdir(parents=True, exist_ok=True)
            valid_mark.touch()
        except OSError:  # a read-only cache: check again next time
            pass
    return []


def _valid_mark(key: str, path: Path) -> Path | None:
    """The cache file that says this document, with this version of the checks, is valid."""
    try:
        digest = hashlib.sha256(path.read_bytes())
        for checks in sorted(Path(document_checks.__file__).parent.glob("*.py")):
            digest.update(checks.read_bytes())
    except OSError:
        return None  # the load says what is wrong with the file
    digest.update(__version__.encode())
    return cache_root() / "documents" / f"{key}-{digest.hexdigest()[:32]}.valid"


def _mapping_problems(root: Path) -> list[ConfigProblem]:
    if not root.is_dir():
        return []  # the config check already says the path does not exist
    problems = []
    texts: dict[Path, str] = {}
    for problem in load_directory(root)[1]:
        text = texts.setdefault(problem.file, _read(problem.file))
        found, _, fix = problem.reason.partition(" (fix: ")
        problems.append(
            ConfigProblem(
                f"{_stub_label(text, problem)} at {problem.path}",
                "a valid WireMock mapping",
                found,
                fix.removesuffix(")") or "correct the mapping (docs/mock.md)",
                problem.file,
                pointer_lines(text).get(_pointer(problem.path)),
            )
        )
    return problems


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _pointer(json_path: str) -> str:
    """`$.mappings[1].request.url` -> `/mappings/1/request/url`."""
    return _INDEX.sub(r".\1", json_path).removeprefix("$").replace(".", "/")


def _stub_label(text: str, problem: LoadProblem) -> str:
    """`stub 'name'` (or its id, or its place in the file) for the mapping holding the problem."""
    try:
        document: Any = json.loads(text)
    except ValueError:
        return "the file"
    index = re.match(r"\$\.mappings\[(\d+)\]", problem.path)
    stub = document
    if index and isinstance(document, dict) and isinstance(document.get("mappings"), list):
        stub = document["mappings"][int(index.group(1))]
    if isinstance(stub, dict) and (stub.get("name") or stub.get("id")):
        return f"stub {stub.get('name') or stub.get('id')!r}"
    return f"stub #{int(index.group(1)) + 1}" if index else "the stub"
