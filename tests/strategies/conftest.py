"""Fixtures: the ledgers project, and the same with a recording made from a real run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.strategies.build import record_seams
from seamline.system.core import System
from seamline.system.harness import Harness
from tests.strategies.ledgers import TEST_ID, shop_traffic, write_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "ledgers")


@pytest.fixture
def recorded(project: Path, start_system: Callable[..., System]) -> Path:
    """The project with a recording of `shop_traffic`, made from a real run's journal."""
    system = start_system(project)
    Harness(system).begin_test(TEST_ID)
    shop_traffic(system)
    Harness(system).end_test(TEST_ID, "passed")
    record_seams(system.config, system.seams.exchanges(all_tests=True))
    system.stop()
    return project
