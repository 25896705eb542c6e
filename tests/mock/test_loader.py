"""Loading WireMock's directory layout: good mappings load, bad ones are reported
with file, JSON path and reason, and do not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from seamline.mock import MappingLoadError, MockServer
from seamline.mock.loader import load_directory


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_single_and_multi_mapping_files_in_nested_dirs_load(tmp_path: Path) -> None:
    write(
        tmp_path / "mappings" / "one.json", {"request": {"url": "/one"}, "response": {"body": "1"}}
    )
    write(
        tmp_path / "mappings" / "deep" / "many.json",
        {
            "mappings": [
                {"request": {"url": "/two"}, "response": {"body": "2"}},
                {"request": {"url": "/three"}, "response": {"body": "3"}},
            ]
        },
    )
    with MockServer(root_dir=tmp_path) as mock:
        assert [httpx.get(mock.url + p).text for p in ("/one", "/two", "/three")] == ["1", "2", "3"]
        assert mock.load_problems == []


def test_a_directory_of_json_without_mappings_subdir_loads(tmp_path: Path) -> None:
    write(tmp_path / "a.json", {"request": {"url": "/a"}, "response": {"body": "a"}})
    stubs, problems = load_directory(tmp_path)
    assert [s.request.spec["url"] for s in stubs] == ["/a"]
    assert problems == []


def test_bad_mappings_are_reported_with_file_path_and_reason(tmp_path: Path) -> None:
    good = write(
        tmp_path / "mappings" / "good.json", {"request": {"url": "/ok"}, "response": {"body": "ok"}}
    )
    broken = write(tmp_path / "mappings" / "broken.json", '{"request": {"url": "/x"},\n  oops}')
    typo = write(tmp_path / "mappings" / "typo.json", {"request": {"urll": "/x"}})
    bad_matcher = write(
        tmp_path / "mappings" / "matcher.json",
        {
            "mappings": [
                {"request": {"url": "/fine"}},
                {"request": {"bodyPatterns": [{"equalTo": "a"}, {"equalsTo": "b"}]}},
            ]
        },
    )
    bad_regex = write(
        tmp_path / "mappings" / "regex.json", {"request": {"urlPattern": "/(unclosed"}}
    )
    stubs, problems = load_directory(tmp_path)
    assert len(stubs) == 2, "good.json and the first mapping of matcher.json still load"
    by_file = {p.file: p for p in problems}
    assert set(by_file) == {broken, typo, bad_matcher, bad_regex}
    assert "line 2 column 3" in by_file[broken].reason
    assert by_file[typo].path == "$.request.urll"
    assert "unknown request field" in by_file[typo].reason
    assert by_file[typo].reason.endswith("; did you mean 'url'?)")
    assert by_file[bad_matcher].path == "$.mappings[1].request.bodyPatterns[1].equalsTo"
    assert "equalToJson" in by_file[bad_matcher].reason  # lists the matchers it knows
    assert "invalid regular expression" in by_file[bad_regex].reason
    with MockServer(root_dir=tmp_path) as mock:
        assert httpx.get(mock.url + "/ok").text == "ok"
        assert len(mock.load_problems) == 4
    assert good.exists()


def test_loading_a_file_from_python_raises_with_every_problem(
    tmp_path: Path, mock: MockServer
) -> None:
    path = write(
        tmp_path / "m.json",
        {
            "mappings": [
                {"request": {"url": "/a"}, "response": {"status": "OK"}},
                {"request": {"url": "/b"}, "response": {"fault": "NOPE"}},
            ]
        },
    )
    with pytest.raises(MappingLoadError) as caught:
        mock.load(path)
    text = str(caught.value)
    assert "$.mappings[0].response.status: expected an integer" in text
    assert "$.mappings[1].response.fault" in text


def test_missing_root_dir_is_one_clear_problem(tmp_path: Path) -> None:
    stubs, problems = load_directory(tmp_path / "nope")
    assert stubs == []
    assert "does not exist" in problems[0].reason


@pytest.mark.parametrize(
    ("mapping", "path", "says"),
    [
        ({"request": {"headers": {"A": "x"}}}, "$.request.headers.A", "expected a matcher object"),
        (
            {"request": {"headers": {"A": {"equalTo": 1}}}},
            "$.request.headers.A.equalTo",
            "expected a string",
        ),
        (
            {"request": {}, "response": {"delayDistribution": {"type": "poisson"}}},
            "$.response.delayDistribution",
            "uniform",
        ),
        (
            {"request": {}, "response": {"proxyBaseUrl": "x.example"}},
            "$.response.proxyBaseUrl",
            "expected an absolute http:// URL",
        ),
        (
            {"request": {"bodyPatterns": [{"equalToXml": "<a>"}]}},
            "$.request.bodyPatterns[0].equalToXml",
            "expected an XML document",
        ),
        (
            {"request": {"bodyPatterns": [{"matchesJsonPath": "$.a[?(@.b =="}]}},
            "$.request.bodyPatterns[0].matchesJsonPath",
            "invalid JSONPath",
        ),
        ({"id": "not-a-uuid", "request": {}}, "$.id", "expected a UUID"),
        ({"request": {}, "priority": "high"}, "$.priority", "expected an integer"),
        (
            {"request": {}, "response": {"headers": {"A": {"x": 1}}}},
            "$.response.headers.A",
            "a string",
        ),
    ],
)
def test_invalid_mapping_names_the_json_path(
    tmp_path: Path, mapping: dict[str, object], path: str, says: str
) -> None:
    write(tmp_path / "mappings" / "m.json", mapping)
    _, problems = load_directory(tmp_path)
    assert len(problems) == 1
    assert problems[0].path == path
    assert says in problems[0].reason
