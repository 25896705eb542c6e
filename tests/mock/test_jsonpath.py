"""The JSONPath dialect used by matchesJsonPath and the jsonPath helper."""

from __future__ import annotations

from typing import Any

import pytest

from seamline.mock.jsonpath import JsonPathError, as_text, compile_path

DOC: dict[str, Any] = {
    "store": {
        "book": [
            {"title": "A", "price": 8.95, "tags": ["x"], "isbn": "1"},
            {"title": "B", "price": 12.99, "tags": []},
            {"title": "C", "price": 22.5, "available": True},
        ],
        "owner": {"name": "Ann"},
    },
    "name": "shop",
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$.name", ["shop"]),
        ("name", ["shop"]),
        ("$.store.owner.name", ["Ann"]),
        ("$['store']['owner']['name']", ["Ann"]),
        ("$.store.book[0].title", ["A"]),
        ("$.store.book[-1].title", ["C"]),
        ("$.store.book[0,2].title", ["A", "C"]),
        ("$.store.book[0:2].title", ["A", "B"]),
        ("$.store.book[*].title", ["A", "B", "C"]),
        ("$..title", ["A", "B", "C"]),
        ("$..name", ["Ann", "shop"]),
        ("$.store.book[?(@.price < 10)].title", ["A"]),
        ("$.store.book[?(@.price >= 12.99 && @.title != 'C')].title", ["B"]),
        ("$.store.book[?(@.title == 'A' || @.title == 'C')].title", ["A", "C"]),
        ("$.store.book[?(@.isbn)].title", ["A"]),
        ("$.store.book[?(@.available == true)].title", ["C"]),
        ("$.store.book[?(@.title =~ /[ab]/i)].title", ["A", "B"]),
        ("$.store.book.length()", [3]),
        ("$.missing", []),
        ("$.store.book[7]", []),
    ],
)
def test_expression_selects(expression: str, expected: list[Any]) -> None:
    assert sorted(compile_path(expression).find(DOC), key=str) == sorted(expected, key=str)


@pytest.mark.parametrize("expression", ["$.a[", "$.a[?(@.b ==)]", "$.a[x]", "$.a b"])
def test_invalid_expressions_say_where(expression: str) -> None:
    with pytest.raises(JsonPathError):
        compile_path(expression)


def test_values_render_as_text_like_jayway() -> None:
    assert [as_text(v) for v in ("s", 3, 2.5, True, None, {"a": 1}, [1])] == [
        "s",
        "3",
        "2.5",
        "true",
        "null",
        '{"a":1}',
        "[1]",
    ]
