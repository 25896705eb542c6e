"""The Python examples in docs/mock.md run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seamline.mock import MockServer

DOC = Path(__file__).resolve().parents[2] / "docs" / "mock.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("code", BLOCKS, ids=[f"example-{i}" for i in range(len(BLOCKS))])
def test_doc_example_runs(code: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_") and callable(v)]
    for test in tests:
        with MockServer() as mock:
            test(mock)
