"""`equalToJson` semantics (WireMock's, which come from json-unit).

Numbers compare by value (1 == 1.0), booleans never equal numbers, and string
placeholders stand for a kind of value: `${json-unit.any-string}`,
`${json-unit.any-number}`, `${json-unit.any-boolean}`, `${json-unit.ignore}`,
`${json-unit.ignore-element}` and `${json-unit.regex}<regex>`.
`ignoreArrayOrder` matches array items in any order; `ignoreExtraElements`
allows extra object fields and extra trailing array items.
"""

from __future__ import annotations

from typing import Any

from seamline.mock.java_regex import compile_java

_PREFIX = "${json-unit."
_REGEX = "${json-unit.regex}"
_MISSING: Any = object()


def _placeholder(expected: str, actual: Any) -> bool | None:
    """None if `expected` is not a placeholder, else whether `actual` satisfies it."""
    if not expected.startswith(_PREFIX):
        return None
    if expected in ("${json-unit.ignore}", "${json-unit.ignore-element}"):
        return True
    if expected == "${json-unit.any-string}":
        return isinstance(actual, str)
    if expected == "${json-unit.any-number}":
        return isinstance(actual, (int, float)) and not isinstance(actual, bool)
    if expected == "${json-unit.any-boolean}":
        return isinstance(actual, bool)
    if expected.startswith(_REGEX):
        regex = compile_java(expected[len(_REGEX) :])  # json-unit runs Java regexes
        return isinstance(actual, str) and regex.fullmatch(actual) is not None
    return None


def _has_placeholder(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith(_PREFIX)
    if isinstance(value, dict):
        return any(_has_placeholder(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_placeholder(v) for v in value)
    return False


class JsonExpectation:
    def __init__(self, expected: Any, ignore_order: bool, ignore_extra: bool) -> None:
        self.expected = expected
        self.ignore_order = ignore_order
        self.ignore_extra = ignore_extra
        # Without placeholders or ignore options, Python's own == (which is more lenient:
        # True == 1) can refuse a document in one native call; only an == needs the walk.
        self.strict = not (ignore_order or ignore_extra or _has_placeholder(expected))

    def matches(self, actual: Any) -> bool:
        if self.strict and self.expected != actual:
            return False
        return self._equal(self.expected, actual)

    def distance(self, actual: Any) -> float:
        total, wrong = self._score(self.expected, actual)
        return min(1.0, wrong / total) if total else (0.0 if self.matches(actual) else 1.0)

    def _equal(self, expected: Any, actual: Any) -> bool:
        if isinstance(expected, str):
            verdict = _placeholder(expected, actual)
            return expected == actual if verdict is None else verdict
        if isinstance(expected, dict):
            return isinstance(actual, dict) and self._equal_objects(expected, actual)
        if isinstance(expected, list):
            return isinstance(actual, list) and self._equal_arrays(expected, actual)
        if isinstance(expected, bool) or isinstance(actual, bool):
            return expected is actual
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            return float(expected) == float(actual)
        return bool(expected == actual)

    def _equal_objects(self, expected: dict[str, Any], actual: dict[str, Any]) -> bool:
        for key, value in expected.items():
            if key not in actual:
                if value == "${json-unit.ignore-element}":
                    continue
                return False
            if not self._equal(value, actual[key]):
                return False
        return self.ignore_extra or all(key in expected for key in actual)

    def _equal_arrays(self, expected: list[Any], actual: list[Any]) -> bool:
        if len(actual) < len(expected) or (len(actual) > len(expected) and not self.ignore_extra):
            return False
        if not self.ignore_order:
            return all(self._equal(e, a) for e, a in zip(expected, actual, strict=False))
        return self._assign(expected, actual, 0, [False] * len(actual))

    def _assign(self, expected: list[Any], actual: list[Any], index: int, used: list[bool]) -> bool:
        """Every expected item matched to a distinct actual item (backtracking)."""
        if index == len(expected):
            return True
        for position, candidate in enumerate(actual):
            if not used[position] and self._equal(expected[index], candidate):
                used[position] = True
                if self._assign(expected, actual, index + 1, used):
                    return True
                used[position] = False
        return False

    def _score(self, expected: Any, actual: Any) -> tuple[int, int]:
        """(leaves expected, leaves not matched): how far off a near miss is."""
        if isinstance(expected, dict):
            if not isinstance(actual, dict):
                return max(1, len(expected)), max(1, len(expected))
            total = wrong = 0
            for key, value in expected.items():
                t, w = self._score(value, actual.get(key, _MISSING))
                total, wrong = total + t, wrong + w
            if not self.ignore_extra:
                extra = sum(1 for key in actual if key not in expected)
                total, wrong = total + extra, wrong + extra
            return total, wrong
        if isinstance(expected, list) and isinstance(actual, list) and not self.ignore_order:
            total = wrong = 0
            for position, value in enumerate(expected):
                got = actual[position] if position < len(actual) else _MISSING
                t, w = self._score(value, got)
                total, wrong = total + t, wrong + w
            if not self.ignore_extra and len(actual) > len(expected):
                total, wrong = total + 1, wrong + 1
            return total, wrong
        return 1, 0 if actual is not _MISSING and self._equal(expected, actual) else 1
