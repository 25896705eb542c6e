"""The ledgers project: a ledger and a shop that uses it (tests/apps/ledger.py), real processes."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from seamline.system.core import System

LEDGER_APP = Path(__file__).parents[1] / "apps" / "ledger.py"
CONFIG = """
name = "ledgers"

[recordings]
ignore = ["note"]

[services.ledger]
command = "{PY} {APP} --role ledger --port {self.port}"
ready = "http GET /health"
openapi = "ledger.yaml"

[services.shop]
command = "{PY} {APP} --role shop --port {self.port}"
ready = "http GET /health"
env = { LEDGER_URL = "{ledger.url}" }
"""
CONTRACT = """
openapi: 3.1.0
info: {title: ledger, version: "1"}
paths:
  /entries:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewEntry"}
      responses:
        "201":
          description: an entry
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Entry"}
        "401": {description: no token}
  /balance:
    get:
      responses:
        "200": {description: the balance}
        "500": {description: broken}
components:
  schemas:
    NewEntry:
      type: object
      properties:
        amount: {type: integer}
        ref: {type: string, format: uuid}
        at: {type: string, format: date-time}
        note: {type: string}
    Entry:
      type: object
      properties:
        id: {type: string, format: uuid, readOnly: true}
        amount: {type: integer}
        created_at: {type: string, format: date-time}
        balance: {type: integer}
"""
TEST_ID = "tests/test_ledger.py::test_buying"


def write_project(folder: Path, extra: str = "") -> Path:
    """The ledgers project in `folder`: its config (plus `extra` TOML) and the ledger's contract."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ledger.yaml").write_text(textwrap.dedent(CONTRACT))
    text = textwrap.dedent(CONFIG).replace("{PY}", sys.executable).replace("{APP}", str(LEDGER_APP))
    path = folder / "seamline.toml"
    path.write_text(text + extra)
    return path


def shop_traffic(system: System) -> None:
    """Two purchases and the total before and after the second (a repeated request that is
    answered differently)."""
    shop = system.client("shop")
    assert shop.post("/buy", json={"amount": 5}).json()["status"] == 201
    assert shop.get("/total").json()["entry"] == {"balance": 5}
    assert shop.post("/buy", json={"amount": 7}).json()["status"] == 201
    assert shop.get("/total").json()["entry"] == {"balance": 12}
