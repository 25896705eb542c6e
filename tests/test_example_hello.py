"""The README's example system works as documented: PostgreSQL, Redis and two services."""

from __future__ import annotations

from pathlib import Path

import psycopg

from seamline.seams import eventually

HELLO = Path(__file__).parents[1] / "examples" / "hello"


def test_greeter_greets_known_names_and_counts_visits_in_redis(start_system):
    system = start_system(HELLO)
    greeter = system.client("greeter")
    assert greeter.get("/greet/ada").json() == {"greeting": "hello, ada", "visits": 1}
    assert greeter.get("/greet/ada").json()["visits"] == 2
    assert greeter.get("/greet/linus").status_code == 404
    assert system.client("names").post("/names/linus").status_code == 201
    assert greeter.get("/greet/linus").json() == {"greeting": "hello, linus", "visits": 1}
    assert system.env("greeter")["NAMES_URL"] == system.seam("greeter", "names").url
    eventually(lambda: "GET /greet/ada" in system.logs("greeter"))  # logged after answering
    with psycopg.connect(system.service("db").attributes()["dsn"]) as conn:
        names = conn.execute("SELECT name FROM names ORDER BY id").fetchall()
    assert names == [("ada",), ("grace",), ("linus",)]
    # every hop is recorded: the test's calls and the greeter's calls to names
    assert system.seam("greeter", "names").calls("GET", "/names/{name}").count == 4
    assert system.seam("test", "greeter").calls("GET", "/greet/ada").count == 2
