"""The `db` fixture and per-test isolation inside a real pytest run of a user's suite."""

from __future__ import annotations

import json
import textwrap

import pytest

from tests.db.conftest import config_text, write_files

SUITE = """
import pytest

import httpx

def place_order(system):
    api = system.client("a")
    sql = "INSERT INTO orders (customer_id, total_cents) VALUES (1, 1999) RETURNING id"
    return api.post("/sql", json={"sql": sql}).json()["rows"][0]["id"]

@pytest.mark.parametrize("attempt", range(3))
def test_order_is_stored(system, db, attempt):
    assert db.count("orders") == 1  # the seeded one, whatever the last test did
    oid = place_order(system)
    assert oid == 2  # and the same id every time
    assert db.one("orders", id=oid)["total_cents"] == 1999
    db.assert_changes(inserted={"orders": 1}, updated={}, deleted={})

def test_without_the_db_fixture_still_isolated(system):
    place_order(system)
    place_order(system)

def test_after_a_test_that_did_not_ask_for_db(db):
    assert db.count("orders") == 1

def test_a_failing_data_check_reads_well(system, db):
    place_order(system)
    db.assert_changes(inserted={"orders": 2})
"""


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_db_fixture_isolates_and_records_every_test_of_a_real_run(pytester, kind):
    write_files(pytester.path)
    pytester.makefile(".toml", seamline=config_text(kind, "auto"))
    pytester.makeconftest("from seamline.pytest_db import db, seamline_databases  # noqa: F401\n")
    pytester.makepyfile(test_suite=textwrap.dedent(SUITE))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*database 'db': the rows changed during this test are not the expected ones",
            "*orders*expected    2   found    1   <-- differs",
        ]
    )
    (run,) = (pytester.path / ".seamline" / "runs").iterdir()
    lines = [json.loads(line) for line in (run / "db-changes.jsonl").read_text().splitlines()]
    per_test: dict[str, int] = {}
    for line in lines:
        per_test[line["test"].split("::")[1]] = per_test.get(line["test"].split("::")[1], 0) + 1
    assert per_test == {
        "test_order_is_stored[0]": 1,
        "test_order_is_stored[1]": 1,
        "test_order_is_stored[2]": 1,
        "test_without_the_db_fixture_still_isolated": 2,
        "test_a_failing_data_check_reads_well": 1,
    }
