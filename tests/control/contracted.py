"""A small system whose api breaks its contract on demand, for the helpers' contract checks.

tests/cli's clidemo system with an OpenAPI document on `api` saying GET /pid answers
`{"version": ...}`, which the app does not: a test that reads /pid passes its own assertions
but breaks the contract. `contracts` is the config's mode ("fail", "warn" or "off")."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.cli.test_cli import SYSTEM

CONTRACT = """
openapi: 3.0.3
info: {title: clidemo api, version: "1"}
paths:
  /health:
    get:
      responses:
        "200": {description: ok, content: {text/plain: {schema: {type: string}}}}
  /pid:
    get:
      responses:
        "200":
          description: what the app does not answer
          content:
            application/json:
              schema: {type: object, required: [version], properties: {version: {type: string}}}
"""


def contracted_system(write_config: Callable[[str], Path], contracts: str = "fail") -> Path:
    """The system's directory: seamline.toml with `contracts = ...` and api.yaml beside it."""
    text = f'contracts = "{contracts}"\n' + SYSTEM.replace(
        'ready = "http GET /health"', 'ready = "http GET /health"\nopenapi = "api.yaml"'
    )
    base = write_config(text).parent
    (base / "api.yaml").write_text(CONTRACT)
    return base
