from __future__ import annotations

import pytest

CHAIN = """
name = "chain"
[services.c]
command = "{APP} --port {self.port}"
ready = "http GET /health"
[services.b]
command = "{APP} --port {self.port}"
ready = "http GET /health"
env = { C_URL = "{c.url}" }
[services.a]
command = "{APP} --port {self.port}"
ready = "http GET /health"
env = { B_URL = "{b.url}" }
"""


@pytest.fixture
def chain(write_config, start_system):
    """Three real services in a row: a -> b -> c, a seam on every link."""
    return start_system(write_config(CHAIN))
