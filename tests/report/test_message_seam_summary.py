"""A real run's report lists every declared message seam, even one nothing crossed: "did the
worker get a message?" is answered by a 0 as much as by a count."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from seamline.report import build

WORKER = f"{sys.executable} {Path(__file__).parents[1] / 'apps' / 'broker_worker.py'}"
SYSTEM = f"""
name = "quiet"
[services.bus]
kind = "redis"
[services.fulfilment]
command = "{WORKER} pubsub"
ready = "log ^ready"
env = {{ BUS_URL = "{{bus.url}}" }}
"""


def test_a_declared_message_seam_nothing_crossed_is_in_the_summary(
    write_config, start_system, tmp_path
):
    system = start_system(write_config(SYSTEM))
    system.stop()
    report = json.loads(build([system.record_dir], tmp_path / "out", environ={}).json.read_text())
    (seam,) = report["seams"]
    expected = {"name": "fulfilment -> bus", "kind": "message", "declared": True}
    expected |= {"variable": "BUS_URL", "published": 0, "delivered": 0, "exchanges": 0}
    assert {key: seam[key] for key in expected} == expected
