"""docs/architecture.md's "Record formats" shows every line kind with exactly the fields of its
TypedDict in `records.lines`, nested ones included, at the current version."""

from __future__ import annotations

import json
import re
from pathlib import Path

from seamline.records.lines import (
    FORMAT_VERSION,
    DbChangeLine,
    EndEvent,
    ExchangeLine,
    MessageLine,
    RunInfo,
    StartEvent,
)
from tests.records.shapes import differences

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
# The examples in the order the section shows them.
EXAMPLES = [RunInfo, StartEvent, EndEvent, ExchangeLine, DbChangeLine, MessageLine]


def section() -> str:
    text = DOC.read_text()
    start = text.index("## Record formats")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def test_every_example_has_the_fields_of_its_typeddict():
    blocks = re.findall(r"```json\n(.*?)```", section(), flags=re.DOTALL)
    assert len(blocks) == len(EXAMPLES)
    for block, line_type in zip(blocks, EXAMPLES, strict=True):
        example = json.loads(block)
        assert differences(example, line_type) == []
        assert set(example) == set(line_type.__annotations__)  # optional fields shown too
        assert example["v"] == FORMAT_VERSION


def test_the_section_names_the_current_version():
    assert f"current version `v` = {FORMAT_VERSION}" in section()
