"""Layers from the dependency graph, and each strategy's steps (pure: no process runs)."""

from __future__ import annotations

import pytest

from seamline.strategies.errors import NoSeams, UnknownTarget
from seamline.strategies.plans import Layers, plan_steps

# web -> api -> payments -> bank; api -> stock; stock and bank call nobody
NEEDS = {
    "web": ["api"],
    "api": ["payments", "stock"],
    "payments": ["bank"],
    "stock": [],
    "bank": [],
}
SEAMS = [("web", "api"), ("api", "payments"), ("api", "stock"), ("payments", "bank")]
LAYERS = Layers.from_graph(NEEDS, SEAMS)
WA, AP, AS, PB = "web -> api", "api -> payments", "api -> stock", "payments -> bank"


def reals(strategy: str, target: str | None = None) -> list[set[str]]:
    return [set(step.real()) for step in plan_steps(strategy, LAYERS, target)]


def test_services_that_call_nobody_are_the_bottom_and_callers_sit_above() -> None:
    assert dict(LAYERS.level) == {"bank": 0, "stock": 0, "payments": 1, "api": 2, "web": 3}
    assert LAYERS.dependency_order() == ["bank", "stock", "payments", "api"]


def test_big_bang_is_one_step_everything_real() -> None:
    (step,) = plan_steps("big-bang", LAYERS)
    assert set(step.real()) == {WA, AP, AS, PB} and step.tests_all


def test_top_down_makes_one_more_layer_real_per_step() -> None:
    assert reals("top-down") == [set(), {WA}, {WA, AP}, {WA, AP, AS, PB}]
    steps = plan_steps("top-down", LAYERS)
    assert steps[0].tests_all and not steps[1].tests_all
    assert steps[2].changed == (AP,) and steps[3].changed == (AS, PB)


def test_bottom_up_drives_the_bottom_first_then_moves_up() -> None:
    steps = plan_steps("bottom-up", LAYERS)
    assert [step.drive for step in steps] == [(AS, PB), (AP,), (WA,), ()]
    assert reals("bottom-up")[1] == {AS, PB}  # level 0 real while level 1 is driven
    assert reals("bottom-up")[-1] == {WA, AP, AS, PB}


def test_sandwich_goes_from_both_ends_toward_the_target() -> None:
    steps = plan_steps("sandwich", LAYERS, target="payments")
    assert [step.title for step in steps] == [
        "top layer real, every seam below replayed",
        "bottom: drive level 0",
        "top: level 2 real",
        "meet at level 1: everything real",
    ]
    assert steps[1].drive == (AS, PB)
    assert set(steps[2].real()) == {WA, AS, PB}  # the target's seam replayed until they meet


def test_incremental_makes_one_service_real_at_a_time_in_dependency_order() -> None:
    assert reals("incremental") == [set(), {PB}, {PB, AS}, {PB, AS, AP}, {PB, AS, AP, WA}]
    assert [step.changed for step in plan_steps("incremental", LAYERS)][1:] == [
        (PB,),
        (AS,),
        (AP,),
        (WA,),
    ]


def test_a_system_without_seams_gets_a_clear_error() -> None:
    with pytest.raises(NoSeams, match=r"expected seams between services.*big-bang"):
        plan_steps("top-down", Layers.from_graph({"api": []}, []))
    assert plan_steps("big-bang", Layers.from_graph({"api": []}, []))


def test_a_target_naming_no_service_says_which_it_meant() -> None:
    with pytest.raises(UnknownTarget, match=r"'paymnts'.*did you mean 'payments'"):
        plan_steps("sandwich", LAYERS, target="paymnts")
