"""Integration strategies as steps: layers from the dependency graph, a plan per step.

    layers = Layers.of(config)                  # test and browser on top; callers of nobody at 0
    steps = plan_steps("top-down", layers)      # [Step(plan={"api -> payments": "replay"}), ...]

A plan gives every seam between two services a mode: `real` (the provider answers), `replay`
(its recording answers) or `drive` (no consumer: the recorded requests go to the real provider).
Seams from the test's own client and from the browser stay real: they are the top, the driver
every strategy ends with. A step is a plan and which tests run under it: all of them when
`tests_all`, else those that cross a seam the step changed (the recordings' index says which).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from seamline.config import SystemConfig
from seamline.records.exchange import seam_name
from seamline.strategies.errors import NoSeams, UnknownTarget

Mode = Literal["real", "replay", "drive"]
StrategyName = Literal["big-bang", "top-down", "bottom-up", "sandwich", "incremental"]
EDGE_CONSUMERS = frozenset({"test", "browser"})


@dataclass(frozen=True)
class Layers:
    """Services by level: 0 calls nobody, a consumer sits above everything it needs."""

    level: Mapping[str, int]
    seams: tuple[tuple[str, str], ...]  # (consumer, provider) of seams between two services

    @classmethod
    def of(cls, config: SystemConfig) -> Layers:
        needs = {name: config.needs(name) for name in config.spec.services}
        inner = tuple(
            (link.consumer, link.provider)
            for link in config.links
            if link.consumer not in EDGE_CONSUMERS and link.provider in needs
        )
        return cls.from_graph(needs, inner)

    @classmethod
    def from_graph(
        cls, needs: Mapping[str, Sequence[str]], seams: Sequence[tuple[str, str]]
    ) -> Layers:
        level: dict[str, int] = {}

        def depth(name: str) -> int:  # the graph is acyclic: config loading refuses cycles
            if name not in level:
                level[name] = 1 + max((depth(dep) for dep in needs.get(name, ())), default=-1)
            return level[name]

        for name in needs:
            depth(name)
        return cls(level, tuple(sorted(seams, key=lambda s: (-level[s[0]], s))))

    @property
    def names(self) -> list[str]:
        return [seam_name(consumer, provider) for consumer, provider in self.seams]

    def provider_levels(self) -> list[int]:
        """The levels that seams lead into, highest first."""
        return sorted({self.level[provider] for _, provider in self.seams}, reverse=True)

    def into(self, keep: Callable[[int], bool]) -> list[str]:
        """The seams whose provider's level passes `keep`."""
        return [seam_name(c, p) for c, p in self.seams if keep(self.level[p])]

    def dependency_order(self) -> list[str]:
        """Providers of seams, the ones that need nothing first."""
        providers = {provider for _, provider in self.seams}
        return sorted(providers, key=lambda name: (self.level[name], name))


@dataclass(frozen=True)
class Step:
    """One step of a strategy: a mode for each seam, and what runs under it."""

    title: str
    plan: Mapping[str, Mode]
    changed: tuple[str, ...] = ()  # seams whose mode differs from the step before
    tests_all: bool = False  # every test, not only those that cross `changed`
    drive: tuple[str, ...] = field(default=())  # seams whose recorded requests are sent

    def real(self) -> list[str]:
        return [seam for seam, mode in self.plan.items() if mode == "real"]


def plan_steps(strategy: str, layers: Layers, target: str | None = None) -> list[Step]:
    """The steps of `strategy` on `layers`. NoSeams, UnknownTarget as the input deserves."""
    if not layers.seams and strategy != "big-bang":
        raise NoSeams(
            f"strategy {strategy}: expected seams between services to switch, found none "
            f"(services: {', '.join(sorted(layers.level)) or 'none'}). A seam is a service's "
            "env or command using another's {name.url}; use --strategy big-bang, or link them"
        )
    if target is not None and target not in layers.level:
        near = difflib.get_close_matches(target, list(layers.level), n=1)
        hint = f"did you mean {near[0]!r}? " if near else ""
        raise UnknownTarget(
            f"--target {target!r}: expected a service of the config, found none of that name. "
            f"{hint}(services: {', '.join(sorted(layers.level))})"
        )
    planners: dict[str, Callable[[Layers, str | None], list[Step]]] = {
        "big-bang": _big_bang,
        "top-down": _top_down,
        "bottom-up": _bottom_up,
        "sandwich": _sandwich,
        "incremental": _incremental,
    }
    return _with_changes(planners[strategy](layers, target))


def _plan(
    layers: Layers, real: Callable[[int], bool], drive: Sequence[str] = ()
) -> dict[str, Mode]:
    plan: dict[str, Mode] = {}
    for seam in layers.into(real):
        plan[seam] = "real"
    for seam in layers.into(lambda level: not real(level)):
        plan[seam] = "replay"
    for seam in drive:
        plan[seam] = "drive"
    return dict(sorted(plan.items()))


def _at_least(level: int) -> Callable[[int], bool]:
    return lambda other: other >= level


def _below(level: int) -> Callable[[int], bool]:
    return lambda other: other < level


def _exactly(level: int) -> Callable[[int], bool]:
    return lambda other: other == level


def _outside(low: int, high: int) -> Callable[[int], bool]:
    """Below `low` (the bottom half, driven already) or from `high` up (the top so far)."""
    return lambda other: other < low or other >= high


def _big_bang(layers: Layers, _: str | None) -> list[Step]:
    return [Step("everything real", _plan(layers, lambda level: True), tests_all=True)]


def _top_down(layers: Layers, _: str | None) -> list[Step]:
    steps = [Step("top layer real, every seam below replayed", _plan(layers, lambda _: False))]
    for level in layers.provider_levels():
        steps.append(Step(f"level {level} real", _plan(layers, _at_least(level))))
    return steps


def _bottom_up(layers: Layers, _: str | None) -> list[Step]:
    steps = []
    for level in sorted(layers.provider_levels()):
        driven = layers.into(_exactly(level))
        plan = _plan(layers, _below(level), driven)
        steps.append(Step(f"drive level {level}", plan, drive=tuple(driven)))
    steps.append(Step("the tests drive the top, everything real", _plan(layers, lambda _: True)))
    return steps


def _sandwich(layers: Layers, target: str | None) -> list[Step]:
    """Top-down from the test and bottom-up from level 0, meeting at the target's level."""
    levels = layers.provider_levels()
    middle = layers.level[target] if target is not None else levels[len(levels) // 2]
    above = [level for level in levels if level > middle]
    below = sorted(level for level in levels if level < middle)
    steps = [Step("top layer real, every seam below replayed", _plan(layers, lambda _: False))]
    for level in below:  # the bottom half, driven while the top half runs on replays
        driven = layers.into(_exactly(level))
        plan = _plan(layers, _below(level), driven)
        steps.append(Step(f"bottom: drive level {level}", plan, drive=tuple(driven)))
    for level in above:
        real = _plan(layers, _outside(middle, level))
        steps.append(Step(f"top: level {level} real", real))
    steps.append(Step(f"meet at level {middle}: everything real", _plan(layers, lambda _: True)))
    return steps


def _incremental(layers: Layers, _: str | None) -> list[Step]:
    steps = [Step("every seam between services replayed", _plan(layers, lambda _: False))]
    real: set[str] = set()
    for provider in layers.dependency_order():
        real.add(provider)
        plan: dict[str, Mode] = {
            seam_name(c, p): ("real" if p in real else "replay") for c, p in layers.seams
        }
        steps.append(Step(f"{provider} real", dict(sorted(plan.items()))))
    return steps


def _with_changes(steps: list[Step]) -> list[Step]:
    """Each step with the seams it changed; the first step runs every test."""
    done: list[Step] = []
    before: Mapping[str, Mode] = {}
    for number, step in enumerate(steps):
        changed = tuple(seam for seam, mode in step.plan.items() if before.get(seam) != mode)
        first = number == 0
        done.append(Step(step.title, step.plan, changed, step.tests_all or first, step.drive))
        before = step.plan
    return done
