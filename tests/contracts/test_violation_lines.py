"""One problem, one violation line: schemas that say the same thing twice (allOf of a shared
base and an extension) do not repeat it."""

from __future__ import annotations

from seamline.contracts import Contract
from tests.contracts.test_openapi import exchange

BASE = {
    "type": "object",
    "required": ["amount"],
    "properties": {"amount": {"type": "integer"}},
}
DOC = {
    "openapi": "3.1.0",
    "info": {"title": "payments", "version": "1"},
    "paths": {
        "/charges": {
            "post": {
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {
                                "schema": {"allOf": [{"$ref": "#/components/schemas/Base"}, BASE]}
                            }
                        },
                    }
                }
            }
        }
    },
    "components": {"schemas": {"Base": BASE}},
}


def test_a_problem_said_by_two_schemas_is_one_violation():
    contract = Contract(DOC, "payments.yaml")
    wrong = [v.message for v in contract.check(exchange(response={"amount": "39.98"}))]
    assert wrong == [
        "api -> payments: POST /charges response 201: body.amount: expected integer, "
        "found string '39.98'"
    ]
    missing = [v.message for v in contract.check(exchange(response={}))]
    assert len(missing) == 1, missing
