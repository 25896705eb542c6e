"""What a strategy's steps gave: the step x seam x tests matrix, the first failing step, JSON.

step  plan: api -> payments   tests          overhead
1     replay                  9 passed       3 ms
2     real                    2 failed/7     2 ms    <- first failing step: api -> payments real
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from seamline.strategies.plans import Step

MODE_MARK = {"real": "real", "replay": "replay", "drive": "driven"}


class StepJson(TypedDict):
    step: int
    title: str
    plan: dict[str, str]
    changed: list[str]
    passed: list[str]
    failed: list[str]
    driven: dict[str, int]  # seam -> requests that drifted (0: none)
    seconds: float
    overhead_ms: float


class StrategyJson(TypedDict):
    strategy: str
    target: str | None
    seams: list[str]
    first_failing: int | None
    steps: list[StepJson]


@dataclass
class StepResult:
    step: Step
    passed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    drifted: dict[str, int] = field(default_factory=dict)  # driven seam -> requests drifted
    seconds: float = 0.0
    overhead_ms: float = 0.0  # wall time beyond the tests and drivers: switching the plan

    @property
    def ok(self) -> bool:
        return not self.failed and not any(self.drifted.values())

    def outcome(self) -> str:
        parts = []
        if self.passed or self.failed:
            failed = f"{len(self.failed)} failed, " if self.failed else ""
            parts.append(f"{failed}{len(self.passed)} passed")
        for seam, drifted in self.drifted.items():
            parts.append(f"driver {seam}: {'drifted ' + str(drifted) if drifted else 'ok'}")
        return "; ".join(parts) or "no test crosses the changed seams"


def first_failing(results: list[StepResult]) -> int | None:
    """The index of the first step that failed, or None."""
    return next((number for number, result in enumerate(results) if not result.ok), None)


def matrix_lines(results: list[StepResult], seams: list[str]) -> list[str]:
    """The step-by-step matrix as text, then the first failing step and what changed at it."""
    widths = [max(len(seam), 6) for seam in seams]
    head = "  ".join(seam.ljust(width) for seam, width in zip(seams, widths, strict=True))
    lines = [f"step  {head}  tests / drivers (overhead)"]
    for number, result in enumerate(results, start=1):
        modes = "  ".join(
            MODE_MARK[result.step.plan.get(seam, "real")].ljust(width)
            for seam, width in zip(seams, widths, strict=True)
        )
        mark = "FAIL" if not result.ok else "ok  "
        lines.append(
            f"{number:<4}  {modes}  {mark} {result.outcome()} ({result.overhead_ms:.1f} ms)"
        )
    lines.append(verdict(results))
    return lines


def verdict(results: list[StepResult]) -> str:
    failing = first_failing(results)
    if failing is None:
        return f"every step passed ({len(results)} step(s))"
    result = results[failing]
    changed = ", ".join(f"{seam} {result.step.plan[seam]}" for seam in result.step.changed)
    tests = ", ".join(result.failed[:3]) + (" ..." if len(result.failed) > 3 else "")
    what = f"; failed: {tests}" if tests else ""
    return (
        f"first failing step: {failing + 1} ({result.step.title}); "
        f"changed at it: {changed or 'nothing (the first step)'}{what}"
    )


def strategy_json(
    strategy: str, target: str | None, seams: list[str], results: list[StepResult]
) -> StrategyJson:
    return {
        "strategy": strategy,
        "target": target,
        "seams": seams,
        "first_failing": first_failing(results),
        "steps": [
            {
                "step": number,
                "title": result.step.title,
                "plan": dict(result.step.plan),
                "changed": list(result.step.changed),
                "passed": result.passed,
                "failed": result.failed,
                "driven": result.drifted,
                "seconds": round(result.seconds, 3),
                "overhead_ms": round(result.overhead_ms, 2),
            }
            for number, result in enumerate(results, start=1)
        ],
    }
