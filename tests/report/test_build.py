"""`build`: the files it writes, their schema, their escaping, and no secret in any of them."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import jsonschema
import pytest

from seamline.report import build, github_summary, junit_text, record_dirs_of, schema_path
from seamline.report.model import REPORT_VERSION
from seamline.report.options import ReportOptions
from tests.report.records_builder import RunBuilder
from tests.report.shop_records import INJECTION, write_shop_run


@pytest.fixture
def shop(tmp_path) -> RunBuilder:
    return write_shop_run(tmp_path / "runs")


class Tags(HTMLParser):
    """The elements a browser would create from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_build_writes_the_page_and_report_json_valid_against_the_published_schema(shop, tmp_path):
    paths = build([shop.path], tmp_path / "seamline-report", environ={})
    assert paths.html == tmp_path / "seamline-report" / "index.html"
    report = json.loads(paths.json.read_text())
    assert report["report_version"] == REPORT_VERSION
    schema = json.loads(schema_path().read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)


def test_the_schema_rejects_a_report_that_breaks_it(shop, tmp_path):
    report = json.loads(build([shop.path], tmp_path / "out", environ={}).json.read_text())
    schema = json.loads(schema_path().read_text())
    report["tests"][0]["outcome"] = "exploded"
    with pytest.raises(jsonschema.ValidationError, match="exploded"):
        jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)


def test_no_secret_used_in_the_records_reaches_any_report_output(shop, tmp_path):
    summary_file = tmp_path / "step-summary.md"
    paths = build([shop.path], tmp_path / "out", environ={"GITHUB_STEP_SUMMARY": str(summary_file)})
    outputs = {
        "index.html": paths.html.read_text(),
        "report.json": paths.json.read_text(),
        "github summary": summary_file.read_text(),
        "junit": junit_text(
            [json.loads(line) for line in (shop.path / "journal.jsonl").read_text().splitlines()],
            [
                json.loads(line)
                for line in (shop.path / "db-changes.jsonl").read_text().splitlines()
            ],
        ),
    }
    assert len(shop.secrets) >= 10
    leaks = {
        name: sorted(secret for secret in shop.secrets if secret in text)
        for name, text in outputs.items()
    }
    assert leaks == {name: [] for name in outputs}
    # ... and they were there to leak: the records hold every one of them
    records = "".join(p.read_text() for p in shop.path.rglob("*") if p.is_file())
    assert sorted(s for s in shop.secrets if s not in records) == []


def test_recorded_html_and_script_end_tags_cannot_break_out_of_the_page(shop, tmp_path):
    html = build([shop.path], tmp_path / "out", environ={}).html.read_text()
    parser = Tags()
    parser.feed(html)
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    tests = len(json.loads((tmp_path / "out" / "report.json").read_text())["tests"])
    assert len(scripts) == tests + 1  # one JSON block per test and the page's own script
    assert all(attrs.get("type") == "application/json" for attrs in scripts[:-1])
    assert not any(tag == "img" for tag, _ in parser.tags)
    assert INJECTION not in html
    assert html.count("</script>") == tests + 1
    # the test name with <visa> in it is text, not an element
    assert "test_declined_card[&lt;visa&gt;]" in html
    assert not any(tag == "visa" for tag, _ in parser.tags)


def test_the_page_loads_nothing_from_anywhere(shop, tmp_path):
    html = build([shop.path], tmp_path / "out", environ={}).html.read_text()
    parser = Tags()
    parser.feed(html)
    csp = next(a for t, a in parser.tags if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in (csp["content"] or "")
    loads = [(t, a) for t, a in parser.tags if {"src", "href"} & a.keys()]
    assert all((a.get("href") or "").startswith("#") for _, a in loads), loads
    assert not re.search(r"(fetch|XMLHttpRequest|import\()", html.split("<script>")[-1])


def test_github_step_summary_is_appended_only_when_the_variable_is_set(shop, tmp_path):
    summary_file = tmp_path / "summary.md"
    summary_file.write_text("earlier step\n")
    build([shop.path], tmp_path / "a", environ={})
    assert summary_file.read_text() == "earlier step\n"
    paths = build([shop.path], tmp_path / "b", environ={"GITHUB_STEP_SUMMARY": str(summary_file)})
    text = summary_file.read_text()
    assert text.startswith(
        "earlier step\n### seamline report: shop: ❌ 2 failed, 5 passed, 1 skipped"
    )
    assert "| `tests/test_shop.py::test_checkout_stores_the_order` | failed |" in text
    assert "api -> payments ⚠2" in text
    assert f"Full report: `{paths.html}`" in text
    build([shop.path], tmp_path / "c", options=ReportOptions(github_summary=False),
          environ={"GITHUB_STEP_SUMMARY": str(summary_file)})  # fmt: skip
    assert summary_file.read_text() == text


def test_github_summary_escapes_markdown_and_html_in_recorded_text(shop, tmp_path):
    report = json.loads(build([shop.path], tmp_path / "out", environ={}).json.read_text())
    report["tests"][1]["message"] = "a | b <img src=x onerror=alert(1)>"
    text = github_summary(report)
    assert "a \\| b &lt;img src=x onerror=alert(1)>" in text
    assert "<img" not in text


def test_record_dirs_of_finds_the_newest_run_or_takes_the_one_given(tmp_path):
    older = RunBuilder(tmp_path)
    newer = RunBuilder(tmp_path, worker="gw9")  # same second, sorts after
    assert record_dirs_of(older.path) == [older.path]
    assert record_dirs_of(tmp_path) == [newer.path]
    for run in (older, newer):  # when run.json names the session, its workers go together
        info = json.loads((run.path / "run.json").read_text())
        (run.path / "run.json").write_text(json.dumps({**info, "session": "s1"}))
    assert record_dirs_of(tmp_path) == [older.path, newer.path]
    with pytest.raises(FileNotFoundError, match="no seamline record dir"):
        record_dirs_of(older.path / "logs")


def test_no_record_dirs_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no record dirs given"):
        build([], tmp_path / "out")


def test_the_pages_own_script_never_parses_recorded_text_as_html():
    from importlib.resources import files

    static = files("seamline.report") / "static"
    script = (static / "report.js").read_text()
    for construct in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert construct not in script, construct
    assert "</script" not in script.lower()
    assert "</style" not in (static / "report.css").read_text().lower()
