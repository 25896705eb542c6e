"""The stubs of one server, in match order, and the scenario states they move through.

Match order is WireMock's: lowest `priority` first, then the most recently added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from seamline.mock.incoming import ReceivedRequest
from seamline.mock.mapping import STARTED, StubMapping


class Scenarios:
    def __init__(self) -> None:
        self._state: dict[str, str] = {}

    def state(self, name: str) -> str:
        return self._state.get(name, STARTED)

    def move(self, name: str, state: str) -> None:
        self._state[name] = state

    def reset(self) -> None:
        self._state.clear()

    def to_json(self, stubs: Iterable[StubMapping]) -> dict[str, Any]:
        members: dict[str, list[StubMapping]] = {}
        for stub in sorted(stubs, key=lambda s: s.insertion):  # in the order they were added
            if stub.scenario:
                members.setdefault(stub.scenario, []).append(stub)
        names = sorted(set(members) | set(self._state))
        return {
            "scenarios": [
                {
                    "id": name,
                    "name": name,
                    "state": self.state(name),
                    "possibleStates": self.possible(members.get(name, []), name),
                    "mappings": [stub.to_json() for stub in members.get(name, [])],
                }
                for name in names
            ]
        }

    def possible(self, stubs: Iterable[StubMapping], name: str) -> list[str]:
        """The states scenario `name` can be set to: those its stubs require or move to
        (not "Started" unless one names it), in the order WireMock's HashSet lists them."""
        states: list[str] = []
        for stub in stubs:
            if stub.scenario == name:
                states += [s for s in (stub.required_state, stub.new_state) if s]
        return java_hash_set_order(states)

    def known(self, stubs: Iterable[StubMapping]) -> set[str]:
        return {s.scenario for s in stubs if s.scenario}


class StubStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StubMapping] = {}
        self._ordered: list[StubMapping] = []
        self._counter = 0
        self.scenarios = Scenarios()

    def add(self, stub: StubMapping) -> StubMapping:
        """Add (or replace, when its id is known) a stub."""
        old = self._by_id.get(stub.id)
        self._counter += 1
        stub.insertion = old.insertion if old is not None else self._counter
        self._by_id[stub.id] = stub
        self._reorder()
        return stub

    def remove(self, stub_id: str) -> StubMapping | None:
        stub = self._by_id.pop(stub_id, None)
        if stub is not None:
            self._reorder()
        return stub

    def get(self, stub_id: str) -> StubMapping | None:
        return self._by_id.get(stub_id)

    def clear(self) -> None:
        self._by_id.clear()
        self._ordered = []

    def _reorder(self) -> None:
        self._ordered = sorted(self._by_id.values(), key=lambda s: (s.priority, -s.insertion))

    def all(self) -> list[StubMapping]:
        """Newest first, as WireMock lists them."""
        return sorted(self._by_id.values(), key=lambda s: -s.insertion)

    def ordered(self) -> list[StubMapping]:
        return self._ordered

    def __len__(self) -> int:
        return len(self._by_id)

    def find(self, request: ReceivedRequest) -> StubMapping | None:
        """The stub that answers `request`, moving its scenario on when it has one."""
        scenarios = self.scenarios
        for stub in self._ordered:
            required = stub.required_state
            if required is not None and scenarios.state(stub.scenario or "") != required:
                continue
            if stub.request.matches(request):
                if stub.scenario is not None and stub.new_state is not None:
                    scenarios.move(stub.scenario, stub.new_state)
                return stub
        return None


def _java_string_hash(text: str) -> int:
    value = 0
    for unit in text.encode("utf-16-be").hex(" ", 2).split():
        value = (31 * value + int(unit, 16)) & 0xFFFFFFFF
    return value


def java_hash_set_order(items: Iterable[str]) -> list[str]:
    """The distinct strings as a java.util.HashSet of them iterates: by bucket (the
    spread String.hashCode masked to the table size), then in insertion order."""
    unique = list(dict.fromkeys(items))
    capacity = 16
    while len(unique) > capacity * 3 // 4:
        capacity *= 2

    def bucket(text: str) -> int:
        h = _java_string_hash(text)
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(unique, key=bucket)  # sorted() is stable: insertion order within a bucket
