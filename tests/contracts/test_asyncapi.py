"""AsyncAPI 2.x and 3.0 documents: messages checked against their channel's message, and an
invalid document refused with the file, line and place of each problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seamline.contracts import ContractError
from seamline.contracts.asyncapi import EventContract
from seamline.records.exchange import Body, HeaderList
from seamline.records.message import Message

V3 = """\
asyncapi: 3.0.0
info: {title: shop events, version: "1"}
channels:
  orderPaid:
    address: order.paid
    messages:
      orderPaid: {$ref: "#/components/messages/OrderPaid"}
  shipments:
    address: shipments.{region}
    messages:
      shipped: {payload: {type: object, required: [order_id]}}
      returned: {payload: {type: object, required: [return_id]}}
  ship:
    messages:
      task:
        payload: {type: object, required: [order_id]}
operations:
  sendOrderPaid:
    action: send
    channel: {$ref: "#/channels/orderPaid"}
components:
  messages:
    OrderPaid:
      headers:
        type: object
        required: [trace_id]
        properties: {trace_id: {type: string}}
      payload: {$ref: "#/components/schemas/OrderPaid"}
  schemas:
    OrderPaid:
      type: object
      required: [order_id, amount]
      properties:
        order_id: {type: integer}
        amount: {type: integer, minimum: 0}
"""

V2 = """\
asyncapi: 2.6.0
info: {title: shop events, version: "1"}
channels:
  order.paid:
    subscribe:
      message: {$ref: "#/components/messages/OrderPaid"}
  shipments.{region}:
    publish:
      message:
        oneOf:
          - payload: {type: object, required: [order_id]}
          - payload: {type: object, required: [return_id]}
  ship:
    publish:
      message:
        payload: {type: object, required: [order_id]}
components:
  messages:
    OrderPaid:
      headers:
        type: object
        required: [trace_id]
        properties: {trace_id: {type: string}}
      payload:
        type: object
        required: [order_id, amount]
        properties:
          order_id: {type: integer}
          amount: {type: integer, minimum: 0}
"""


def message(
    subject: str | None,
    payload: object,
    headers: tuple[tuple[str, str], ...] = (("trace_id", "t-1"),),
    **fields: object,
) -> Message:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Message(
        "api",
        "bus",
        "nats",
        "published",
        Body(data, len(data), False),
        subject=subject,
        headers=HeaderList(headers),
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture(params=["2.6", "3.0"])
def contract(request, tmp_path: Path) -> EventContract:
    path = tmp_path / "events.yaml"
    path.write_text(V2 if request.param == "2.6" else V3)
    return EventContract.load(path)


def messages_of(violations: list) -> list[str]:
    return [v.message for v in violations]


def test_a_message_that_keeps_its_channel_schema_passes(contract):
    assert contract.check(message("order.paid", {"order_id": 7, "amount": 3998})) == []


def test_a_wrong_payload_field_is_named_with_the_seam_and_the_channel(contract):
    violations = contract.check(message("order.paid", {"order_id": "7", "amount": 3998}))
    assert messages_of(violations) == [
        "api -> bus: channel order.paid published: payload.order_id: expected integer, "
        "found string '7'"
    ]
    (violation,) = violations
    assert (violation.seam, violation.where, violation.pointer) == (
        "api -> bus",
        "published",
        "/order_id",
    )


def test_a_missing_header_and_field_are_both_named(contract):
    violations = contract.check(message("order.paid", {"order_id": 7}, headers=()))
    assert messages_of(violations) == [
        "api -> bus: channel order.paid published: payload.amount: expected a value "
        "(the field is required), found nothing",
        "api -> bus: channel order.paid published: header trace_id: expected a value "
        "(the field is required), found nothing",
    ]


def test_a_payload_that_is_not_json_is_named(contract):
    (violation,) = contract.check(message("order.paid", b"order 7 paid"))
    assert violation.message.endswith("payload: expected a JSON payload, found 'order 7 paid'")


def test_a_parameter_matches_one_part_and_several_messages_need_one_fit(contract):
    assert contract.check(message("shipments.eu", {"return_id": 1})) == []
    (violation,) = contract.check(message("shipments.eu", {"parcel": 1}))
    assert violation.operation == "channel shipments.eu"
    assert contract.channel("shipments.eu.north") is None


def test_the_queue_is_the_channel_when_the_subject_is_not_declared(contract):
    stream_entry = message(None, {"order_id": "7", "amount": 1}, queue="order.paid")
    assert "payload.order_id: expected integer" in contract.check(stream_entry)[0].message


def test_a_celery_task_is_checked_as_its_keyword_arguments(contract):
    task = {"name": "ship", "id": "1", "retries": 0, "args": [], "kwargs": {"order": 7}}
    (violation,) = contract.check(message(None, {"envelope": 1}, queue="celery", task=task))
    assert violation.message == (
        "api -> bus: channel ship published: payload.order_id: "
        "expected a value (the field is required), found nothing"
    )
    task["kwargs"] = {"order_id": 7}
    assert contract.check(message(None, {"envelope": 2}, queue="celery", task=task)) == []
    task["args"], task["kwargs"] = [7], {}  # no names to check: the call is shown as it was
    called = contract.check(message(None, {"envelope": 3}, queue="celery", task=task))
    assert [v.pointer for v in called] == ["/order_id"]
    # the task's name is its channel before its subject (AMQP's routing key)
    on_both = contract.check(message("order.paid", {"order_id": 7, "amount": 1}, task=task))
    assert {v.operation for v in on_both} == {"channel ship"}


def test_undeclared_channels_and_cut_payloads_are_not_checked(contract):
    assert contract.check(message("celery-task-meta-1", {"anything": True})) == []
    cut = message("order.paid", {"order_id": "7"})
    cut.payload = Body(cut.payload.data[:5], 40, True)
    assert contract.check(cut) == []


INVALID_V3 = """\
asyncapi: 3.0.0
info:
  title: shop events
channels:
  orderPaid:
    adress: order.paid
    messages:
      orderPaid:
        payload:
          type: objekt
operations:
  sendOrderPaid:
    action: publish
    channel: {$ref: "#/channels/orderPayd"}
"""

INVALID_V2 = """\
asyncapi: 2.6.0
info: {title: shop events, version: "1"}
channels:
  order.paid:
    subscribe:
      mesage: {payload: {type: object}}
    publish:
      message:
        headers: {type: string}
        payload: {type: object, required: order_id}
"""


def test_an_invalid_3_0_document_names_each_problem_with_its_line(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(INVALID_V3)
    with pytest.raises(ContractError) as caught:
        EventContract.load(path)
    shown = str(caught.value)
    assert "the AsyncAPI document is invalid (5 problems)" in shown
    assert f"{path}:2: /info/version: expected the document's version (a string)" in shown
    assert f"{path}:6: /channels/orderPaid/adress" in shown and "did you mean 'address'?" in shown
    assert f"{path}:10: /channels/orderPaid/messages/orderPaid/payload/type" in shown
    assert "did you mean 'object'?" in shown
    assert f"{path}:13: /operations/sendOrderPaid/action: expected send or receive" in shown
    assert f"{path}:14: /operations/sendOrderPaid/channel/$ref" in shown
    assert "'#/channels/orderPayd', which is not there" in shown


def test_an_invalid_2_6_document_names_each_problem_with_its_line(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(INVALID_V2)
    with pytest.raises(ContractError) as caught:
        EventContract.load(path)
    shown = str(caught.value)
    assert f"{path}:6: /channels/order.paid/subscribe/mesage" in shown
    assert "did you mean 'message'?" in shown
    assert f"{path}:9: /channels/order.paid/publish/message/headers/type" in shown
    assert f"{path}:10: /channels/order.paid/publish/message/payload/required" in shown


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("openapi: 3.1.0\ninfo: {title: a, version: '1'}\n", "no 'asyncapi' key"),
        ("asyncapi: 1.2.0\ninfo: {title: a, version: '1'}\n", "string '1.2.0'"),
    ],
)
def test_a_document_that_is_no_asyncapi_seamline_reads_says_which_versions(tmp_path, text, found):
    path = tmp_path / "events.yaml"
    path.write_text(text)
    with pytest.raises(ContractError) as caught:
        EventContract.load(path)
    assert "expected an AsyncAPI version seamline reads (2.0.0 to 2.6.0, or 3.0.0)" in str(
        caught.value
    )
    assert found in str(caught.value)


def test_a_payload_schema_that_is_not_json_schema_is_refused(tmp_path):
    path = tmp_path / "events.yaml"
    ship = "  ship:\n    publish:\n      message:\n"
    avro = V2.replace(ship, ship + '        schemaFormat: "application/vnd.apache.avro"\n')
    path.write_text(avro)
    with pytest.raises(ContractError) as caught:
        EventContract.load(path)
    assert "/channels/ship/publish/message/schemaFormat: expected a JSON Schema format" in str(
        caught.value
    )
