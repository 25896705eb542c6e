"""A run of the shop whose checkout sends `order.paid` through a broker: the report tests'
records of messages crossing between the HTTP exchanges that caused them."""

from __future__ import annotations

from pathlib import Path

from seamline.records.exchange import Violation
from tests.report.records_builder import RunBuilder
from tests.report.shop_records import T

SHIP = {"name": "shop.tasks.ship", "id": "t-1", "retries": 0, "args": [], "kwargs": {"order_id": 7}}
BROKEN = Violation(
    "fulfilment -> bus",
    "channel order.paid",
    "delivered",
    "/order_id",
    "integer",
    "string '7'",
)


def write_message_run(root: Path) -> RunBuilder:
    """test -> api -> payments, then api publishes a Celery task and order.paid; the worker
    gets order.paid with a payload that breaks the bus's AsyncAPI document."""
    run = RunBuilder(root, system="shop")
    run.service("api", "process", "http://127.0.0.1:9001")
    run.service("payments", "process", "http://127.0.0.1:9002")
    run.service("bus", "redis", "redis://127.0.0.1:6390/0")
    run.seam("api", "bus", "BUS_URL")
    with run.test(T + "test_a_paid_order_is_shipped") as test:
        outer = test.open("test -> api", "POST", "/orders", json={"cart": 1})
        test.exchange("api -> payments", "POST", "/charges", req_json={"amount": 3998}, status=201)
        test.broker_message(
            "api -> bus", "published", queue="celery", json={"body": "..."}, task=SHIP
        )
        test.broker_message("api -> bus", "published", subject="order.paid", json={"order_id": "7"})
        test.close(outer, status=201, json={"order": 7})
        test.broker_message(
            "fulfilment -> bus",
            "delivered",
            subject="order.paid",
            json={"order_id": "7"},
            headers=[("trace_id", "req-1")],
            violations=[BROKEN.to_json()],
        )
        test.fail("1 contract violation(s) on the seams in this test", BROKEN.message)
    run.finish()
    return run
