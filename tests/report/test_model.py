"""The report's data: records grouped by test, diagrams, timelines, merged workers, budgets."""

from __future__ import annotations

import json

import pytest

from seamline.masking import MASK
from seamline.report.budget import detail_size
from seamline.report.model import build_model, load_records
from seamline.report.options import ReportOptions
from tests.report.records_builder import RunBuilder
from tests.report.shop_records import T, write_shop_run


def model_of(*runs: RunBuilder, **options: object) -> dict:
    chosen = ReportOptions(**options)  # type: ignore[arg-type]
    return build_model(load_records([run.path for run in runs], chosen), chosen)


def by_name(model: dict) -> dict[str, dict]:
    return {test["id"].removeprefix(T): test for test in model["tests"]}


@pytest.fixture
def shop(tmp_path) -> RunBuilder:
    return write_shop_run(tmp_path)


def test_each_exchange_change_and_log_line_belongs_to_the_test_it_happened_in(shop):
    tests = by_name(model_of(shop))
    checkout = tests["test_checkout_stores_the_order"]
    assert [x["seam"] for x in checkout["exchanges"]] == ["test -> api", "api -> payments"]
    assert [(c["table"], c["op"]) for c in checkout["db_changes"]] == [
        ("orders", "insert"),
        ("carts", "update"),
        ("cart_items", "delete"),
    ]
    assert [line["service"] for line in checkout["logs"]] == ["api", "payments"]
    assert tests["test_create_user"]["logs"][0]["text"] == "created user 1 <ada@example.com>"
    assert len(tests["test_catalog_and_logo"]["logs"]) == 30
    session = tests["(outside tests)"]
    assert session["outcome"] == "session"
    assert [x["request"]["target"] for x in session["exchanges"]] == ["/health"]
    assert [line["text"] for line in session["logs"]][1] == "payments sandbox ready"
    assert model_of(shop)["tests"][-1]["id"] == "(outside tests)"  # listed after the tests


def test_the_summary_counts_outcomes_exchanges_violations_faults_and_changes(shop):
    summary = model_of(shop)["summary"]
    assert summary["outcomes"] == {"passed": 5, "failed": 2, "skipped": 1}
    assert (summary["tests"], summary["failed"], summary["finished"]) == (8, 2, True)
    assert (summary["exchanges"], summary["violations"], summary["faults"]) == (16, 2, 3)
    assert summary["db_changes"] == 4
    assert summary["duration_s"] == pytest.approx(5.05, abs=0.01)


def test_seams_show_their_modes_outcomes_and_latency(shop):
    seams = {seam["name"]: seam for seam in model_of(shop)["seams"]}
    payments = seams["api -> payments"]
    assert payments["variable"] == "PAYMENTS_URL" and payments["declared"]
    assert payments["modes"] == {"real": 3, "fault": 2}
    assert payments["outcomes"] == {"ok": 2, "refused": 1, "timeout": 1, "fault": 1}
    assert (payments["violations"], payments["faults"]) == (2, 3)
    assert payments["max_ms"] == pytest.approx(5000, abs=1)


def test_the_diagram_nests_a_call_made_while_serving_another(shop):
    checkout = by_name(model_of(shop))["test_checkout_stores_the_order"]
    diagram = checkout["diagram"]
    assert diagram["participants"] == ["test", "api", "payments"]
    assert [(s["kind"], s["exchange"], s["from"], s["to"]) for s in diagram["steps"]] == [
        ("request", 0, 0, 1),  # test -> api
        ("request", 1, 1, 2),  # api -> payments
        ("response", 1, 2, 1),
        ("response", 0, 1, 0),
    ]


def test_the_timeline_interleaves_exchanges_changes_and_logs_by_time(shop):
    checkout = by_name(model_of(shop))["test_checkout_stores_the_order"]
    assert checkout["timeline"] == [
        ["exchange", 0],
        ["log", 0],  # api: charging card ...
        ["exchange", 1],
        ["db", 0],
        ["db", 1],
        ["db", 2],
        ["log", 1],  # payments: charge ch_1
    ]


def test_violations_point_into_the_exchange_and_hide_secret_values(shop):
    checkout = by_name(model_of(shop))["test_checkout_stores_the_order"]
    amount, card = checkout["violations"]
    assert (amount["exchange"], amount["pointer"], amount["found"]) == (1, "/amount", "'39.98'")
    assert amount["message"].endswith("body.amount: expected integer, found '39.98'")
    assert card["pointer"] == "/card_number" and card["found"] == MASK
    assert "4242424242424242" not in card["message"]


def test_bodies_are_pretty_masked_and_bounded_with_their_full_size(shop):
    tests = by_name(model_of(shop, body_limit=2000))
    catalog, logo, about = tests["test_catalog_and_logo"]["exchanges"]
    big = catalog["response"]["body"]
    assert big["truncated"] and big["clipped"] and big["size"] > 2_000_000
    assert len(big["text"]) == big["shown"] == 2000
    assert logo["response"]["body"]["kind"] == "binary" and logo["response"]["body"]["text"] == ""
    assert about["response"]["body"]["text"].startswith("<h1>About</h1>")  # escaped when drawn
    login, orders = tests["test_login_sets_a_session"]["exchanges"]
    assert login["request"]["body"] == {**login["request"]["body"], "kind": "form"}
    assert login["request"]["body"]["text"] == f"user=ada&password={MASK}"
    assert orders["request"]["target"] == f"/orders?access_token={MASK}&page=2"
    charge = tests["test_checkout_stores_the_order"]["exchanges"][1]
    assert json.loads(charge["request"]["body"]["text"])["cvv"] == MASK


def test_a_killed_run_still_reports_with_its_last_test_unfinished(tmp_path):
    model = model_of(write_shop_run(tmp_path, killed=True))
    last = by_name(model)["test_double_submit"]
    assert last["outcome"] == "unfinished" and last["ended"]
    assert [line["text"] for line in last["logs"]] == ["double submit: waiting for lock"]
    assert model["summary"]["finished"] is False and model["summary"]["failed"] == 3
    assert any("did not finish" in problem for problem in model["problems"])


def test_xdist_workers_record_dirs_merge_into_one_report(tmp_path):
    gw0 = RunBuilder(tmp_path, worker="gw0")
    gw1 = RunBuilder(tmp_path, worker="gw1", clock=gw0.clock)  # one wall clock, two workers
    for run, name in ((gw0, "test_a"), (gw1, "test_b"), (gw0, "test_c")):
        run.service("api", "process", f"http://127.0.0.1:90{len(name)}")
        run.clock.advance(10)
        with run.test(f"t.py::{name}") as test:
            test.log("api", f"serving {name} on {run.worker}")
            test.exchange("test -> api", "GET", f"/{name}", status=200, text="ok")
            test.passed()
    gw0.finish(), gw1.finish()
    model = model_of(gw0, gw1)
    tests = model["tests"]
    assert [(t["id"], t["worker"]) for t in tests] == [
        ("t.py::test_a", "gw0"),
        ("t.py::test_b", "gw1"),
        ("t.py::test_c", "gw0"),
    ]
    assert len({t["key"] for t in tests}) == 3
    assert [t["logs"][0]["text"] for t in tests] == [
        "serving test_a on gw0",
        "serving test_b on gw1",
        "serving test_c on gw0",
    ]
    assert model["services"][0]["workers"] == 2
    assert model["seams"][0]["exchanges"] == 3
    assert [run["worker"] for run in model["runs"]] == ["gw0", "gw1"]


def test_a_rerun_test_gets_one_entry_per_run_with_its_own_exchanges(tmp_path):
    run = RunBuilder(tmp_path)
    for attempt, outcome in ((1, "failed"), (2, "passed")):
        with run.test("t.py::test_flaky") as test:
            test.exchange("test -> api", "GET", f"/try/{attempt}", status=200)
            test.fail("flaky", "", outcome=outcome)
    first, second = model_of(run)["tests"]
    assert (first["outcome"], second["outcome"]) == ("failed", "passed")
    assert first["key"] != second["key"]
    assert first["exchanges"][0]["request"]["target"] == "/try/1"
    assert second["exchanges"][0]["request"]["target"] == "/try/2"


def test_over_budget_the_biggest_passed_tests_are_shortened_first(shop):
    whole = model_of(shop)
    catalog_size = detail_size(by_name(whole)["test_catalog_and_logo"])
    budget = whole["summary"]["detail_bytes"] - catalog_size // 2
    model = model_of(shop, size_budget=budget)
    tests = by_name(model)
    catalog = tests["test_catalog_and_logo"]
    assert catalog["trimmed"] and "record dir" in catalog["trimmed"]
    assert detail_size(catalog) < catalog_size
    assert [name for name, t in tests.items() if t["trimmed"]] == ["test_catalog_and_logo"]
    assert model["summary"]["detail_bytes"] == sum(detail_size(t) for t in model["tests"])
    assert model["summary"]["detail_bytes"] <= budget


def test_far_over_budget_failed_tests_keep_their_exchanges_and_passed_ones_their_counts(shop):
    tests = by_name(model_of(shop, size_budget=1))
    checkout = tests["test_checkout_stores_the_order"]
    assert checkout["trimmed"].startswith("bodies cut to 1024 characters")
    assert len(checkout["exchanges"]) == 2 and checkout["exchanges"][0]["request"]["headers"]
    catalog = tests["test_catalog_and_logo"]
    assert catalog["exchanges"] == [] and catalog["counts"]["exchanges"] == 3
    assert catalog["trimmed"].startswith("exchanges, database changes and logs left out")


def test_the_summary_and_seam_figures_count_what_the_budget_left_out(shop):
    whole, small = model_of(shop), model_of(shop, size_budget=1)
    assert by_name(small)["test_catalog_and_logo"]["exchanges"] == []  # left out
    assert small["seams"] == whole["seams"]
    figures = ("exchanges", "violations", "faults", "db_changes")
    assert [small["summary"][f] for f in figures] == [whole["summary"][f] for f in figures]


def test_log_lines_beyond_the_limit_keep_the_start_and_the_end(shop):
    catalog = by_name(model_of(shop, log_lines_per_test=8))["test_catalog_and_logo"]
    assert [line["text"][-2:].strip() for line in catalog["logs"]] == [
        "0", "1", "24", "25", "26", "27", "28", "29",
    ]  # fmt: skip
    assert (catalog["logs_omitted"], catalog["logs_omitted_at"]) == (22, 2)
    assert catalog["counts"]["log_lines"] == 30


def test_at_equal_times_the_inner_exchange_closes_before_the_outer_one():
    from seamline.report.testview import sequence_diagram

    outer = {"consumer": "test", "provider": "api", "mono": 1.0, "duration_ms": 500.0}
    inner = {"consumer": "api", "provider": "payments", "mono": 1.25, "duration_ms": 250.0}
    steps = sequence_diagram([outer, inner])["steps"]
    assert [(s["kind"], s["exchange"]) for s in steps] == [
        ("request", 0),
        ("request", 1),
        ("response", 1),
        ("response", 0),
    ]


def test_json_bodies_are_masked_whether_or_not_they_name_a_secret(tmp_path):
    run = RunBuilder(tmp_path)
    token = run.secret("tok_abcdef123456")
    with run.test("t.py::test_bodies") as test:
        test.exchange("test -> api", "POST", "/login", req_json={"token": token}, status=200,
                      json={"note": f"welcome, {token}", "id": 1})  # fmt: skip
        escaped = '{"p\\u0061ssword": "hunter22", "id": 2}'  # a secret key spelled with escapes
        opened = test.open("test -> api", "POST", "/users", text=escaped,
                           headers=[("content-type", "application/json")])  # fmt: skip
        test.close(opened, status=201)
        test.passed()
    (test_view,) = model_of(run)["tests"]
    login, users = test_view["exchanges"]
    assert json.loads(login["request"]["body"]["text"]) == {"token": MASK}
    # no secret name in it: the text as sent, with the learned token scrubbed
    assert login["response"]["body"]["text"] == f'{{"note": "welcome, {MASK}", "id": 1}}'
    assert json.loads(users["request"]["body"]["text"]) == {"password": MASK, "id": 2}
