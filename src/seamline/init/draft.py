"""A generated `seamline.toml`, before it is text: service tables, their comments, the TODOs.

`render` writes it out. Values are written as TOML by hand (the standard library reads TOML but
does not write it) because the comments beside each key are half of what `init` hands over.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

TomlValue = str | int | bool | list[str]
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Todo:
    """Something init could not know: the key to fill in and what to put there."""

    service: str
    key: str
    what: str

    def line(self) -> str:
        return f"services.{self.service}.{self.key}: {self.what}"


@dataclass
class Draft:
    """One service's table. `disabled` ones are written commented out (no native kind)."""

    name: str
    fields: list[tuple[str, TomlValue, str]] = field(default_factory=list)
    env: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    profile: str | None = None
    disabled: bool = False

    def set(self, key: str, value: TomlValue, comment: str = "") -> None:
        self.fields.append((key, value, comment))

    def todo(self, key: str, what: str) -> None:
        self.todos.append(Todo(self.name, key, what))

    def has(self, key: str) -> bool:
        return any(k == key for k, _, _ in self.fields)


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def toml_value(value: TomlValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _assignment(key: str, value: TomlValue, comment: str) -> str:
    text = f"{toml_key(key)} = {toml_value(value)}"
    return f"{text}  # {comment}" if comment else text


def render_draft(draft: Draft) -> list[str]:
    """The lines of one service's tables (its env in a sub-table), with notes and TODOs."""
    prefix = f"profiles.{toml_key(draft.profile)}." if draft.profile else ""
    table = f"{prefix}services.{toml_key(draft.name)}"
    lines = [f"# {note}" for note in draft.notes]
    body = [f"[{table}]"]
    body += [_assignment(k, v, c) for k, v, c in draft.fields]
    body += [f"# TODO {todo.key}: {todo.what}" for todo in draft.todos]
    if draft.env:
        body += ["", f"[{table}.env]"]
        body += [_assignment(k, v, c) for k, v, c in draft.env]
    lines += [f"# {line}" if draft.disabled and line else line for line in body]
    return lines


def render(name: str, header: list[str], drafts: list[Draft]) -> str:
    """The whole file: a header, the system's name, then each service."""
    lines = [f"# {line}" if line else "#" for line in header]
    todos = [todo for draft in drafts for todo in draft.todos]
    if todos:
        lines += ["#", f"# Left to fill in ({len(todos)}), each marked TODO below:"]
        lines += [f"#   {todo.line()}" for todo in todos]
    lines += ["", f"name = {toml_value(name)}"]
    for draft in sorted(drafts, key=lambda d: d.profile is not None):
        lines += ["", *render_draft(draft)]
    return "\n".join(lines) + "\n"


def relative_to(path: Path, out_dir: Path) -> str:
    """`path` as the config beside `out_dir` names it: relative when inside, else absolute."""
    try:
        return path.resolve().relative_to(out_dir.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()
