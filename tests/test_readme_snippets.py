"""Every Python snippet of the README and docs/ (but docs/mock.md, which tests/mock/test_docs.py
runs) is checked: taken from an example's test file (each of its statements is in that test, in
order), run for real against examples/hello, or a sketch named here with what it needs. A new
snippet fits one of these or this test fails."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
DOCS = ["README.md", "docs/contracts.md", "docs/db.md", "docs/report.md", "docs/strategies.md"]
BLOCKS = [
    block
    for doc in DOCS
    for block in re.findall(r"```python\n(.*?)```", (ROOT / doc).read_text(), re.S)
]
# docs/report.md's script: run in the project after its tests, on their records
REPORT_SCRIPT = next(b for b in BLOCKS if "from seamline.report import" in b)

# test function in the README -> the file whose test of that name it shows, condensed
FROM_FILE = {
    "test_greeting_a_known_name_asks_names_once": "examples/hello/tests/test_greeter.py",
    "test_names_stubbed_for_one_test": "examples/hello/tests/test_greeter.py",
    "test_names_failing_is_a_502_from_the_greeter": "examples/hello/tests/test_greeter.py",
    "test_the_flow_in_order": "examples/hello/tests/test_greeter.py",
    "test_a_paid_order_is_delivered_to_fulfilment_and_shipped": (
        "examples/messages/tests/test_orders.py"
    ),
    "test_a_dropped_event_leaves_the_order_unshipped": "examples/messages/tests/test_orders.py",
    "test_a_duplicated_delivery_ships_the_order_once": "examples/shop/tests/test_fulfilment.py",
    "test_payments_refuses_a_charge_whose_amount_is_not_integer_cents": (
        "examples/shop/tests/test_contract_check.py"
    ),
    "test_payments_answering_amount_as_a_string_fails_checkout_naming_seam_operation_and_field": (
        "examples/shop/tests/test_contract_check.py"
    ),
}
# run as they are, in a copy of examples/hello
RUN = {"test_greeting_counts_visits", "test_checkout_charges_the_card"}
# sketches of a system the README does not define, with what running one would need
SKETCH = {
    "test_checkout_in_the_browser": "Chromium and the shop (test_checkout_in_browser.py)",
    "test_the_page_says_the_catalogue_is_down": "Chromium and the shop",
    "test_a_stubbed_api_behind_the_page": "Chromium and the shop",
    "test_orders_survive_an_inventory_crash": "an inventory service",
    "test_order_is_stored": "an orders api (tests/db/test_fixtures.py runs the calls)",
    "test_the_worker_survives_an_event_without_an_amount": "a bus with an AsyncAPI document",
    "test_checkout_on_recorded_payments": "the shop and its recordings",
    "test_checkout_replayed": "the shop and its recordings",
    "test_checkout_new_path": "the shop and its recordings",
}


def _functions(source: str) -> dict[str, ast.FunctionDef]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def _readme_functions() -> dict[str, ast.FunctionDef]:
    found: dict[str, ast.FunctionDef] = {}
    for block in BLOCKS:
        found.update(_functions(block))
    return found


def _in_order(part: list[str], whole: list[str]) -> list[str]:
    """The items of `part` that are not found in `whole` in that order."""
    rest = iter(whole)
    return [item for item in part if item not in rest]


def test_every_readme_snippet_is_checked_one_way():
    unchecked = set(_readme_functions()) - set(FROM_FILE) - RUN - set(SKETCH)
    assert not unchecked, f"README snippets nobody checks: {sorted(unchecked)}; add them above"


@pytest.mark.parametrize("name", sorted(FROM_FILE))
def test_a_snippet_from_an_example_says_what_its_test_does(name):
    shown = _readme_functions()[name]
    real = _functions((ROOT / FROM_FILE[name]).read_text()).get(name)
    assert real is not None, f"{FROM_FILE[name]} has no {name} (renamed?)"
    missing = _in_order(
        [ast.unparse(d) for d in shown.decorator_list],
        [ast.unparse(d) for d in real.decorator_list],
    )
    missing += _in_order([a.arg for a in shown.args.args], [a.arg for a in real.args.args])
    missing += _in_order([ast.unparse(s) for s in shown.body], [ast.unparse(s) for s in real.body])
    assert not missing, f"README's {name} is not in {FROM_FILE[name]} as shown: {missing}"


def test_the_runnable_snippets_pass_against_examples_hello(tmp_path):
    project = tmp_path / "hello"
    shutil.copytree(
        ROOT / "examples" / "hello", project, ignore=shutil.ignore_patterns(".seamline")
    )
    snippets = [b for b in BLOCKS if set(_functions(b)) & RUN]
    assert len(snippets) == len(RUN)
    (project / "tests" / "test_readme.py").write_text("\n\n".join(snippets))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:xdist",
            "-p",
            "no:cacheprovider",
            "-q",
            "tests/test_readme.py",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{len(RUN)} passed" in done.stdout
    report = subprocess.run(
        [sys.executable, "-c", REPORT_SCRIPT],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert report.stdout.split() == ["seamline-report/index.html", "seamline-report/report.json"]


def test_the_sketches_are_python():
    for block in BLOCKS:
        ast.parse(block)  # a SyntaxError names the line


def test_the_readmes_hello_config_is_the_examples():
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r"```toml\n(.*?)```", readme, re.S)[0]
    before = readme[: readme.index(shown)][-200:]
    assert "This is [`examples/hello/seamline.toml`]" in before
    real = (ROOT / "examples" / "hello" / "seamline.toml").read_text()
    assert tomllib.loads(shown) == tomllib.loads(real)
