"""What a seam does with a request: forward it to the real provider or to a stub,
optionally with an injected fault."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from typing import Any, Literal

from seamline.errors import SeamlineError, check_argument


@dataclass(frozen=True)
class Fault:
    """A failure injected on a seam, as the consumer would meet it in production.

    latency_ms: wait this long before forwarding (a slow provider).
    status: answer with this status (and `body`) instead of forwarding (e.g. 503).
    reset: reset the consumer's connection (a crashed provider).
    timeout: never answer; the consumer's own timeout decides (a hung provider).
    drop_after_bytes: forward, then cut the response after this many bytes.
    rate: the share of requests the fault applies to (0.3 = about one in three).
    """

    latency_ms: float = 0.0
    status: int | None = None
    body: str = ""
    reset: bool = False
    timeout: bool = False
    drop_after_bytes: int | None = None
    rate: float = 1.0

    def __post_init__(self) -> None:
        number, count = (int, float), "a whole number or None"
        check_argument("fault latency_ms", self.latency_ms, number, "a number of milliseconds")
        check_argument("fault status", self.status, (int, type(None)), "an HTTP status or None")
        check_argument("fault body", self.body, str, "a string")
        check_argument("fault reset", self.reset, bool, "True or False")
        check_argument("fault timeout", self.timeout, bool, "True or False")
        check_argument("fault drop_after_bytes", self.drop_after_bytes, (int, type(None)), count)
        check_argument("fault rate", self.rate, number, "a share between 0 and 1")
        if not 0.0 <= self.rate <= 1.0:
            raise SeamlineError(f"fault rate: expected a share between 0 and 1, found {self.rate}")
        if self.latency_ms < 0:
            raise SeamlineError(f"fault latency_ms: expected >= 0, found {self.latency_ms}")
        if self.status is not None and not 100 <= self.status <= 599:
            raise SeamlineError(
                f"fault status: expected an HTTP status 100-599, found {self.status}"
            )
        if self.drop_after_bytes is not None and self.drop_after_bytes < 0:
            raise SeamlineError(
                f"fault drop_after_bytes: expected >= 0, found {self.drop_after_bytes}"
            )
        if not (
            self.latency_ms
            or self.status
            or self.reset
            or self.timeout
            or self.drop_after_bytes is not None
        ):
            raise SeamlineError(
                "a fault needs one of latency_ms, status, reset, timeout or drop_after_bytes"
            )

    def applies(self, rng: random.Random) -> bool:
        """Whether this request gets the fault (always at `rate` 1.0, else by chance)."""
        return self.rate >= 1.0 or rng.random() < self.rate

    def to_json(self) -> dict[str, Any]:
        """The settings that are set, for the journal's `fault` field: a setting at its
        default is left out (`drop_after_bytes=0` is set: 0 is not its default), `rate`
        is always there."""
        return {
            item.name: value
            for item in fields(self)
            if (value := getattr(self, item.name)) != item.default or item.name == "rate"
        }


# The modes a route forwards in (`Mode` less fault, which is a route's option).
RouteKind = Literal["real", "stub", "replay"]


@dataclass(frozen=True)
class Route:
    """Where a seam sends requests now."""

    kind: RouteKind
    upstream: str
    fault: Fault | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}+fault" if self.fault else self.kind
