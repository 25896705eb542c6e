"""Response templating, case by case, against the answers real WireMock 3.13 gave.

The cases are in compat_templating_cases.py and WireMock's answers in
compat_templating_expected.json (recorded and re-checked by
bench/mock/crosscheck_templating.py). Each case is sent to seamline over a socket.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from compat_templating_cases import CASES, DELIBERATE, FILE_CASES, FILES, TemplateCase

from seamline.mock import MockServer

RECORDED: dict[str, Any] = json.loads(
    (Path(__file__).parent / "compat_templating_expected.json").read_text()
)


def answer(mock: MockServer, case: TemplateCase) -> dict[str, Any]:
    created = httpx.post(mock.url + "/__admin/mappings", json=case.mapping())
    if created.status_code != 201:
        return {"refused": created.status_code, "error": created.text}
    reply = httpx.request(case.method, mock.url + case.url, headers=case.headers, content=case.body)
    port = mock.url.rsplit(":", 1)[1]
    return {
        "status": reply.status_code,
        "body": reply.text.replace(port, "{port}"),
        "headers": {k: v for k, v in reply.headers.items() if k.lower().startswith("x-")},
    }


def test_every_case_has_an_answer_recorded_from_wiremock() -> None:
    assert RECORDED["wiremock"].startswith("3.13.")
    assert sorted(RECORDED) == sorted([*(c.id for c in [*CASES, *FILE_CASES]), "wiremock"])


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_seamline_answers_as_wiremock_does(mock: MockServer, case: TemplateCase) -> None:
    got = answer(mock, case)
    if case.id in DELIBERATE:
        expected = DELIBERATE[case.id].seamline
        assert re.fullmatch(expected, json.dumps(got), re.DOTALL), got
    elif case.pattern is not None:
        assert got["status"] == 200, got
        assert re.fullmatch(case.pattern, got["body"]), got
    elif RECORDED[case.id].get("status") == 500:
        # a failed render: the status is WireMock's, the text says why in seamline's words
        assert got["status"] == 500, got
        assert "could not render its response" in got["body"]
    else:
        assert got == RECORDED[case.id]


@pytest.fixture(scope="module")
def files_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    root = tmp_path_factory.mktemp("root")
    for name, text in FILES.items():
        (root / "__files" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "__files" / name).write_text(text)
    with MockServer(root_dir=root) as server:
        yield server


@pytest.mark.parametrize("case", FILE_CASES, ids=[c.id for c in FILE_CASES])
def test_body_files_answer_as_wiremock_does(files_mock: MockServer, case: TemplateCase) -> None:
    httpx.delete(files_mock.url + "/__admin/mappings")
    assert answer(files_mock, case) == RECORDED[case.id]
