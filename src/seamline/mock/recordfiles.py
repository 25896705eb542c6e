"""The files of a recording, named as WireMock names them (FilenameMaker, ContentTypes).

mapping_file_name(stub)             # "v1_charges-<id>.json"
write_recorded(root, recorded)      # ROOT/mappings/*.json and ROOT/__files/*
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NON_FILENAME = re.compile(r"[^\w\-.]")
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "application/pdf": "pdf",
}


@dataclass
class Recorded:
    """What a recording produced: mapping dicts and the body files they name."""

    mappings: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def write_recorded(root: Path, recorded: Recorded) -> list[Path]:
    """Write the mappings to ROOT/mappings and the bodies to ROOT/__files; the paths written."""
    mappings, files = root / "mappings", root / "__files"
    mappings.mkdir(parents=True, exist_ok=True)
    written = []
    for name, body in recorded.files.items():
        files.mkdir(parents=True, exist_ok=True)
        (files / name).write_bytes(body)
        written.append(files / name)
    for stub in recorded.mappings:
        path = mappings / mapping_file_name(stub)
        path.write_text(json.dumps(stub, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


def mapping_file_name(stub: dict[str, Any], extension: str = "json") -> str:
    """WireMock's FilenameMaker: `{name}-{id}.json`, or `{method}-{url}-{id}.json`."""
    if stub.get("name"):
        base = str(stub["name"])
    else:
        request = stub["request"]
        base = f"{request['method']}-{request.get('url') or request.get('urlPath', '')}"
    return sanitise(f"{base}-{stub['id']}.{extension}")


def file_extension(url: str, content_type: str, body: bytes) -> str:
    """ContentTypes.determineFileExtension."""
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    for word, extension in (("json", "json"), ("xml", "xml"), ("text", "txt")):
        if word in media:
            return extension
    if media in _EXTENSIONS:
        return _EXTENSIONS[media]
    last = url.partition("?")[0].rsplit("/", 1)[-1]
    if "." in last:
        return last.rsplit(".", 1)[-1]
    text = body.decode("utf-8", "replace").strip()
    try:
        json.loads(text)
        return "json"
    except ValueError:
        pass
    if text.startswith("<"):
        return "xml" if not text.lower().startswith(("<!doctype html", "<html")) else "html"
    return "txt"


def url_slug(path: str) -> str:
    """FilenameMaker.sanitizeUrl: `/api/users/1` -> `api_users_1`."""
    slug = re.sub(r"\s", "-", path.replace("/", "_"))
    slug = sanitise(unicodedata.normalize("NFD", slug)).strip("_")
    return slug[:200]


def sanitise(text: str) -> str:
    return _NON_FILENAME.sub("", "-".join(text.split(" "))).lower()
