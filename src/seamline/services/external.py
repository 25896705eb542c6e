"""`kind = "external"`: something already running, such as a shared staging service.

seamline does not start or stop it. Non-loopback hosts are refused at load
time unless `allow_remote = true` (see config/load.py): tests stay away from
production unless someone says otherwise on purpose.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from seamline.config.model import ExternalSpec
from seamline.errors import StartError
from seamline.runtime.readiness import LastSeen, ProbeTarget, backoff, make_check
from seamline.services.base import Render, Service

DEFAULT_PORTS = {"http": 80, "https": 443, "postgresql": 5432, "postgres": 5432, "redis": 6379}


class ExternalService(Service[ExternalSpec]):
    kind = "external"

    def attributes(self) -> dict[str, str]:
        parts = urlsplit(self.spec.url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme, 0)
        return {
            "url": self.spec.url.rstrip("/"),
            "direct_url": self.spec.url.rstrip("/"),
            "host": parts.hostname or "",
            "port": str(port),
            "name": self.name,
        }

    def start(self, render: Render) -> None:
        """Nothing to start."""

    def wait_ready(self, timeout: float) -> None:
        probe = self.spec.ready
        if probe is None or probe.kind == "none":
            return
        attrs = self.attributes()
        target = ProbeTarget(
            attrs["host"],
            int(attrs["port"]),
            str(self.ctx.config.base_dir),
            dict(self.ctx.base_env),
        )
        seen = LastSeen()
        check = make_check(probe, target, lambda pattern, timeout: False, seen)
        if not backoff(time.monotonic() + timeout, check, lambda: True, self.ctx.cancelled):
            raise StartError(
                self.name,
                f"{self.spec.url} is not ready ({probe.describe()}; last seen: {seen.text})",
            )

    def stop(self) -> None:
        """Not ours to stop."""

    def describe(self) -> str:
        return f"external {self.spec.url}"
