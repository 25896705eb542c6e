"""The shop through other test runners, under `seamline run`: its Postman collection with
Newman and the seamline reporter, its Jest suite with the seamline environment, its Mocha
suite with the seamline root hooks. Each item or test is a test of the report, with its
exchanges and its sequence diagram (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli import SYSTEM, seamline
from tests.control.contracted import contracted_system
from tests.control.toolchain import require_node

REPO = Path(__file__).parents[2]
SHOP = REPO / "examples" / "shop"
FIXTURES = Path(__file__).parent / "js"
CHECKOUT = [
    "create a user",
    "find the mug in the catalogue",
    "open a cart",
    "add the mug",
    "add the mug again",
    "submit the order",
    "read the order back",
]


def newman_command(newman: str, collection: Path) -> list[str]:
    return [newman, "run", str(collection), "--env-var", "api_url={api.url}", "-r", "cli,seamline"]


def report_tests(out: Path) -> dict[str, dict[str, Any]]:
    report = json.loads((out / "report.json").read_text())
    return {t["id"]: t for t in report["tests"] if t["outcome"] != "session"}


def seams_of(test: dict[str, Any]) -> list[str]:
    return sorted({exchange["seam"] for exchange in test["exchanges"]})


def test_the_shop_collection_under_newman_is_one_test_per_request_item(run_root, tmp_path):
    (newman,) = require_node("newman")
    collection = SHOP / "postman" / "shop.postman_collection.json"
    out = tmp_path / "out"
    argv = ["run", str(SHOP), "--report-dir", str(out), "--", *newman_command(newman, collection)]
    done = seamline(*argv, run_root=run_root, cwd=REPO)

    # each item builds on the one before (user -> cart -> items -> order): all pass only if
    # the ids were carried over and the data kept between the items' tests
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    tests = report_tests(out)
    assert list(tests) == [f"shop > checkout > {name}" for name in CHECKOUT]
    assert {t["outcome"] for t in tests.values()} == {"passed"}
    order = tests["shop > checkout > submit the order"]
    assert seams_of(order) == ["api -> payments", "test -> api"]
    # the paid order's order.paid event went to the bus during the request (its delivery to
    # fulfilment may land in this item's window or the next one's)
    participants = order["diagram"]["participants"]
    assert participants[:4] == ["test", "api", "payments", "bus"]
    assert set(participants[4:]) <= {"fulfilment"}
    assert seams_of(tests["shop > checkout > open a cart"]) == ["test -> api"]
    assert [c["table"] for c in tests["shop > checkout > create a user"]["db_changes"]] == ["users"]


def test_the_shop_jest_suite_asserts_on_the_payments_seam(run_root, tmp_path):
    (jest,) = require_node("jest")
    out = tmp_path / "out"
    config = SHOP / "jest" / "jest.config.js"
    argv = ["run", str(SHOP), "--report-dir", str(out), "--", jest, "--ci", "--config", str(config)]
    done = seamline(*argv, run_root=run_root, cwd=REPO)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Tests:       2 passed, 2 total" in done.stderr
    tests = report_tests(out)
    prefix = "examples/shop/jest/checkout.test.js > checkout > "
    assert sorted(tests) == [
        prefix + "a declined card fails the order with 402 after one charge attempt",
        prefix + "charges the cart total once and stores the paid order",
    ]
    for name, test in tests.items():
        assert test["outcome"] == "passed"
        assert seams_of(test) == ["api -> payments", "test -> api"]
        participants = test["diagram"]["participants"]
        assert participants[:3] == ["test", "api", "payments"]
        # only the paid order sends order.paid over the bus to fulfilment
        paid = name.endswith("stores the paid order")
        assert ("bus" in participants) == paid, participants


def test_failed_items_and_tests_are_failed_in_the_report_and_the_code_is_the_runners(
    write_config, run_root, tmp_path
):
    newman, jest = require_node("newman", "jest")
    base = write_config(SYSTEM).parent
    collection = FIXTURES / "health.postman_collection.json"
    config = FIXTURES / "jest.config.js"
    runners = (
        " ".join(newman_command(newman, collection)) + f"; {jest} --ci --config {config}; exit 3"
    )
    out = tmp_path / "out"
    argv = ["run", str(base), "--report-dir", str(out), "--", "sh", "-c", runners]
    done = seamline(*argv, run_root=run_root, cwd=REPO)

    assert done.returncode == 3, done.stderr[-3000:]
    tests = report_tests(out)
    jest_file = "tests/control/js/health.test.js"
    outcomes = {name: test["outcome"] for name, test in tests.items()}
    assert outcomes == {
        "health > healthy": "passed",
        "health > a teapot": "failed",
        f"{jest_file} > healthy": "passed",
        f"{jest_file} > a teapot": "failed",
    }
    assert "expected response to have status code 418" in tests["health > a teapot"]["message"]
    assert "418" in tests[f"{jest_file} > a teapot"]["message"]
    for test in tests.values():
        assert seams_of(test) == ["test -> api"] and len(test["exchanges"]) == 1


def test_the_shop_mocha_suite_asserts_on_the_payments_seam(run_root, tmp_path):
    (mocha,) = require_node("mocha")
    out = tmp_path / "out"
    config = SHOP / "mocha" / ".mocharc.js"
    argv = ["run", str(SHOP), "--report-dir", str(out), "--", mocha, "--config", str(config)]
    done = seamline(*argv, run_root=run_root, cwd=REPO)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "2 passing" in done.stdout
    tests = report_tests(out)
    prefix = "examples/shop/mocha/checkout.test.js > checkout > "
    paid = tests.pop(prefix + "charges the cart total once and stores the paid order")
    refused = tests.pop(prefix + "with payments down the order is refused and nothing is charged")
    assert tests == {}
    assert paid["outcome"] == refused["outcome"] == "passed"
    assert seams_of(paid) == seams_of(refused) == ["api -> payments", "test -> api"]
    assert paid["diagram"]["participants"][:4] == ["test", "api", "payments", "bus"]
    # the fault was switched on through the helper, and only for that test
    modes = {
        t: [x["mode"] for x in test["exchanges"] if x["seam"] == "api -> payments"]
        for t, test in (("paid", paid), ("refused", refused))
    }
    assert modes == {"paid": ["real"], "refused": ["fault"]}


def contract_check_runners(*more_mocha_files: Path) -> str:
    """A shell line: Mocha, then Jest, on contract-check.js (Mocha on `more_mocha_files` too)."""
    jest, mocha = require_node("jest", "mocha")
    mocha_setup = REPO / "clients" / "js" / "mocha-setup.js"
    files = " ".join(str(f) for f in (FIXTURES / "contract-check.js", *more_mocha_files))
    return (
        f"{mocha} --require {mocha_setup} {files}; "
        f"{jest} --ci --config {FIXTURES / 'jest.config.js'} --testMatch '**/contract-check.js'"
    )


def test_jest_and_mocha_tests_end_as_their_runner_says_and_fail_when_they_broke_a_contract(
    write_config, run_root, tmp_path
):
    base = contracted_system(write_config, "fail")
    runners = contract_check_runners(FIXTURES / "mocha-outcomes.js")
    out = tmp_path / "out"
    argv = ["run", str(base), "--report-dir", str(out), "--", "sh", "-c", runners]
    done = seamline(*argv, run_root=run_root, cwd=REPO)

    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]  # jest's
    assert "3 passing" in done.stdout and "4 failing" in done.stdout  # mocha's
    assert "Tests:       3 failed, 2 passed, 5 total" in done.stderr  # jest's
    tests = report_tests(out)
    for runner in ("mocha", "jest"):
        prefix = f"tests/control/js/contract-check.js > {runner} > "
        outcomes = {
            name.removeprefix(prefix): t["outcome"]
            for name, t in tests.items()
            if name.startswith(prefix)
        }
        assert outcomes == {
            "keeps the contract": "passed",
            "passes but breaks the contract": "failed",
            "passes but breaks the contract, done-style": "failed",
            "fails its own assertion": "failed",
            "runs after them": "passed",
        }, runner
        broken = tests[prefix + "passes but breaks the contract"]
        assert broken["message"].startswith("1 contract violation(s) on the seams in this test:")
        assert "version" in broken["message"]
        assert "418" in tests[prefix + "fails its own assertion"]["message"]
        assert seams_of(broken) == ["test -> api"]
    # Mocha's other endings; a retried attempt is a rerun, not a failure of the run
    report = json.loads((out / "report.json").read_text())
    prefix = "tests/control/js/mocha-outcomes.js > "
    endings = [
        (t["id"].removeprefix(prefix), t["outcome"], t["message"])
        for t in report["tests"]
        if t["id"].startswith(prefix)
    ]
    assert endings == [
        ("outcomes > passes on its second attempt", "rerun", "the first attempt fails"),
        ("outcomes > passes on its second attempt", "passed", ""),
        ("outcomes > skips itself", "skipped", ""),
        ("broken setup > never runs", "error", "did not run: a beforeEach hook failed"),
    ]


@pytest.mark.parametrize("contracts", ["warn", "off"])
def test_under_contracts_warn_jest_and_mocha_print_the_violations_and_the_tests_pass(
    contracts, write_config, run_root, tmp_path
):
    base = contracted_system(write_config, contracts)
    out = tmp_path / "out"
    argv = ["run", str(base), "--report-dir", str(out), "--", "sh", "-c", contract_check_runners()]
    done = seamline(*argv, run_root=run_root, cwd=REPO)

    output = done.stdout + done.stderr
    assert done.returncode == 1, output[-3000:]  # jest's: its own assertion failed
    assert "4 passing" in done.stdout and "1 failing" in done.stdout  # mocha's
    assert "Tests:       1 failed, 4 passed, 5 total" in done.stderr  # jest's
    warned = [line for line in output.splitlines() if "contract violation(s)" in line]
    if contracts == "off":
        assert warned == []
    else:  # one warning per test that broke the contract, naming it, then the violation
        for runner in ("mocha", "jest"):
            prefix = f"tests/control/js/contract-check.js > {runner} > passes but breaks"
            assert len([line for line in warned if prefix in line]) == 2, warned
        violation = "  test -> api: GET /pid response 200: body.version: expected a value"
        assert output.count(violation) == 4, output[-3000:]
    outcomes = {t["id"].rsplit(" > ", 1)[1]: t["outcome"] for t in report_tests(out).values()}
    assert outcomes == {
        "keeps the contract": "passed",
        "passes but breaks the contract": "passed",
        "passes but breaks the contract, done-style": "passed",
        "fails its own assertion": "failed",
        "runs after them": "passed",
    }
