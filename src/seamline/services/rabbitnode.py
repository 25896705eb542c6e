"""A private RabbitMQ node's files and environment, and the cache of prepared data dirs.

Everything a node reads or writes is under its own dir: HOME (the Erlang cookie), config,
plugins list, logs, the mnesia data dir. Each path is set explicitly, because the Debian
scripts otherwise *source* /etc/rabbitmq/rabbitmq-env.conf and read /etc/rabbitmq's config
and enabled plugins, so a system-wide setting would leak into test nodes. The
/usr/sbin wrappers `su rabbitmq` and write to /var/log; /usr/lib/rabbitmq/bin is called
directly (RabbitMQ runs as root without complaint).

Erlang's distribution needs epmd: left to itself, erl starts `epmd -daemon`, which
detaches to PID 1, binds 0.0.0.0 and outlives the node. So each node gets its own epmd on
a private loopback port, started by seamline in the foreground (a tracked process like
any other), and the node is told `-start_epmd false`. With one epmd per node, two nodes
under xdist can share the node name, so one cached data dir serves every worker.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from seamline.errors import StartError
from seamline.runtime.ports import LOOPBACK

NODE_NAME = "seamline@localhost"  # @localhost: no dependence on the host name resolving
CACHE_FORMAT = 2  # 2: prepared without the management plugin
INSTALL_DIRS = (Path("/usr/lib/rabbitmq"),)
MANAGEMENT_PLUGIN = "rabbitmq_management"
# Test nodes run on small, shared disks: the default 50 MB free-disk alarm would block
# every publisher silently (Connection.Blocked) on a nearly full tmpfs.
BASE_CONFIG = {
    "disk_free_limit.absolute": "1MB",
    "log.console": "true",
    "log.console.level": "info",
    "log.console.use_colors": "off",  # the log is a file, not a terminal
    "log.file": "false",
}
INSTALL_HINT = (
    "install Debian's package: `apt-get install rabbitmq-server` (as root; "
    "its own service need not run: seamline starts a private node)"
)


@dataclass(frozen=True)
class RabbitInstall:
    home: Path  # /usr/lib/rabbitmq
    version: str
    epmd: Path

    def tool(self, name: str) -> str:
        return str(self.home / "bin" / name)


def find_rabbitmq(service: str) -> RabbitInstall:
    """The installed RabbitMQ server and an epmd, or a StartError that says how to get them."""
    for home in INSTALL_DIRS:
        server = home / "bin" / "rabbitmq-server"
        if not server.is_file():
            continue
        epmd = shutil.which("epmd")
        if epmd is None:
            raise StartError(service, f"{server} is there but epmd is not on PATH; {INSTALL_HINT}")
        return RabbitInstall(home, _version(home), Path(epmd))
    raise StartError(service, f"no RabbitMQ server found (looked for {server}); {INSTALL_HINT}")


def _version(home: Path) -> str:
    for lib in sorted((home / "lib").glob("rabbitmq_server-*")):
        return lib.name.removeprefix("rabbitmq_server-")
    return "unknown"


@dataclass(frozen=True)
class NodePorts:
    amqp: int
    dist: int
    epmd: int
    management: int | None


def write_node_files(base: Path, ports: NodePorts, settings: Mapping[str, object]) -> None:
    """The node's HOME (with a fresh cookie), config, empty env file and plugins list."""
    (base / "home").mkdir(parents=True, exist_ok=True)
    (base / "log").mkdir(exist_ok=True)
    cookie = base / "home" / ".erlang.cookie"
    cookie.unlink(missing_ok=True)  # a restart writes it again; 0400 is not writable
    cookie.write_text(secrets.token_hex(16))
    cookie.chmod(0o400)  # the node refuses to boot with a cookie others can read
    config = dict(BASE_CONFIG)
    if ports.management is not None:
        config["management.tcp.ip"] = LOOPBACK
        config["management.tcp.port"] = str(ports.management)
    config.update({key: _setting(value) for key, value in settings.items()})
    (base / "rabbitmq.conf").write_text("".join(f"{k} = {v}\n" for k, v in config.items()))
    (base / "rabbitmq-env.conf").write_text("")
    (base / "enabled_plugins").write_text(_plugins(ports.management is not None))


def _plugins(management: bool) -> str:
    return f"[{MANAGEMENT_PLUGIN}]." if management else "[]."


def _setting(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def node_env(base: Path, ports: NodePorts, mnesia: Path) -> dict[str, str]:
    """The environment of `rabbitmq-server` for a node living in `base`."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(base / "home"),
        "RABBITMQ_NODENAME": NODE_NAME,
        "RABBITMQ_NODE_IP_ADDRESS": LOOPBACK,
        "RABBITMQ_NODE_PORT": str(ports.amqp),
        # Unset, it is the AMQP port + 20000: above 45535 the boot fails (and exits 0).
        "RABBITMQ_DIST_PORT": str(ports.dist),
        "RABBITMQ_MNESIA_BASE": str(mnesia),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
        "RABBITMQ_ADVANCED_CONFIG_FILE": str(base / "advanced.config"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
        "RABBITMQ_PID_FILE": str(base / "pid"),
        "ERL_EPMD_PORT": str(ports.epmd),
        "ERL_EPMD_ADDRESS": LOOPBACK,
        # The dist listener binds 0.0.0.0 without the interface setting.
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": (
            "-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false"
        ),
    }


def epmd_argv(install: RabbitInstall, port: int) -> list[str]:
    # In the foreground (no -daemon): its PID and group are ours to stop.
    return [str(install.epmd), "-port", str(port), "-address", LOOPBACK]


def build_settings(settings: Mapping[str, str | int | float | bool]) -> dict[str, object]:
    """The settings a prepared data dir is booted with: the user's, less the management
    plugin's (the dir is prepared without the plugin, whose clean stop takes ~6 s instead of
    ~1 s; the plugin keeps nothing in the data dir, so a node enables it on a copy)."""
    return {k: v for k, v in settings.items() if not k.startswith("management.")}


def cache_key(install: RabbitInstall, settings: Mapping[str, object]) -> str:
    """Which prepared data dir a node can start from: the first boot writes the default user,
    vhost and feature flags, which depend on these and on nothing else."""
    text = json.dumps(
        [CACHE_FORMAT, str(install.home), install.version, NODE_NAME, settings],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


READY_LINE = re.compile(r"Server startup complete|Time to start RabbitMQ")
