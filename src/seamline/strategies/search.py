"""The search for the seams a failure needs real: group testing on prefixes, then ddmin.

    result = find_culprits(seams, fails)   # fails(real_seams) -> bool, a suite run each
    result.culprits, result.runs

`fails` is asked about a set of seams made real (every other seam replayed); it is never asked
the same set twice (the answers are kept), so `runs` counts suite runs. `fails(seams)` (all
real) is known true and `fails([])` (all replayed) known false: bisect ran both first.

First, adaptive group testing. `seams` come in the order of the dependency graph, top first,
so a prefix is a plan where the upper layers are real: the part of the system that traffic
reaches first. A binary search finds the shortest failing prefix; its last seam is a culprit.
If the culprits found so far fail alone, that part is over; otherwise it looks for the next
one, with the found ones kept real, in what is left of the prefix. Then Zeller's ddmin over
the seams found makes the set 1-minimal (each seam needed) even when a failure is not monotone
(a seam made real hides it): with one seam it costs nothing, with two one run. k culprits
among N seams take about k*(log2(N)+1) runs: 5 for one among 15 seams, 11 for two (ddmin
alone: 7 and 26; naive incremental: 16).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class SearchResult:
    culprits: list[str]
    runs: int
    tried: list[tuple[list[str], bool]] = field(default_factory=list)  # (real seams, failed)


class _Answers:
    """`fails`, asked at most once per set of real seams; counts the runs."""

    def __init__(self, seams: Sequence[str], fails: Callable[[list[str]], bool]) -> None:
        self._fails = fails
        self.known: dict[frozenset[str], bool] = {frozenset(seams): True, frozenset(): False}
        self.result = SearchResult([], 0)

    def __call__(self, real: list[str]) -> bool:
        key = frozenset(real)
        if key not in self.known:
            self.known[key] = self._fails(list(real))
            self.result.runs += 1
            self.result.tried.append((list(real), self.known[key]))
        return self.known[key]


def find_culprits(seams: Sequence[str], fails: Callable[[list[str]], bool]) -> SearchResult:
    """A small set of `seams` that, real with the others replayed, makes `fails` true."""
    answers = _Answers(seams, fails)
    if len(seams) < 2:
        answers.result.culprits = list(seams)
        return answers.result
    found = _ddmin(_group_testing(list(seams), answers), answers)
    answers.result.culprits = [seam for seam in seams if seam in found]
    return answers.result


def _group_testing(seams: list[str], fails: _Answers) -> list[str]:
    """A failing set of seams, found one by one by binary search on prefixes. Invariant:
    found + candidates fails; found + nothing is found, so the loop ends."""
    found: list[str] = []
    candidates = seams
    while not fails(found):
        low, high = 0, len(candidates)  # found + candidates[:low] passes, [:high] fails
        while high - low > 1:
            middle = (low + high) // 2
            if fails(found + candidates[:middle]):
                high = middle
            else:
                low = middle
        found.append(candidates[high - 1])
        candidates = candidates[: high - 1]
    return found


def _ddmin(seams: list[str], fails: _Answers) -> list[str]:
    """Zeller's ddmin from `seams` (known to fail): a 1-minimal failing subset."""
    current, granularity = list(seams), 2
    while len(current) >= 2:
        chunks = _split(current, granularity)
        reduced = next((chunk for chunk in chunks if fails(chunk)), None)
        if reduced is not None:
            current, granularity = reduced, 2
            continue
        if granularity > 2:  # at 2 a chunk's complement is the other chunk, already tried
            complement = next(
                (rest for chunk in chunks if fails(rest := [s for s in current if s not in chunk])),
                None,
            )
            if complement is not None:
                current, granularity = complement, max(granularity - 1, 2)
                continue
        if granularity >= len(current):
            break
        granularity = min(len(current), granularity * 2)
    return current


def ddmin(seams: Sequence[str], fails: Callable[[list[str]], bool]) -> SearchResult:
    """Plain ddmin over `seams` (`fails(seams)` assumed true): the baseline the bench compares."""
    answers = _Answers(seams, fails)
    answers.known.pop(frozenset())  # plain ddmin does not assume the all-replayed answer
    answers.result.culprits = _ddmin(list(seams), answers)
    return answers.result


def _split(items: list[str], parts: int) -> list[list[str]]:
    """`items` in `parts` contiguous chunks of nearly equal size."""
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        chunks.append(items[start:end])
        start = end
    return [chunk for chunk in chunks if chunk]
