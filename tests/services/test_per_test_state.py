"""State that must not leak from one test into the next, per service kind: Redis is emptied
after each test (unless `isolation = "none"`), a `kind = "mock"` service forgets the stubs,
scenario states and requests a test added while keeping its file mappings. Real pytest runs
(pytester subprocesses) against a real redis-server and a real stub server."""

from __future__ import annotations

import json

import pytest

FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider", "-p", "no:xdist")

CONFIG = """
[services.cache]
kind = "redis"
{cache_extra}
[services.partner]
kind = "mock"
mappings = "stubs"
"""

FROM_FILE = {
    "request": {"method": "GET", "url": "/flow"},
    "response": {"status": 200, "body": "first"},
    "scenarioName": "flow",
    "requiredScenarioState": "Started",
    "newScenarioState": "second",
}

TESTS = """
import httpx
import pytest
import redis
from seamline.mock import get


def cache(system):
    return redis.Redis.from_url(system.service("cache").url)


def test_first_leaves_state_behind(system):
    assert cache(system).incr("counter") == 1
    partner = system.mock("partner")
    partner.stub(get("/added")).reply(200, body="added by a test")
    assert httpx.get(partner.url + "/added").text == "added by a test"
    assert httpx.get(partner.url + "/flow").text == "first"
    assert partner.scenario_state("flow") == "second"


def test_second_starts_from_the_declared_state(system):
    assert cache(system).incr("counter") == {expected_counter}
    partner = system.mock("partner")
    assert partner.requests() == []
    assert partner.scenario_state("flow") == "Started"
    assert httpx.get(partner.url + "/added").status_code == 404
    assert httpx.get(partner.url + "/flow").text == "first"  # the file mapping is kept
"""


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))

    def make(cache_extra: str = "", expected_counter: int = 1) -> pytest.Pytester:
        (pytester.path / "seamline.toml").write_text(CONFIG.format(cache_extra=cache_extra))
        (pytester.path / "stubs" / "mappings").mkdir(parents=True, exist_ok=True)
        (pytester.path / "stubs" / "mappings" / "flow.json").write_text(json.dumps(FROM_FILE))
        (pytester.path / "test_state.py").write_text(
            TESTS.replace("{expected_counter}", str(expected_counter))
        )
        return pytester

    return make


def test_redis_and_mock_services_are_reset_after_each_test(project):
    result = project().runpytest_subprocess("test_state.py", *FAST)
    result.assert_outcomes(passed=2)


@pytest.mark.parametrize("where", ["service", "system"])
def test_redis_isolation_none_keeps_what_tests_wrote(project, where):
    made = project('isolation = "none"' if where == "service" else "", expected_counter=2)
    if where == "system":
        config = made.path / "seamline.toml"
        config.write_text('isolation = "none"\n' + config.read_text())
    result = made.runpytest_subprocess("test_state.py", *FAST)
    result.assert_outcomes(passed=2)


def test_system_mock_names_the_mock_services_when_given_another_kind(
    write_config, start_system, tmp_path
):
    from seamline.errors import SeamlineError

    (tmp_path / "stubs").mkdir()
    system = start_system(write_config(CONFIG.format(cache_extra="")))
    with pytest.raises(SeamlineError) as caught:
        system.mock("cache")
    assert str(caught.value) == (
        "system.mock('cache'): 'cache' is a redis service, not a mock one; "
        "the mock services are: partner"
    )
