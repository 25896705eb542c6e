"""What run.json (and so the report) says each service ran, once the run is over."""

from __future__ import annotations

import json

GOOD = {"request": {"method": "GET", "url": "/a"}, "response": {"status": 200}}


def test_a_mock_service_keeps_its_stub_count_after_the_run(write_config, start_system):
    path = write_config(
        '[services.db]\nkind = "sqlite"\n[services.auth]\nkind = "mock"\nmappings = "auth"\n'
    )
    (path.parent / "auth").mkdir()
    (path.parent / "auth" / "stubs.json").write_text(json.dumps({"mappings": [GOOD, GOOD]}))
    system = start_system(path)
    record_dir = system.record_dir
    system.stop()
    services = json.loads((record_dir / "run.json").read_text())["services"]
    assert services["auth"]["runs"] == "mock (WireMock-compatible, 2 stubs)"
    assert services["db"]["runs"].startswith("SQLite ")
