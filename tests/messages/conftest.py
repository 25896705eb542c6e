from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.system.core import System
from seamline.system.harness import Harness

WORKER = f"{sys.executable} {Path(__file__).parent.parent / 'apps' / 'broker_worker.py'}"


def config(mode: str, extra: str = "") -> str:
    return f"""
name = "messages"
{extra}
[services.bus]
kind = "redis"
[services.fulfilment]
command = "{WORKER} {mode}"
ready = "log ^ready"
env = {{ BUS_URL = "{{bus.url}}" }}
"""


@pytest.fixture
def bus_system(write_config, start_system) -> Callable[..., System]:
    """A Redis `bus` and a `fulfilment` worker reading it in `mode`, a seam on each link."""

    def start(mode: str, extra: str = "") -> System:
        system = start_system(write_config(config(mode, extra)))
        Harness(system).begin_test("t")
        return system

    return start
