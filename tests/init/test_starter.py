"""`seamline init DIR`: a starter config and test from what the project holds, run for real."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from seamline.cli import main

STARTERS = Path(__file__).parent / "starter"


def init(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Any]:
    project = tmp_path / name
    shutil.copytree(STARTERS / name, project)
    assert main(["init", str(project)]) == 0
    capsys.readouterr()
    assert main(["check", str(project)]) == 0
    capsys.readouterr()
    return project, tomllib.loads((project / "seamline.toml").read_text())["services"]["app"]


def seamline_test(project: Path) -> subprocess.CompletedProcess[str]:
    """`seamline test` on the project, as a user runs it: its generated test must pass."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        [sys.executable, "-m", "seamline", "test", ".", "--plain"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_fastapi_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, app = init(tmp_path, "fastapi", capsys)
    assert app == {
        "command": "python -m uvicorn service.main:api --port {self.port}",
        "ready": "http GET /openapi.json",
    }
    run = seamline_test(project)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
    generated = (project / "tests" / "test_seamline.py").read_text()
    assert 'system.seam("test", "app").calls("GET", "/openapi.json").one()' in generated


def test_a_generated_test_uses_only_what_the_readme_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    for name in ("fastapi", "flask", "node", "openapi"):
        project, _ = init(tmp_path, name, capsys)
        generated = (project / "tests" / "test_seamline.py").read_text()
        for method in re.findall(r"\.(\w+)\(", generated):
            assert f".{method}(" in readme or f"`{method}`" in readme, (name, method)


def test_flask_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, app = init(tmp_path, "flask", capsys)
    assert app == {
        "command": "python -m flask --app app:app run --port {self.port}",
        "ready": "tcp",
    }
    assert 'system.client("app").get("/")' in (project / "tests" / "test_seamline.py").read_text()


def test_package_json_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, app = init(tmp_path, "node", capsys)
    assert app == {"command": "npm start", "ready": "tcp", "env": {"PORT": "{self.port}"}}
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the generated test is not run")
    run = seamline_test(project)
    assert run.returncode == 0, run.stdout + run.stderr


def test_openapi_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project, app = init(tmp_path, "openapi", capsys)
    assert app == {"kind": "mock", "openapi": "openapi.yaml"}
    # the operation is stubbed and called; the seam checks it against openapi.yaml
    run = seamline_test(project)
    assert run.returncode == 0, run.stdout + run.stderr


def test_never_overwrites_and_says_what_it_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, _ = init(tmp_path, "fastapi", capsys)
    test_file = project / "tests" / "test_seamline.py"
    test_file.write_text("# mine\n")
    assert main(["init", str(project)]) == 2
    err = capsys.readouterr().err
    assert str(test_file) in err and "--force" in err
    assert test_file.read_text() == "# mine\n"
    assert main(["init", str(tmp_path / "missing")]) == 2
    assert "no such directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["init", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert "expected a FastAPI or Flask app" in err and "write seamline.toml by hand" in err
