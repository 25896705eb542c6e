"""`seamline check` validates every document the system will use (OpenAPI documents, WireMock
mappings) and says where each problem is; a run starts only with valid documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seamline import System
from seamline.config import load_config
from seamline.errors import ConfigError
from tests.cli.test_cli import seamline

OPENAPI = """\
openapi: 3.0.3
info: {title: payments, version: "1"}
paths:
  /charges:
    post:
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Charge"}
        "402":
          description: declined
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Declined"}
components:
  schemas:
    Charge:
      type: object
      properties:
        amount:
          type: objekt
"""

GOOD_MAPPING = {
    "name": "ok",
    "request": {"method": "GET", "url": "/a"},
    "response": {"status": 200},
}
BAD_MAPPING = {
    "name": "charge declined",
    "request": {"method": "POST", "urlPathPatern": "/charges"},
    "response": {"status": 402},
}

SYSTEM = """
[services.payments]
command = "{APP} --port {self.port}"
openapi = "payments.yaml"
stubs = "stubs"
[services.auth]
kind = "mock"
mappings = "auth"
[services.api]
command = "{APP} --port {self.port}"
env = { PAYMENTS_URL = "{payments.url}", AUTH_URL = "{auth.url}" }
"""


def write_system(write_config, openapi: str = OPENAPI, bad_mapping: bool = True) -> Path:
    path = write_config(SYSTEM)
    (path.parent / "payments.yaml").write_text(openapi)
    for folder, name in (("stubs/mappings", "payments"), ("auth/mappings", "auth")):
        (path.parent / folder).mkdir(parents=True)
        mappings = [GOOD_MAPPING, BAD_MAPPING] if bad_mapping else [GOOD_MAPPING]
        (path.parent / folder / f"{name}.json").write_text(json.dumps({"mappings": mappings}))
    return path


def test_check_names_every_invalid_document_with_file_line_and_place(write_config, run_root):
    path = write_system(write_config)
    done = seamline("check", str(path), run_root=run_root)
    assert done.returncode == 2, done.stdout + done.stderr
    err = done.stderr
    # the OpenAPI document: the invalid type, and the $ref to a schema that is not there
    assert f"{path.parent / 'payments.yaml'}:23: " in err, err
    assert "/components/schemas/Charge/properties/amount/type" in err and "'objekt'" in err
    assert f"{path.parent / 'payments.yaml'}:16: " in err, err
    assert "#/components/schemas/Declined" in err
    # the mappings of a process's stubs and of a mock service: file, stub and the unknown key
    for folder in ("stubs/mappings/payments.json", "auth/mappings/auth.json"):
        assert str(path.parent / folder) in err, err
    assert err.count("stub 'charge declined'") == 2, err
    assert "urlPathPatern" in err and "urlPathPattern" in err
    assert "4 problems" in err


def test_check_passes_valid_documents(write_config, run_root):
    fixed = OPENAPI.replace("objekt", "integer").replace("Declined", "Charge")
    path = write_system(write_config, fixed, bad_mapping=False)
    done = seamline("check", str(path), run_root=run_root)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("broken", ["openapi", "mapping"])
def test_a_run_does_not_start_with_an_invalid_document(write_config, run_root, broken):
    fixed = OPENAPI.replace("objekt", "integer").replace("Declined", "Charge")
    path = write_system(
        write_config, OPENAPI if broken == "openapi" else fixed, bad_mapping=broken == "mapping"
    )
    system = System.from_config(path, run_root=run_root)
    with pytest.raises(ConfigError) as caught:
        system.start()
    system.stop()
    expected = "'objekt'" if broken == "openapi" else "stub 'charge declined'"
    assert expected in str(caught.value)
    assert list(run_root.iterdir()) == []
    assert load_config(path).name == "system"  # the config itself is valid


EVENTS = """\
asyncapi: 2.6.0
info: {title: events, version: "1"}
channels:
  order.paid:
    subscribe:
      message:
        payload:
          type: object
          properties:
            order_id: {type: integr}
"""


def test_check_names_an_invalid_asyncapi_document_and_a_run_does_not_start(write_config, run_root):
    path = write_config('[services.bus]\nkind = "redis"\nasyncapi = "events.yaml"\n')
    (path.parent / "events.yaml").write_text(EVENTS)
    done = seamline("check", str(path), run_root=run_root)
    assert done.returncode == 2, done.stdout + done.stderr
    where = f"{path.parent / 'events.yaml'}:10: "
    assert where + "/channels/order.paid/subscribe/message/payload/properties/order_id/type" in (
        done.stderr
    )
    assert "did you mean 'integer'?" in done.stderr
    system = System.from_config(path, run_root=run_root)
    with pytest.raises(ConfigError) as caught:
        system.start()
    system.stop()
    assert where in str(caught.value)
    assert list(run_root.iterdir()) == []
    (path.parent / "events.yaml").write_text(EVENTS.replace("integr", "integer"))
    assert seamline("check", str(path), run_root=run_root).returncode == 0


def test_a_valid_document_is_checked_once_and_a_changed_one_again(
    write_config, tmp_path, monkeypatch
):
    from seamline.system.documents import document_problems

    monkeypatch.setenv("SEAMLINE_CACHE_DIR", str(tmp_path / "cache"))
    broken = OPENAPI.replace("/Declined", "/Charge")  # only the `objekt` type is wrong
    valid = broken.replace("type: objekt", "type: object")
    config_path = write_system(write_config, openapi=valid, bad_mapping=False)
    assert document_problems(load_config(config_path)) == []
    marks = list((tmp_path / "cache" / "documents").iterdir())
    assert len(marks) == 1  # the next start skips the schema checks of this document

    (config_path.parent / "payments.yaml").write_text(broken)  # broken after it was cached
    problems = document_problems(load_config(config_path))
    assert [p.key for p in problems] == ["/components/schemas/Charge/properties/amount/type"]
    assert len(list((tmp_path / "cache" / "documents").iterdir())) == 1
