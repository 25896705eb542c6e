"""`kind = "mock"` in seamline.toml: the stub server as a service of the system."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from seamline.config import load_config
from seamline.errors import StartError
from seamline.http.loop import LoopThread
from seamline.runtime.procs import ProcessTracker
from seamline.runtime.rundir import create_run
from seamline.services.base import RunContext
from seamline.services.mock import MockService


@pytest.fixture
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.stop()


def service_for(tmp_path: Path, loop: LoopThread, mappings: str) -> MockService:
    config_path = tmp_path / "seamline.toml"
    config_path.write_text(
        textwrap.dedent(f"""
        [services.payments]
        kind = "mock"
        mappings = "{mappings}"
    """)
    )
    config = load_config(config_path)
    dirs = create_run(tmp_path / "runs", tmp_path / "records")
    ctx = RunContext(config, dirs, ProcessTracker(dirs.run_dir, dirs.run_id), lambda: loop)
    return MockService("payments", config.spec.services["payments"], ctx)


def test_mock_service_serves_its_mappings_and_logs_skipped_ones(
    tmp_path: Path, loop: LoopThread
) -> None:
    stubs = tmp_path / "stubs" / "mappings"
    stubs.mkdir(parents=True)
    (stubs / "charge.json").write_text(
        json.dumps(
            {
                "request": {"method": "POST", "urlPath": "/charges"},
                "response": {"status": 201, "jsonBody": {"id": "ch"}},
            }
        )
    )
    (stubs / "bad.json").write_text("{")
    service = service_for(tmp_path, loop, "stubs")
    service.allocate()
    attrs = service.attributes()
    assert attrs["url"] == f"http://127.0.0.1:{attrs['port']}" == attrs["direct_url"]
    service.start(lambda text: text)
    service.wait_ready(5)
    try:
        assert httpx.post(attrs["url"] + "/charges").json() == {"id": "ch"}
        assert service.server is not None
        assert len(service.server.requests()) == 1
        assert "1 stubs" in service.describe()
        log = service.logs()
        assert "bad.json" in log
        assert "not valid JSON" in log
    finally:
        service.stop()
        service.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(attrs["url"])


def test_mock_service_whose_mappings_is_a_file_fails_to_start(
    tmp_path: Path, loop: LoopThread
) -> None:
    (tmp_path / "stubs.json").write_text("{}")
    service = service_for(tmp_path, loop, "stubs.json")
    service.allocate()
    with pytest.raises(StartError, match="not a directory"):
        service.start(lambda text: text)
