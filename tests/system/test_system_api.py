"""What `System` shows a test, and what it does as explicit steps of `start()`."""

from __future__ import annotations

from seamline.system.core import System
from seamline.system.harness import Harness

# The test's API. Plugin plumbing (test boundaries, seam resets, the run's description)
# lives on `Harness`; a new name here is a new public method: document it.
SYSTEM_API = {
    "browser_url",
    "client",
    "config",
    "current_test",
    "databases",
    "db",
    "direct_url",
    "env",
    "from_config",
    "logs",
    "message_seam",
    "messages",
    "mock",
    "publish",
    "record_dir",
    "restart_service",
    "run_dir",
    "seam",
    "seams",
    "service",
    "services_down",
    "start",
    "start_service",
    "stop",
    "stop_service",
    "url",
}


def test_system_shows_tests_their_api_and_no_plumbing():
    assert {name for name in dir(System) if not name.startswith("_")} == SYSTEM_API


def test_every_method_of_the_test_api_says_what_it_does():
    undocumented = [name for name in SYSTEM_API if not (getattr(System, name).__doc__ or "")]
    assert undocumented == []


LINKED = """
[services.payments]
command = "{APP} --port {self.port}"
ready = "http GET /health"
[services.api]
command = "{APP} --port {self.port}"
ready = "http GET /health"
env = { PAYMENTS_URL = "{payments.url}" }
"""


def test_seams_of_the_declared_links_exist_once_started(write_config, start_system):
    system = start_system(write_config(LINKED))
    assert [seam.name for seam in Harness(system).seams_in_use()] == ["api -> payments"]
    assert system.env("api")["PAYMENTS_URL"] == system.seam("api", "payments").url
