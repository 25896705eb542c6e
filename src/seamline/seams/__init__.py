"""Seams: a recording proxy on every link between components, and assertions on what crossed."""

from seamline.seams.assertions import Calls, Flow, eventually
from seamline.seams.exchange import Exchange, Violation
from seamline.seams.manager import Seams, SeamView
from seamline.seams.modes import Fault

__all__ = ["Calls", "Exchange", "Fault", "Flow", "SeamView", "Seams", "Violation", "eventually"]
