"""Contract checks of exchanges against OpenAPI 3.0 and 3.1 documents: each kind of violation."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from seamline.contracts import Contract, ContractError
from seamline.records.exchange import Body, Exchange, HeaderList, RequestRecord, ResponseRecord

DOC_31 = {
    "openapi": "3.1.0",
    "info": {"title": "payments", "version": "1"},
    "paths": {
        "/charges": {
            "post": {
                "parameters": [{"$ref": "#/components/parameters/Key"}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/ChargeRequest"}
                        }
                    },
                },
                "responses": {
                    "201": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Charge"}}
                        },
                    },
                    "4XX": {
                        "description": "error",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "required": ["error"]}
                            }
                        },
                    },
                },
            },
            "get": {
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer"},
                    }
                ],
                "responses": {"default": {"description": "anything"}},
            },
        },
        "/charges/search": {"get": {"responses": {"200": {"description": "literal wins"}}}},
        "/charges/{id}": {
            "get": {
                "responses": {
                    "200": {
                        "description": "by id",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Charge"}}
                        },
                    }
                }
            }
        },
    },
    "components": {
        "parameters": {
            "Key": {
                "name": "Idempotency-Key",
                "in": "header",
                "required": True,
                "schema": {"type": "string"},
            }
        },
        "schemas": {
            "ChargeRequest": {
                "type": "object",
                "required": ["amount", "currency"],
                "additionalProperties": False,
                "properties": {
                    "amount": {"type": "integer", "minimum": 1},
                    "currency": {"enum": ["USD", "EUR"]},
                },
            },
            "Charge": {
                "type": "object",
                "required": ["id", "amount", "status"],
                "properties": {
                    "id": {"type": "string", "pattern": "^ch_"},
                    "amount": {"type": "integer"},
                    "status": {"enum": ["succeeded", "failed"]},
                    "note": {"type": ["string", "null"]},
                },
            },
        },
    },
}
GOOD_REQUEST = {"amount": 3998, "currency": "USD"}
GOOD_CHARGE = {"id": "ch_1", "amount": 3998, "status": "succeeded", "note": None}
JSON = [("Content-Type", "application/json")]


def exchange(
    method="POST",
    target="/charges",
    request=GOOD_REQUEST,
    status=201,
    response=GOOD_CHARGE,
    headers=(("Idempotency-Key", "k1"),),
    raw=None,
) -> Exchange:
    def body(value):
        data = (
            raw
            if raw is not None and value is response
            else (b"" if value is None else json.dumps(value).encode())
        )
        return Body(data, len(data), False, "application/json")

    req = RequestRecord(method, target, HeaderList([*JSON, *headers]), body(request))
    resp = ResponseRecord(status, "", HeaderList(JSON), body(response)) if status else None
    return Exchange("api -> payments", "api", "payments", req, resp)


@pytest.fixture
def contract() -> Contract:
    return Contract(DOC_31, "payments.yaml")


def messages(contract: Contract, ex: Exchange) -> list[str]:
    return [v.message for v in contract.check(ex)]


def test_an_exchange_that_keeps_the_contract_has_no_violations(contract):
    assert contract.check(exchange()) == []
    assert contract.check(exchange(status=402, response={"error": {"code": "declined"}})) == []
    assert contract.check(exchange("GET", "/charges?limit=5", None, 200, [])) == []


def test_wrong_type_in_the_response_names_seam_operation_field_expected_and_found(contract):
    bad = {**GOOD_CHARGE, "amount": "39.98"}
    assert messages(contract, exchange(response=bad)) == [
        "api -> payments: POST /charges response 201: body.amount: expected integer, "
        "found string '39.98'"
    ]
    violation = contract.check(exchange(response=bad))[0]
    assert (violation.pointer, violation.where, violation.status) == ("/amount", "response", 201)


def test_missing_required_fields_are_each_reported(contract):
    found = messages(contract, exchange(response={"amount": 1}))
    assert (
        "api -> payments: POST /charges response 201: body.id: expected a value "
        "(the field is required), found nothing" in found
    )
    assert any("body.status" in m for m in found)
    assert len(found) == 2


@pytest.mark.parametrize(
    ("request_body", "fragment"),
    [
        ({"amount": 0, "currency": "USD"}, "body.amount: expected minimum 1, found integer 0"),
        (
            {"amount": 1, "currency": "usd"},
            'body.currency: expected one of "USD", "EUR", found string',
        ),
        (
            {"amount": 1, "currency": "USD", "x": 1},
            "expected no properties beyond amount, currency",
        ),
        ({"currency": "USD"}, "request: body.amount: expected a value (the field is required)"),
    ],
)
def test_request_body_violations(contract, request_body, fragment):
    found = messages(contract, exchange(request=request_body))
    assert any(fragment in m for m in found), found


def test_required_parameters_and_body(contract):
    assert messages(contract, exchange(headers=())) == [
        "api -> payments: POST /charges request: header Idempotency-Key: expected the required "
        "header parameter 'Idempotency-Key', found it missing"
    ]
    assert any(
        "query limit" in m for m in messages(contract, exchange("GET", "/charges", None, 200, []))
    )
    assert any(
        "expected a request body, found an empty body" in m
        for m in messages(contract, exchange(request=None))
    )


def test_undeclared_status_and_unknown_operation(contract):
    assert messages(contract, exchange(status=500, response={"x": 1})) == [
        "api -> payments: POST /charges response 500: status: expected one of the declared "
        "statuses (201, 4XX), found 500"
    ]
    found = messages(contract, exchange("DELETE", "/charges"))
    assert found and "expected an operation declared in payments.yaml" in found[0]
    assert "'DELETE /charges'" in found[0]


def test_body_that_is_not_json_where_json_is_declared(contract):
    found = messages(contract, exchange(raw=b"<html>oops</html>"))
    assert found == [
        "api -> payments: POST /charges response 201: body: expected a JSON body, "
        "found '<html>oops</html>'"
    ]


def test_literal_paths_win_over_templates(contract):
    assert contract.operation("GET", "/charges/search").template == "/charges/search"
    assert contract.operation("GET", "/charges/ch_9").template == "/charges/{id}"
    assert contract.operation("GET", "/charges/a/b") is None


def test_openapi_30_nullable_and_refs(tmp_path: Path):
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/X"}}
                            },
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "X": {"type": "object", "properties": {"n": {"type": "integer", "nullable": True}}}
            }
        },
    }
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    contract = Contract.load(path)
    assert contract.check(exchange("GET", "/x", None, 200, {"n": None})) == []
    assert messages(contract, exchange("GET", "/x", None, 200, {"n": "1"}))[0].endswith(
        "body.n: expected integer, found string '1'"
    )


def test_a_document_that_is_not_openapi_3_is_refused_with_the_reason(tmp_path: Path):
    (tmp_path / "swagger.yaml").write_text("swagger: '2.0'\n")
    with pytest.raises(ContractError, match=r"expected an OpenAPI 3.0 or 3.1 document"):
        Contract.load(tmp_path / "swagger.yaml")
    (tmp_path / "broken.yaml").write_text("openapi: [\n")
    with pytest.raises(ContractError, match=r"cannot read the OpenAPI document"):
        Contract.load(tmp_path / "broken.yaml")


SHOP_CHARGE = {
    "id": "ch_" + "0" * 24,
    "amount": 3998,
    "currency": "USD",
    "status": "succeeded",
    "card_last4": "4242",
    "description": None,
    "idempotency_key": "k1",
    "failure_code": None,
    "failure_message": None,
    "created": "2026-11-30T12:00:00Z",
}


def test_the_shop_payments_contract_loads_and_catches_amount_as_a_string():
    shop = Path(__file__).parents[2] / "examples" / "shop" / "contracts" / "payments.yaml"
    contract = Contract.load(shop)
    assert {op.label for op in contract.operations} >= {"POST /charges", "GET /charges/{charge_id}"}
    request = {"amount": 3998, "currency": "USD", "card_number": "4242424242424242"}
    assert contract.check(exchange(request=request, response=SHOP_CHARGE)) == []
    as_a_string = exchange(request=request, response={**SHOP_CHARGE, "amount": "39.98"})
    assert messages(contract, as_a_string) == [
        "api -> payments: POST /charges response 201: body.amount: expected integer, "
        "found string '39.98'"
    ]


def test_a_cors_preflight_is_not_an_operation_to_check(contract):
    preflight = exchange(
        "OPTIONS",
        "/charges",
        None,
        200,
        None,
        headers=(("Origin", "http://127.0.0.1:1"), ("Access-Control-Request-Method", "POST")),
    )
    assert contract.check(preflight) == []
    plain_options = exchange("OPTIONS", "/charges", None, 200, None)
    assert "expected an operation declared" in messages(contract, plain_options)[0]


def test_a_document_checked_already_is_loaded_without_checking_its_schemas_again(
    tmp_path: Path,
) -> None:
    """System.start checks every document first (cached once valid): loading the contracts
    for the seams then skips the check, which is most of the load's time."""
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"Bad": {"type": "no-such-type"}}},
    }
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ContractError):
        Contract.load(path)
    assert [op.template for op in Contract.load(path, checked=True).operations] == ["/a"]


def test_a_stub_servers_unmatched_404_is_named_as_that_not_checked_as_the_providers(contract):
    def answered(*headers: tuple[str, str]) -> Exchange:
        sent = exchange(status=404, raw=b"Request was not matched")
        response = dataclasses.replace(sent.response, headers=HeaderList(list(headers)))
        return dataclasses.replace(sent, mode="stub", response=response)

    assert messages(contract, answered(("Content-Type", "text/plain"))) == [
        "api -> payments: POST /charges response 404: stub: expected a stub matching the "
        "request (the seam is on a stub), found none: the 404 is the stub server's list of near "
        "misses, in the exchange's body; add a stub for it or switch the seam to real"
    ]
    matched = answered(*JSON, ("Matched-Stub-Id", "s-1"))  # a stub's own 404: the provider's
    assert messages(contract, matched) == [
        "api -> payments: POST /charges response 404: body: expected a JSON body, "
        "found 'Request was not matched'"
    ]
