"""ddmin over seams, against an oracle that fails when the broken seams are real."""

from __future__ import annotations

import math

import pytest

from seamline.strategies.ddmin import ddmin

SEAMS = [f"s{i:02d} -> s{i + 1:02d}" for i in range(16)]


def oracle(*broken: str):
    """Fails when every seam of `broken` is real (they break together)."""
    asked: list[list[str]] = []

    def fails(real: list[str]) -> bool:
        asked.append(real)
        return set(broken) <= set(real)

    return fails, asked


@pytest.mark.parametrize("culprit", SEAMS)
def test_one_broken_seam_is_found_within_two_log2_n_runs(culprit: str) -> None:
    fails, asked = oracle(culprit)
    result = ddmin(SEAMS, fails)
    assert result.culprits == [culprit]
    assert result.runs == len(asked) <= 2 * math.log2(len(SEAMS))


def test_two_interacting_seams_are_both_kept() -> None:
    fails, _ = oracle(SEAMS[2], SEAMS[13])
    result = ddmin(SEAMS, fails)
    assert sorted(result.culprits) == [SEAMS[2], SEAMS[13]]
    assert result.runs < len(SEAMS) * 2


def test_the_same_plan_is_never_run_twice() -> None:
    fails, asked = oracle(SEAMS[2], SEAMS[13])
    ddmin(SEAMS, fails)
    assert len({frozenset(real) for real in asked}) == len(asked)
    assert frozenset(SEAMS) not in {frozenset(real) for real in asked}  # known to fail


def test_a_single_seam_needs_no_run() -> None:
    result = ddmin(["a -> b"], lambda real: pytest.fail("asked"))
    assert (result.culprits, result.runs) == (["a -> b"], 0)
