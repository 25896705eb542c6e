"""A broker's AsyncAPI document on its message seams: every message crossing them is checked,
and a test whose messages break it fails as a test breaking an HTTP contract does."""

from __future__ import annotations

import asyncio
import json

import pytest

from seamline.seams.assertions import eventually
from seamline.system.harness import Harness
from tests.messages.conftest import config

EVENTS = """\
asyncapi: 3.0.0
info: {title: shop events, version: "1"}
channels:
  orderPaid:
    address: order.paid
    messages:
      orderPaid:
        payload:
          type: object
          required: [order_id]
          properties: {order_id: {type: integer}}
"""


@pytest.fixture
def checked_bus(write_config, start_system):
    """The pub/sub worker behind a Redis `bus` whose events.yaml declares `order.paid`."""
    path = write_config(
        config("pubsub").replace('kind = "redis"', 'kind = "redis"\nasyncapi = "events.yaml"')
    )
    (path.parent / "events.yaml").write_text(EVENTS)
    system = start_system(path)
    Harness(system).begin_test("t")
    return system


def test_a_message_that_keeps_the_contract_crosses_without_violations(checked_bus):
    checked_bus.publish("bus", "order.paid", json.dumps({"order_id": 7}))
    eventually(lambda: checked_bus.messages("bus", delivered_to="fulfilment").one())
    assert checked_bus.seams.violations() == []


def test_a_wrong_field_is_named_on_every_seam_it_crossed(checked_bus):
    checked_bus.publish("bus", "order.paid", json.dumps({"order_id": "7"}))
    eventually(lambda: checked_bus.messages("bus", delivered_to="fulfilment").one())
    assert [v.message for v in checked_bus.seams.violations()] == [
        "test -> bus: channel order.paid published: payload.order_id: expected integer, "
        "found string '7'",
        "fulfilment -> bus: channel order.paid delivered: payload.order_id: expected integer, "
        "found string '7'",
    ]
    delivered = checked_bus.messages("bus", delivered_to="fulfilment").one()
    assert delivered.violations[0].pointer == "/order_id"
    with pytest.raises(AssertionError) as failure:  # what crossed is listed with what broke
        checked_bus.messages("bus", subject="order.shipped").one()
    assert (
        'fulfilment -> bus delivered order.paid: {"order_id": "7"} (breaks the contract: '
        "channel order.paid delivered: payload.order_id: expected integer, found string '7')"
    ) in str(failure.value)


def test_violations_expected_in_a_block_do_not_count(checked_bus):
    with checked_bus.seams.expect_violations() as seen:
        checked_bus.publish("bus", "order.paid", "{}")
        eventually(lambda: checked_bus.messages("bus", delivered_to="fulfilment").one())
    assert {v.seam for v in seen} == {"test -> bus", "fulfilment -> bus"}
    assert checked_bus.seams.violations() == []


TESTS = """
import pytest


def test_keeps_the_contract(system):
    system.publish("bus", "order.paid", '{"order_id": 7}')


def test_breaks_the_contract(system):
    system.publish("bus", "order.paid", '{"order_id": "7"}')


@pytest.mark.expect_violations
def test_breaks_it_on_purpose(system):
    system.publish("bus", "order.paid", '{}')
"""


def test_a_broken_event_contract_fails_the_test_at_teardown(pytester, run_root, monkeypatch):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    (pytester.path / "seamline.toml").write_text(
        '[services.bus]\nkind = "redis"\nasyncapi = "events.yaml"\n'
    )
    (pytester.path / "events.yaml").write_text(EVENTS)
    (pytester.path / "test_events.py").write_text(TESTS)
    result = pytester.runpytest_subprocess("-p", "no:hypothesispytest", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_breaks_the_contract*",
            "*1 contract violation(s) on the seams in this test:*",
            "*test -> bus: channel order.paid published: payload.order_id: expected integer, "
            "found string '7'*",
        ]
    )


EVENTS_2_6 = """\
asyncapi: 2.6.0
info: {title: shop events, version: "1"}
channels:
  order.paid:
    subscribe:
      message:
        headers:
          type: object
          required: [trace_id]
          properties: {trace_id: {type: string, pattern: "^t-"}}
        payload:
          type: object
          required: [order_id]
          properties: {order_id: {type: integer}}
"""


def test_a_nats_broker_checks_headers_against_an_asyncapi_2_6_document(write_config, start_system):
    nats = pytest.importorskip("nats", reason="nats-py is not installed: pip install nats-py")
    path = write_config('[services.bus]\nkind = "nats"\nasyncapi = "events.yaml"\n')
    (path.parent / "events.yaml").write_text(EVENTS_2_6)
    system = start_system(path)
    Harness(system).begin_test("t")

    async def publish() -> None:
        client = await nats.connect(system.url("bus"))
        await client.publish("order.paid", b'{"order_id": 7}', headers={"trace_id": "t-1"})
        await client.publish("order.paid", b'{"order_id": 8}', headers={"trace_id": "x"})
        await client.publish("order.paid", b'{"order_id": 9}')
        await client.flush()
        await client.close()

    asyncio.run(publish())
    eventually(lambda: system.messages("bus", published_by="test").count == 3)
    assert [v.message for v in system.seams.violations()] == [
        "test -> bus: channel order.paid published: header trace_id: expected pattern ^t-, "
        "found string 'x'",
        "test -> bus: channel order.paid published: header trace_id: expected a value "
        "(the field is required), found nothing",
    ]


def test_contracts_off_neither_reads_nor_applies_the_document(write_config, start_system):
    path = write_config('contracts = "off"\n[services.bus]\nkind = "redis"\nasyncapi = "e.yaml"\n')
    (path.parent / "e.yaml").write_text(EVENTS.replace("type: integer", "type: integr"))
    system = start_system(path)  # an invalid document: not read at all
    Harness(system).begin_test("t")
    system.publish("bus", "order.paid", json.dumps({"order_id": "7"}))
    assert system.messages("bus", published_by="test").one().violations == []
    assert system.seams.violations() == []
