"""The search over seams, against an oracle that fails when the broken seams are real."""

from __future__ import annotations

import itertools
import math

import pytest

from seamline.strategies.search import ddmin, find_culprits

SEAMS = [f"s{i:02d} -> s{i + 1:02d}" for i in range(15)]  # a chain of 16 services


def oracle(*broken: str):
    """Fails when every seam of `broken` is real (they break together)."""
    asked: list[list[str]] = []

    def fails(real: list[str]) -> bool:
        asked.append(real)
        return set(broken) <= set(real)

    return fails, asked


@pytest.mark.parametrize("culprit", SEAMS)
def test_one_broken_seam_is_found_within_log2_n_plus_one_runs(culprit: str) -> None:
    fails, asked = oracle(culprit)
    result = find_culprits(SEAMS, fails)
    assert result.culprits == [culprit]
    assert result.runs == len(asked) <= math.ceil(math.log2(len(SEAMS))) + 1


def test_two_interacting_seams_take_half_of_naive_incremental_or_less() -> None:
    worst = 0
    for pair in itertools.combinations(SEAMS, 2):
        fails, asked = oracle(*pair)
        result = find_culprits(SEAMS, fails)
        assert result.culprits == list(pair)
        worst = max(worst, len(asked))
    # ddmin alone took up to 26 runs here; naive incremental up to 16
    assert worst <= 2 * (math.ceil(math.log2(len(SEAMS))) + 1) + 1
    assert max(ddmin(SEAMS, oracle(*pair)[0]).runs for pair in [(SEAMS[2], SEAMS[13])]) > worst


def test_seams_that_fail_each_alone_give_one_of_them() -> None:
    result = find_culprits(SEAMS, lambda real: bool({SEAMS[3], SEAMS[9]} & set(real)))
    assert result.culprits == [SEAMS[3]]  # the first in the order, top first


def test_the_same_plan_is_never_run_twice_nor_the_known_ones() -> None:
    fails, asked = oracle(SEAMS[2], SEAMS[13])
    find_culprits(SEAMS, fails)
    assert len({frozenset(real) for real in asked}) == len(asked)
    assert frozenset(SEAMS) not in {frozenset(real) for real in asked}  # all real: fails
    assert frozenset() not in {frozenset(real) for real in asked}  # all replayed: passes


def test_the_result_is_one_minimal_even_when_a_real_seam_hides_the_failure() -> None:
    # s01 real fails, unless s00 is real too (it hides it), unless s02 is real as well:
    # group testing ends with s02 and s01, ddmin finds s01 alone is enough
    def fails(real: list[str]) -> bool:
        return (SEAMS[1] in real and SEAMS[0] not in real) or set(SEAMS[:3]) <= set(real)

    result = find_culprits(SEAMS, fails)
    assert result.culprits == [SEAMS[1]]


def test_a_single_seam_needs_no_run() -> None:
    result = find_culprits(["a -> b"], lambda real: pytest.fail("asked"))
    assert (result.culprits, result.runs) == (["a -> b"], 0)
