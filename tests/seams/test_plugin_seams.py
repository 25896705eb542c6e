"""Seams from pytest: the `seams` marker, per-test reset, contracts failing at teardown."""

from __future__ import annotations

import json

import pytest

CONTRACT = """
openapi: 3.1.0
info: {title: payments, version: "1"}
paths:
  /charge:
    get:
      responses:
        "200":
          description: a charge
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Charge"}
  /bad:
    get:
      responses:
        "200":
          description: a charge, supposedly
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Charge"}
components:
  schemas:
    Charge:
      type: object
      required: [amount]
      properties: {amount: {type: integer}}
"""

CONFIG = """
[services.payments]
kind = "mock"
mappings = "real"
stubs = "stubs"
openapi = "payments.yaml"
"""

TESTS = """
import pytest

def test_real(system):
    assert system.client("payments").get("/charge").json() == {"amount": 5}
    assert system.seam("test", "payments").one().test.endswith("::test_real")

@pytest.mark.seams(payments="stub")
def test_stubbed(system):
    assert system.client("payments").get("/charge").json() == {"amount": 1, "stub": True}
    assert system.seam("test -> payments").mode == "stub"

def test_back_to_real_after_a_stubbed_test(system):
    assert system.client("payments").get("/charge").json() == {"amount": 5}
    assert system.seam("test", "payments").mode == "real"

@pytest.mark.seams(payments={"status": 503})
def test_faulted(system):
    assert system.client("payments").get("/charge").status_code == 503

@pytest.mark.seams({"test -> payments": {"reset": True}})
def test_one_seam_by_name(system):
    import httpx
    with pytest.raises(httpx.TransportError):
        system.client("payments").get("/charge")

def test_contract_broken(system):
    assert system.client("payments").get("/bad").status_code == 200
"""


def mapping(url: str, body: dict) -> str:
    return json.dumps(
        {"request": {"method": "GET", "url": url}, "response": {"status": 200, "jsonBody": body}}
    )


@pytest.fixture
def project(pytester: pytest.Pytester, run_root, monkeypatch):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    (pytester.path / "real" / "mappings").mkdir(parents=True)
    (pytester.path / "real" / "mappings" / "charge.json").write_text(
        mapping("/charge", {"amount": 5})
    )
    (pytester.path / "real" / "mappings" / "bad.json").write_text(mapping("/bad", {"amount": "5"}))
    (pytester.path / "stubs" / "mappings").mkdir(parents=True)
    (pytester.path / "stubs" / "mappings" / "charge.json").write_text(
        mapping("/charge", {"amount": 1, "stub": True})
    )
    (pytester.path / "payments.yaml").write_text(CONTRACT)
    (pytester.path / "seamline.toml").write_text(CONFIG)
    (pytester.path / "test_it.py").write_text(TESTS)
    return pytester


FAST = ("-p", "no:hypothesispytest", "-p", "no:cacheprovider")


def test_marker_modes_reset_and_contract_failure_at_teardown(project: pytest.Pytester):
    result = project.runpytest_subprocess(*FAST)
    result.assert_outcomes(passed=6, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_contract_broken*",
            "*1 contract violation(s) on the seams in this test:*",
            "*test -> payments: GET /bad response 200: body.amount: expected integer, "
            "found string '5'*",
        ]
    )


def test_contracts_warn_only_reports(project: pytest.Pytester):
    (project.path / "seamline.toml").write_text('contracts = "warn"\n' + CONFIG)
    result = project.runpytest_subprocess(*FAST, "-k", "contract_broken")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["*ContractWarning: 1 contract violation*", "*body.amount: expected integer*"]
    )


def test_stubbing_a_provider_without_stubs_says_how_to_add_them(project: pytest.Pytester):
    (project.path / "seamline.toml").write_text(CONFIG.replace('stubs = "stubs"\n', ""))
    result = project.runpytest_subprocess(*FAST, "-k", "test_stubbed")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*cannot stub 'payments': it has no stubs*stubs = *"])


EXPECTING = """
import pytest

@pytest.mark.expect_violations
def test_breaks_the_contract_on_purpose(system):
    assert system.client("payments").get("/bad").status_code == 200
    assert [v.pointer for v in system.seams.violations()] == ["/amount"]

@pytest.mark.expect_violations
def test_expected_one_but_kept_the_contract(system):
    assert system.client("payments").get("/charge").status_code == 200
"""


def test_the_expect_violations_marker_passes_a_broken_contract_and_fails_a_kept_one(
    project: pytest.Pytester,
):
    (project.path / "test_it.py").write_text(EXPECTING)
    result = project.runpytest_subprocess(*FAST, "--strict-markers")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_expected_one_but_kept_the_contract*",
            "*expected a contract violation on the seams in this test "
            "(@pytest.mark.expect_violations), found none*",
        ]
    )
