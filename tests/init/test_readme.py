"""The README's `seamline init --from-compose` example converts as the README shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seamline.cli import main

README = Path(__file__).parents[2] / "README.md"


def _blocks(language: str) -> list[str]:
    text = README.read_text()
    section = text[text.index("## Start from what you have: `seamline init`") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(rf"```{language}\n(.*?)```", section, re.S)


def test_readme_compose_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (compose_text,), (toml_text,) = _blocks("yaml"), _blocks("toml")
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "Dockerfile").write_text("FROM python:3.12\n")
    (tmp_path / "stubs").mkdir()
    (tmp_path / "docker-compose.yml").write_text(compose_text)
    assert main(["init", "--from-compose", str(tmp_path / "docker-compose.yml")]) == 0
    assert "TODO services.reports.url" in capsys.readouterr().out
    written = (tmp_path / "seamline.toml").read_text()
    assert toml_text.strip() in written
    assert main(["check", str(tmp_path)]) == 0
    assert "api -> payments  (via PAYMENTS_URL)" in capsys.readouterr().out
