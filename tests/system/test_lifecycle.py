"""Starting and stopping real processes: order, readiness, templating, failures, logs."""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from pathlib import Path

import pytest

from seamline.errors import SeamlineError, StartError
from seamline.system.harness import Harness
from tests.conftest import pid_alive


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


CHAIN = """
name = "chain"
[services.store]
kind = "sqlite"
[services.backend]
command = "{APP} --port {self.port} --say backend-up"
ready = "http GET /health"
[services.frontend]
command = "{APP} --port {self.port}"
ready = "log listening on"
[services.frontend.env]
BACKEND_URL = "{backend.url}"
BACKEND_PORT = "{backend.port}"
STORE = "{store.url}"
OWN = "{self.url}"
DATA = "{run_dir}/frontend"
LITERAL = "{{not a template}}"
"""


def test_services_start_in_dependency_order_and_get_their_rendered_environment(
    write_config, start_system
):
    system = start_system(write_config(CHAIN))
    backend, frontend = system.service("backend"), system.service("frontend")
    timings = Harness(system).timings()
    assert timings["backend"].ready <= timings["frontend"].started
    env = get_json(system.url("frontend") + "/env")
    # a link is a seam: the consumer gets the proxy's address; other attributes are direct
    assert env["BACKEND_URL"] == system.seam("frontend", "backend").url != backend.url
    assert env["BACKEND_PORT"] == backend.attributes()["port"]
    assert env["STORE"] == f"sqlite:///{system.run_dir}/services/store/store.db"
    assert env["OWN"] == frontend.url  # a service's own url is never seamed
    assert env["DATA"] == f"{system.run_dir}/frontend"
    assert env["LITERAL"] == "{not a template}"
    assert env["SEAMLINE_RUN_ID"] == system.record_dir.name
    assert system.env("frontend")["BACKEND_URL"] == env["BACKEND_URL"]
    assert "PATH" not in system.env("frontend")  # only what seamline handed over
    # seamline's Python comes first, as in an activated virtualenv
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)


def test_client_is_bound_to_the_service_and_logs_are_captured_with_timestamps(
    write_config, start_system
):
    system = start_system(write_config(CHAIN))
    assert system.client("backend").get("/health").text == "ok"
    logs = system.logs("backend")
    assert "backend-up" in logs
    assert "GET /health" in logs
    first = logs.splitlines()[0]
    assert first[:4].isdigit() and first[10] == "T" and first.split(" ", 1)[0].endswith("Z")


def test_stop_leaves_no_process_and_no_run_dir_but_keeps_logs(write_config, start_system, run_root):
    system = start_system(write_config(CHAIN))
    pids = [system.service(n).pids()[0] for n in ("backend", "frontend")]
    run_dir, record_dir = system.run_dir, system.record_dir
    system.stop()
    assert not any(pid_alive(p) for p in pids)
    assert not run_dir.exists()
    assert list(run_root.iterdir()) == []
    assert (record_dir / "logs" / "backend.log").is_file()


def test_children_of_a_service_are_stopped_with_its_process_group(write_config, start_system):
    system = start_system(
        write_config("""
    [services.parent]
    command = "{APP} --port {self.port} --child --escaped-child --ignore-term"
    stop_timeout = 0.5
    """)
    )
    children = get_json(system.url("parent") + "/pid")["children"]
    assert all(pid_alive(c) for c in children)
    system.stop()
    # the grouped child goes with the group; the escaped one with the run's marker
    assert not any(pid_alive(c) for c in children)


def test_a_service_that_exits_at_start_is_reported_with_exit_code_and_log_tail(
    write_config, start_system, run_root
):
    path = write_config("""
    [services.ok]
    command = "{APP} --port {self.port}"
    [services.broken]
    command = "{APP} --port {self.port} --say first-words --exit-at-start 3"
    depends_on = ["ok"]
    """)
    with pytest.raises(StartError) as caught:
        start_system(path)
    error = caught.value
    assert error.service == "broken"
    assert error.exit_code == 3
    assert "first-words" in error.log_tail and "failing on purpose" in error.log_tail
    assert error.log_path is not None and error.log_path.name == "broken.log"
    assert list(run_root.iterdir()) == []  # what did start was stopped


def test_readiness_timeout_names_the_service_and_the_probe(write_config, start_system):
    path = write_config("""
    [services.sleepy]
    command = "{APP} --port {self.port} --slow-start 5"
    ready = "http GET /health"
    ready_timeout = 0.3
    """)
    with pytest.raises(StartError, match=r"sleepy.*not ready after 0.3 s \(http GET /health"):
        start_system(path)


def test_a_command_that_does_not_exist_is_a_start_error(write_config, start_system):
    path = write_config('[services.ghost]\ncommand = "/nonexistent/bin/ghost --port {self.port}"\n')
    with pytest.raises(StartError, match=r"could not run.*Check the command"):
        start_system(path)


def test_dependents_of_a_failed_service_are_not_started(write_config, start_system):
    path = write_config("""
    [services.broken]
    command = "{APP} --port {self.port} --exit-at-start 1"
    [services.after]
    command = "{APP} --port {self.port}"
    depends_on = ["broken"]
    """)
    with pytest.raises(StartError) as caught:
        start_system(path)
    assert caught.value.service == "broken"


# connects to the service's port: exits 0 once it listens
CONNECT = "import socket; socket.create_connection(('127.0.0.1', {self.port}))"


def test_command_and_log_probes(write_config, start_system):
    system = start_system(
        write_config(
            f"""
    [services.a]
    command = "{{APP}} --port {{self.port}}"
    ready = {{ command = ["python3", "-c", "{CONNECT}"] }}
    [services.b]
    command = "{{APP}} --port {{self.port}} --say warming --say READY-42"
    ready = {{ log = "READY-\\\\d+" }}
    """
        )
    )
    assert system.client("a").get("/health").status_code == 200
    assert "READY-42" in system.logs("b")


def test_unknown_service_name_lists_the_declared_ones(write_config, start_system):
    system = start_system(write_config('[services.api]\ncommand = "{APP} --port {self.port}"\n'))
    with pytest.raises(SeamlineError, match=r"no service named 'apii'.*declared: api"):
        system.url("apii")
