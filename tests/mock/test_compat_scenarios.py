"""Run tests/mock/compat_scenarios.py (checked against WireMock 3.13.2) against seamline."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_scenarios import CORS_SCENARIOS, SCENARIOS, Scenario
from compat_scenarios_admin import ADMIN_SCENARIOS

from seamline.mock import MockServer

ALL_SCENARIOS = SCENARIOS + ADMIN_SCENARIOS


@pytest.mark.parametrize("scenario", ALL_SCENARIOS, ids=[s.__name__ for s in ALL_SCENARIOS])
def test_scenario_behaves_as_wiremock(tmp_path: Path, scenario: Scenario) -> None:
    (tmp_path / "mappings").mkdir()
    with MockServer(root_dir=tmp_path) as mock:
        scenario(mock.url, tmp_path)


@pytest.mark.parametrize("scenario", CORS_SCENARIOS, ids=[s.__name__ for s in CORS_SCENARIOS])
def test_cors_scenario_behaves_as_wiremock(tmp_path: Path, scenario: Scenario) -> None:
    (tmp_path / "mappings").mkdir()
    with MockServer(root_dir=tmp_path, stub_cors=True) as mock:
        scenario(mock.url, tmp_path)
