"""The database fixtures, for the pytest plugin to import.

`seamline_databases` is autouse: for every test that uses the `system` fixture
(directly or through another fixture) it attributes the databases' changes to
the test and, after the test and after every other function-scoped fixture's
teardown, records them and puts each database back to its starting data, empties
Redis and puts mock services back to their file mappings. Tests that never touch
`system` cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from seamline.db.database import Database
from seamline.system.core import System
from seamline.system.harness import Harness


@pytest.fixture(autouse=True)
def seamline_databases(request: pytest.FixtureRequest) -> Iterator[None]:
    """Per-test isolation and change attribution for every database of the system (and
    Redis, and mock services: README "What is reset between tests")."""
    if "system" not in request.fixturenames:
        yield
        return
    system: System = request.getfixturevalue("system")
    databases = system.databases
    databases.begin_test(system.current_test or request.node.nodeid)
    yield
    try:
        databases.end_test()
    finally:
        Harness(system).reset_services()  # Redis emptied, mock services' test stubs gone


@pytest.fixture
def db(system: System, seamline_databases: None) -> Database:
    """The system's database (the only one; for several, use `system.db(name)`)."""
    return system.db()
