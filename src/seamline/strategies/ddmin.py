"""Delta debugging (Zeller's ddmin) over seams: the smallest set that, real, still fails.

    result = ddmin(["a -> b", "b -> c", ...], fails)   # fails(real_seams) -> bool, run for real
    result.culprits, result.runs

`fails` is asked about a set of seams made real (every other seam replayed); it is never asked
the same set twice (the answers are kept), so `runs` counts suite runs. With one culprit among
N seams it takes at most 2*log2(N) runs: at granularity 2 a half's complement is the other half.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class DdminResult:
    culprits: list[str]
    runs: int
    tried: list[tuple[list[str], bool]] = field(default_factory=list)  # (real seams, failed)


def ddmin(seams: Sequence[str], fails: Callable[[list[str]], bool]) -> DdminResult:
    """A 1-minimal subset of `seams` for which `fails` holds; `fails(seams)` is assumed true."""
    known: dict[frozenset[str], bool] = {frozenset(seams): True}
    result = DdminResult([], 0)

    def test(subset: list[str]) -> bool:
        key = frozenset(subset)
        if key not in known:
            known[key] = fails(subset)
            result.runs += 1
            result.tried.append((subset, known[key]))
        return known[key]

    current, granularity = list(seams), 2
    while len(current) >= 2:
        chunks = _split(current, granularity)
        reduced = next((chunk for chunk in chunks if test(chunk)), None)
        if reduced is not None:
            current, granularity = reduced, 2
            continue
        if granularity > 2:  # at 2 a chunk's complement is the other chunk, already tried
            complement = next(
                (rest for chunk in chunks if test(rest := [s for s in current if s not in chunk])),
                None,
            )
            if complement is not None:
                current, granularity = complement, max(granularity - 1, 2)
                continue
        if granularity >= len(current):
            break
        granularity = min(len(current), granularity * 2)
    result.culprits = current
    return result


def _split(items: list[str], parts: int) -> list[list[str]]:
    """`items` in `parts` contiguous chunks of nearly equal size."""
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        chunks.append(items[start:end])
        start = end
    return [chunk for chunk in chunks if chunk]
