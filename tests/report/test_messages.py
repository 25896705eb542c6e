"""Broker messages in the report: in their test, in the sequence diagram between the exchanges
that caused them, in the timeline, with their contract violations; report.json keeps its schema."""

from __future__ import annotations

import json

import jsonschema

from seamline.report import build, github_summary, schema_path
from seamline.report.model import build_model, load_records
from seamline.report.options import ReportOptions
from tests.report.message_records import write_message_run
from tests.report.shop_records import T


def checkout(tmp_path) -> dict:
    run = write_message_run(tmp_path / "runs")
    options = ReportOptions()
    (test,) = build_model(load_records([run.path], options), options)["tests"]
    return test


def test_messages_belong_to_their_test_with_their_services_and_seams(tmp_path):
    test = checkout(tmp_path)
    assert [(m["seam"], m["direction"], m["subject"] or m["queue"]) for m in test["messages"]] == [
        ("api -> bus", "published", "celery"),
        ("api -> bus", "published", "order.paid"),
        ("fulfilment -> bus", "delivered", "order.paid"),
    ]
    assert test["messages"][0]["task"]["name"] == "shop.tasks.ship"
    assert test["messages"][2]["payload"]["kind"] == "json"
    assert test["counts"]["messages"] == 3
    assert {"bus", "fulfilment"} <= set(test["services"])
    assert {"api -> bus", "fulfilment -> bus"} <= set(test["seams"])


def test_the_diagram_puts_each_message_between_the_exchanges_that_caused_it(tmp_path):
    diagram = checkout(tmp_path)["diagram"]
    assert diagram["participants"] == ["test", "api", "payments", "bus", "fulfilment"]
    steps = [
        (step.get("exchange", step.get("message")), step["kind"], step["from"], step["to"])
        for step in diagram["steps"]
    ]
    assert steps == [
        (0, "request", 0, 1),  # test -> api
        (1, "request", 1, 2),  # api -> payments
        (1, "response", 2, 1),
        (0, "published", 1, 3),  # api -> bus, while the order is being answered
        (1, "published", 1, 3),
        (0, "response", 1, 0),
        (2, "delivered", 3, 4),  # bus -> fulfilment, after the answer
    ]


def test_the_timeline_and_the_violations_point_into_the_messages(tmp_path):
    test = checkout(tmp_path)
    assert test["timeline"] == [
        ["exchange", 0],
        ["exchange", 1],
        ["message", 0],
        ["message", 1],
        ["message", 2],
    ]
    (violation,) = test["violations"]
    assert violation["message_index"] == 2 and "exchange" not in violation
    assert violation["message"] == (
        "fulfilment -> bus: channel order.paid delivered: payload.order_id: expected integer, "
        "found string '7'"
    )
    assert test["counts"]["violations"] == 1


def test_report_json_with_messages_keeps_the_published_schema(tmp_path):
    run = write_message_run(tmp_path / "runs")
    report = json.loads(build([run.path], tmp_path / "out", environ={}).json.read_text())
    schema = json.loads(schema_path().read_text())
    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    assert report["summary"]["violations"] == 1


def test_the_seam_summary_counts_each_message_seams_messages_faults_acks_and_violations(
    tmp_path,
):
    run = write_message_run(tmp_path / "runs")
    with run.test(T + "test_a_lost_order_is_not_shipped") as test:
        test.broker_message("api -> bus", "published", subject="order.paid", fault="drop")
        test.broker_message("fulfilment -> bus", "delivered", subject="order.paid", ack="acked")
        test.broker_message("fulfilment -> bus", "delivered", subject="order.paid", ack="unacked")
    run.finish()
    paths = build([run.path], tmp_path / "out", environ={})
    report = json.loads(paths.json.read_text())
    jsonschema.validate(
        report, json.loads(schema_path().read_text()), cls=jsonschema.Draft202012Validator
    )
    seams = {seam["name"]: seam for seam in report["seams"]}
    figures = ("kind", "published", "delivered", "acks", "unacked", "faults", "violations")
    assert {name: [seams[name][f] for f in figures] for name in seams} == {
        "api -> bus": ["message", 3, 0, {}, 0, 1, 0],
        "fulfilment -> bus": ["message", 0, 3, {"acked": 1, "unacked": 1}, 1, 0, 1],
        "test -> api": ["http", 0, 0, {}, 0, 0, 0],
        "api -> payments": ["http", 0, 0, {}, 0, 0, 0],
    }
    assert seams["api -> bus"]["declared"] and not seams["fulfilment -> bus"]["declared"]
    page = paths.html.read_text()
    table = page[page.index("<caption>Message seams</caption>") :]
    table = table[: table.index("</table>")]
    for text in ("fulfilment -> bus", "acked 1", "unacked 1", "BUS_URL"):
        assert text.replace(">", "&gt;") in table, text
    summary = github_summary(report)
    assert "| `fulfilment -> bus` | 0 published, 3 delivered, 1 unacked |" in summary
    assert "| `test -> api` | 1 | real 1 |" in summary
