"""Seams: a recording proxy on every link between components, and assertions on what crossed.

Public: `system.seam("api", "payments")` gives a `SeamView`; its `calls(...)` a `Calls`;
`system.seams` is the `Seams` of the whole system.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from seamline.records.exchange import Exchange, Violation
from seamline.seams.assertions import Calls, Flow, eventually
from seamline.seams.modes import Fault

if TYPE_CHECKING:
    from seamline.seams.manager import Seams
    from seamline.seams.view import SeamView

__all__ = ["Calls", "Exchange", "Fault", "Flow", "SeamView", "Seams", "Violation", "eventually"]


def __getattr__(name: str) -> Any:
    # The manager pulls in the HTTP engine and the contract checker; load it on demand
    # (contracts import this package's exchange types).
    if name == "Seams":
        from seamline.seams.manager import Seams

        return Seams
    if name == "SeamView":
        from seamline.seams.view import SeamView

        return SeamView
    raise AttributeError(f"module 'seamline.seams' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
