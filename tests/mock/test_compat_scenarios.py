"""Run tests/mock/compat_scenarios.py (checked against WireMock 3.13.2) against seamline."""

from __future__ import annotations

from pathlib import Path

import pytest
from compat_scenarios import CORS_SCENARIOS, SCENARIOS, Scenario

from seamline.mock import MockServer


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_scenario_behaves_as_wiremock(tmp_path: Path, scenario: Scenario) -> None:
    (tmp_path / "mappings").mkdir()
    with MockServer(root_dir=tmp_path) as mock:
        scenario(mock.url, tmp_path)


@pytest.mark.parametrize("scenario", CORS_SCENARIOS, ids=[s.__name__ for s in CORS_SCENARIOS])
def test_cors_scenario_behaves_as_wiremock(tmp_path: Path, scenario: Scenario) -> None:
    (tmp_path / "mappings").mkdir()
    with MockServer(root_dir=tmp_path, stub_cors=True) as mock:
        scenario(mock.url, tmp_path)
