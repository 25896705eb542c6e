"""The README and docs/architecture.md say the same about where a run's files go, and what
they say is what the code does."""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

from seamline.runtime import rundir

ROOT = Path(__file__).parent.parent


def _run_dir_line(doc: str) -> str:
    text = (ROOT / doc).read_text()
    match = re.search(r"\*\*run dir\*\*.*?(?=\n[*-] \*\*|\n\n)", text, re.S)
    assert match, f"{doc} does not describe the run dir"
    return " ".join(match.group(0).split())


def test_readme_and_architecture_agree_on_the_run_dir(monkeypatch):
    readme, architecture = _run_dir_line("README.md"), _run_dir_line("docs/architecture.md")
    for fact in ("/dev/shm/seamline-<uid>/<run-id>/", "SEAMLINE_RUN_ROOT", "temp dir"):
        assert fact in readme and fact in architecture, (fact, readme, architecture)
    monkeypatch.delenv("SEAMLINE_RUN_ROOT", raising=False)
    root = rundir.default_run_root()
    assert root.name == f"seamline-{os.getuid()}"
    assert root.parent in (Path("/dev/shm"), Path(os.environ.get("TMPDIR", "/tmp")))


# `seamline COMMAND args`, up to a `--` that hands the rest to pytest or the runner's command
COMMAND_LINE = r"\bseamline (report merge|[a-z]+)\b(.*?)(?:\s--\s|$)"


def _documented_flags() -> set[tuple[str, str, str]]:
    """(doc, command, --flag) for every `seamline COMMAND ... --flag` the docs show, before a
    `--` that hands the rest to pytest or the runner's command."""
    found = set()
    for doc in ["README.md", *(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md"))]:
        text = (ROOT / doc).read_text()
        lines = [
            line
            for block in re.findall(r"```(?:sh|console)\n(.*?)```", text, re.S)
            for line in block.replace("\\\n", " ").splitlines()
        ] + re.findall(r"`(seamline [^`]+)`", text)
        for line in lines:
            used = re.search(COMMAND_LINE, line.split("#")[0])
            if used and used.group(1) != "mock":  # the stand-alone server has WireMock's flags
                for flag in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", used.group(2)):
                    found.add((doc, used.group(1), flag))
    return found


def test_every_cli_flag_the_docs_show_exists(capsys):
    from seamline.cli import main

    helps: dict[str, str] = {}
    missing = []
    for doc, command, flag in sorted(_documented_flags()):
        if command not in helps:
            with contextlib.suppress(SystemExit):  # --help exits 0
                main([*command.split(), "--help"])
            helps[command] = capsys.readouterr().out
        if flag not in helps[command]:
            missing.append(f"{doc}: seamline {command} {flag}")
    assert len(_documented_flags()) > 15  # the scan found the docs' commands
    assert not missing, missing
