"""The dependency graph between services: edges, cycles, start order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Edge:
    """`consumer` needs `provider`; `why` says where the need was declared."""

    consumer: str
    provider: str
    why: str
    # only a `{provider.url}` of an HTTP service: a seam may carry it and hold the
    # consumer's requests while the provider starts, so the consumer need not wait
    via_url: bool = False


def find_cycle(nodes: Sequence[str], edges: Sequence[Edge]) -> list[Edge] | None:
    """One dependency cycle as a list of edges, or None."""
    out: dict[str, list[Edge]] = {n: [] for n in nodes}
    for edge in edges:
        out[edge.consumer].append(edge)
    state: dict[str, int] = dict.fromkeys(nodes, 0)  # 0 new, 1 on stack, 2 done
    stack: list[Edge] = []

    def visit(node: str) -> list[Edge] | None:
        state[node] = 1
        for edge in out[node]:
            if state[edge.provider] == 1:
                start = (
                    next(i for i, e in enumerate(stack) if e.consumer == edge.provider)
                    if edge.provider != node
                    else len(stack)
                )
                return [*stack[start:], edge]
            if state[edge.provider] == 0:
                stack.append(edge)
                found = visit(edge.provider)
                if found:
                    return found
                stack.pop()
        state[node] = 2
        return None

    for node in nodes:
        if state[node] == 0:
            found = visit(node)
            if found:
                return found
    return None


def start_waves(needs: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Services grouped so each group only needs services of earlier groups."""
    remaining = {name: set(deps) for name, deps in needs.items()}
    waves: list[list[str]] = []
    done: set[str] = set()
    while remaining:
        wave = sorted(name for name, deps in remaining.items() if deps <= done)
        if not wave:  # guarded by find_cycle at load time
            raise ValueError("dependency cycle among " + ", ".join(sorted(remaining)))
        waves.append(wave)
        done.update(wave)
        for name in wave:
            del remaining[name]
    return waves
