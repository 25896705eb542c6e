"""`seamline mock` as its own process: the WireMock stand-alone drop-in."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seamline.mock.standalone import main

CMD = [sys.executable, "-m", "seamline.mock.standalone"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "mappings").mkdir()
    (tmp_path / "__files").mkdir()
    (tmp_path / "__files" / "hello.txt").write_text("hello from a file")
    mapping = {
        "request": {"method": "GET", "url": "/hello"},
        "response": {"bodyFileName": "hello.txt"},
    }
    (tmp_path / "mappings" / "hello.json").write_text(json.dumps(mapping))
    (tmp_path / "mappings" / "bad.json").write_text('{"request": {"method": 1}, "response": []}')
    return tmp_path


@pytest.fixture
def server(root: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen(
        [*CMD, "--port", "0", "--root-dir", str(root), "--verbose"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = re.search(r"listening on (http://\S+)", line)
    assert found, f"expected the listening line, got {line!r}"
    yield proc, found.group(1)
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    proc.stdout.close()
    if proc.stderr is not None:
        proc.stderr.close()


def test_serves_root_dir_mappings_and_stops_on_sigterm(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    proc, url = server
    assert httpx.get(url + "/hello").text == "hello from a file"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert "bad.json" in err
    assert "$.response: expected an object" in err
    assert "GET /hello -> matched" in err  # --verbose


def test_admin_shutdown_stops_the_process(server: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = server
    assert httpx.post(url + "/__admin/shutdown").status_code == 200
    assert proc.wait(10) == 0


def test_missing_root_dir_is_refused_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root-dir", str(tmp_path / "missing")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_port_in_use_is_reported(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["--port", str(port), "--root-dir", str(root)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


JOURNAL_OF_ONE = ["--max-request-journal-entries", "1"]


def test_stub_cors_and_journal_flags_reach_the_server(root: Path) -> None:
    proc = subprocess.Popen(
        [*CMD, "--port", "0", "--root-dir", str(root), "--enable-stub-cors", *JOURNAL_OF_ONE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        found = re.search(r"listening on (http://\S+)", proc.stdout.readline())
        assert found
        url = found.group(1)
        preflight = httpx.options(
            url + "/hello",
            headers={"Origin": "http://app.test", "Access-Control-Request-Method": "GET"},
        )
        assert preflight.headers["Access-Control-Allow-Origin"] == "http://app.test"
        httpx.get(url + "/hello")
        httpx.get(url + "/hello")
        listed = httpx.get(url + "/__admin/requests").json()
        assert listed["meta"] == {"total": 1, "dropped": listed["meta"]["dropped"]}
        assert listed["meta"]["dropped"]["count"] == 1
    finally:
        proc.kill()
        proc.communicate(timeout=10)  # closes the pipes
