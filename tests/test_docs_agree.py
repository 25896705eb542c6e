"""The README and docs/architecture.md say the same about where a run's files go, and what
they say is what the code does."""

from __future__ import annotations

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
