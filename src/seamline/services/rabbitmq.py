"""`kind = "rabbitmq"`: a private RabbitMQ node from Debian's `rabbitmq-server`.

A node takes 3-4 s of CPU to boot, warm or cold (Erlang loads every module to find the
boot steps), so a run starts one node and tests share it; after each test every queue is
purged over AMQP (a `rabbitmqctl` call costs 0.4-1.1 s, a purge well under a millisecond).
Queues are listed through the management plugin's HTTP API, since AMQP cannot list them.
The first start ever boots a node once and caches its stopped data dir (rabbitnode.py);
later starts copy it, which saves the first boot's database creation.

A failed boot (bad cookie, a taken port) exits 0, so readiness watches for the launcher
exiting and for an AMQP login, never for an exit code.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path

from seamline.config.model import RabbitMQSpec
from seamline.errors import SeamlineError, StartError
from seamline.runtime.ports import LOOPBACK, free_port
from seamline.runtime.procs import ManagedProcess
from seamline.runtime.readiness import NotReady, backoff
from seamline.services import rabbitnode
from seamline.services.amqp import AmqpConnection, AmqpError
from seamline.services.base import Render, RunContext, Service
from seamline.services.buildcache import cached, copy_tree
from seamline.services.rabbitnode import NodePorts, RabbitInstall

BUILD_TIMEOUT = 120.0  # a cold boot on a loaded 2-core machine took up to 8 s; be generous
# SIGTERM stops a node in ~1.1 s, but with the management plugin in ~6 s (measured): a
# test node's data is thrown away, so after 2 s it is killed (a restart on its data dir
# after SIGKILL boots normally). Clients see their connections closed within the grace.
STOP_GRACE = 2.0
# The prepared data dir is cached, so its node must stop cleanly.
BUILD_STOP_GRACE = 30.0
# Refused purges that are not ours to fix: the queue went away (404), or it is exclusive
# to another connection (405), which takes it with it when it closes.
PURGE_SKIPPED = frozenset({404, 405})


def amqp_ready(port: int) -> bool:
    """An AMQP login as guest succeeds: the node has booted and its listener is open."""
    try:
        with AmqpConnection(port, timeout=2.0):
            return True
    except (OSError, ConnectionError, AmqpError):
        return False


class RabbitMQService(Service[RabbitMQSpec]):
    kind = "rabbitmq"

    def __init__(self, name: str, spec: RabbitMQSpec, ctx: RunContext) -> None:
        super().__init__(name, spec, ctx)
        self.ports = NodePorts(0, 0, 0, None)
        self.install: RabbitInstall | None = None
        self.epmd: ManagedProcess | None = None
        self.process: ManagedProcess | None = None

    def allocate(self) -> None:
        management = free_port() if self.spec.management else None
        # The dist port is set explicitly: by default it is AMQP + 20000, past 65535
        # for a port taken from the ephemeral range.
        self.ports = NodePorts(self.spec.port or free_port(), free_port(), free_port(), management)

    def attributes(self) -> dict[str, str]:
        url = f"amqp://guest:guest@{LOOPBACK}:{self.ports.amqp}/%2F"
        values = {
            "url": url,
            "amqp_url": url,
            "host": LOOPBACK,
            "port": str(self.ports.amqp),
            "name": self.name,
        }
        if self.ports.management is not None:
            values["management_url"] = f"http://{LOOPBACK}:{self.ports.management}"
        return values

    @property
    def base(self) -> Path:
        return self.ctx.dirs.service_dir(self.name)

    def start(self, render: Render) -> None:
        self.install = rabbitnode.find_rabbitmq(self.name)
        self.epmd = self._launch(rabbitnode.epmd_argv(self.install, self.ports.epmd), "epmd", {})
        mnesia = self.base / "mnesia"
        if not mnesia.exists():  # a restart (start_service) keeps the data it had
            copy_tree(self._prepared_mnesia(self.install), mnesia, self.ctx.tracker)
        self.process = self._launch_node(
            self.base, self.ports, mnesia, self.name, self.spec.settings
        )

    def _launch(self, argv: list[str], label: str, env: dict[str, str]) -> ManagedProcess:
        try:
            return ManagedProcess(
                f"{self.name}.{label}",
                argv,
                env={"PATH": "/usr/bin:/bin", **env},
                cwd=self.base,
                log_path=self.ctx.log_path(f"{self.name}.{label}"),
                tracker=self.ctx.tracker,
            )
        except OSError as err:
            raise StartError(self.name, f"could not run {argv[0]}: {err}") from None

    def _launch_node(
        self, base: Path, ports: NodePorts, mnesia: Path, label: str, settings: Mapping[str, object]
    ) -> ManagedProcess:
        assert self.install is not None
        rabbitnode.write_node_files(base, ports, settings)
        env = rabbitnode.node_env(base, ports, mnesia)
        try:
            return ManagedProcess(
                label,
                [self.install.tool("rabbitmq-server")],
                env=env,
                cwd=base,  # a crashing node writes erl_crash.dump into its cwd
                log_path=self.ctx.log_path(label),
                tracker=self.ctx.tracker,
            )
        except OSError as err:
            raise StartError(self.name, f"could not run rabbitmq-server: {err}") from None

    def _prepared_mnesia(self, install: RabbitInstall) -> Path:
        key = rabbitnode.cache_key(install, rabbitnode.build_settings(self.spec.settings))
        return cached("rabbitmq", key, self.ctx.dirs, self.ctx.tracker, self._build_mnesia)

    def _build_mnesia(self, mnesia: Path) -> None:
        """Boot a node once on `mnesia` (on the run's epmd, under other ports, without the
        management plugin) and stop it cleanly."""
        base = mnesia.parent / "node"
        base.mkdir()
        ports = NodePorts(free_port(), free_port(), self.ports.epmd, None)
        settings = rabbitnode.build_settings(self.spec.settings)
        node = self._launch_node(base, ports, mnesia, f"{self.name}.build", settings)
        try:
            self._wait(node, ports.amqp, BUILD_TIMEOUT)
        finally:
            node.stop(BUILD_STOP_GRACE)

    def wait_ready(self, timeout: float) -> None:
        if self.process is None:
            raise StartError(self.name, "wait_ready() before start()")
        self._wait(self.process, self.ports.amqp, timeout)

    def _wait(self, node: ManagedProcess, port: int, timeout: float) -> None:
        try:
            ok = backoff(
                time.monotonic() + timeout,
                lambda: amqp_ready(port),
                lambda: node.exit_code() is None,
            )
        except NotReady:
            ok = False
        if not ok:
            node.log.join(1.0)
            gone = node.exit_code() is not None
            raise StartError(
                self.name,
                "the node stopped during its boot (a failed boot exits 0: see the log)"
                if gone
                else f"no AMQP login on port {port} after {timeout:g} s "
                "(a node boots in 3-8 s; raise ready_timeout on a loaded machine)",
                log_path=node.log.path,
                log_tail=node.log.tail(30),
            )

    def stop(self) -> None:
        for process in (self.process, self.epmd):  # the node first: it unregisters from epmd
            if process is not None:
                process.stop(STOP_GRACE)
        self.process = self.epmd = None

    @property
    def isolation(self) -> str:
        if self.spec.isolation is not None:
            return self.spec.isolation
        return "none" if self.ctx.config.spec.isolation == "none" else "purge"

    def reset_after_test(self) -> None:
        """Purge every queue of every vhost, unless isolation is "none" or it is stopped."""
        process = self.process
        if self.isolation == "none" or process is None or process.exit_code() is not None:
            return
        by_vhost: dict[str, list[str]] = defaultdict(list)
        for queue in self.queues():
            by_vhost[queue["vhost"]].append(queue["name"])
        for vhost, names in by_vhost.items():
            with AmqpConnection(self.ports.amqp, vhost=vhost) as conn:
                for queue_name in names:
                    try:
                        conn.purge(queue_name)
                    except AmqpError as err:
                        if err.code not in PURGE_SKIPPED:
                            raise SeamlineError(
                                f"rabbitmq {self.name!r}: purging queue {queue_name!r} in vhost "
                                f"{vhost!r} between tests was refused: {err}; set "
                                'isolation = "none" on the service to keep its queues as they are'
                            ) from None

    def queues(self) -> list[dict[str, str]]:
        """Every queue's name and vhost, from the management API."""
        port = self.ports.management
        if port is None:
            raise SeamlineError(
                f"rabbitmq {self.name!r}: queues are listed by the management plugin; "
                "set management = true"
            )
        conn = http.client.HTTPConnection(LOOPBACK, port, timeout=10.0)
        auth = base64.b64encode(b"guest:guest").decode()
        try:
            conn.request(
                "GET", "/api/queues?columns=name,vhost", headers={"Authorization": f"Basic {auth}"}
            )
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise SeamlineError(
                f"rabbitmq {self.name!r}: the management API answered {response.status} to "
                f"GET /api/queues: {body[:200]!r}"
            )
        found: list[dict[str, str]] = json.loads(body)
        return found

    def version(self) -> str | None:
        return f"RabbitMQ {self.install.version}" if self.install else None

    def describe(self) -> str:
        if self.install is None:
            return "RabbitMQ"
        return f"RabbitMQ {self.install.version} ({self.install.home})"
