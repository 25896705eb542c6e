"""The test API's mistakes get a clear message: a near-miss name a did-you-mean, a wrong
argument type what was expected, never a bare TypeError from deep inside."""

from __future__ import annotations

import pytest

from seamline.errors import SeamlineError

SYSTEM = """
[services.orders]
command = "{APP} --port {self.port}"
ready = "http GET /health"
[services.api]
command = "{APP} --port {self.port}"
ready = "http GET /health"
env = { ORDERS_URL = "{orders.url}" }
"""


@pytest.fixture
def system(write_config, start_system):
    return start_system(write_config(SYSTEM))


def test_a_near_miss_service_name_gets_a_did_you_mean(system):
    with pytest.raises(SeamlineError, match=r"no service named 'order'.*did you mean 'orders'\?"):
        system.client("order")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda s: s.client(3), r"expected a service name \(a string such as 'orders'\), found 3"),
        (lambda s: s.url(["api"]), r"expected a service name .*found \['api'\]"),
        (lambda s: s.seam(3), r"expected a seam .*'api -> orders'.*found 3"),
        (
            lambda s: s.seam("api", "orders").fault(latency_ms="1500"),
            r"fault latency_ms: expected a number .*found '1500' \(str\)",
        ),
        (
            lambda s: s.seam("api", "orders").fault(status="503"),
            r"fault status: expected an HTTP status .*found '503' \(str\)",
        ),
        (
            lambda s: s.seam("api", "orders").calls(status="200"),
            r"status: expected an HTTP status .*found '200' \(str\)",
        ),
    ],
    ids=["client", "url", "seam", "fault latency", "fault status", "calls status"],
)
def test_a_wrong_argument_type_says_what_was_expected(system, call, expected):
    with pytest.raises(SeamlineError, match=expected):
        call(system)
