"""A seam's recording: WireMock mappings with an index; noise, scenarios, no secret in clear."""

from __future__ import annotations

import json
from pathlib import Path

from seamline.mock.loader import load_directory
from seamline.strategies.noise import ANY_VALUE
from tests.strategies.ledgers import TEST_ID


def mappings_of(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((folder / "mappings").glob("*.json"))]


def test_each_seam_is_a_folder_of_wiremock_mappings_with_an_index(recorded: Path):
    root = recorded.parent / "recordings"
    assert sorted(p.name for p in root.iterdir()) == ["shop__ledger", "test__shop"]
    folder = root / "shop__ledger"
    stubs, problems = load_directory(folder)
    assert problems == [] and len(stubs) == 4  # two entries, the balance twice (a scenario)
    index = json.loads((folder / "index.json").read_text())
    assert index["seam"] == "shop -> ledger" and len(index["config_hash"]) == 16
    assert sorted(index["mappings"]) == sorted(p.name for p in (folder / "mappings").iterdir())
    assert {test for e in index["mappings"].values() for test in e["tests"]} == {TEST_ID}


def test_volatile_fields_match_anything_from_the_contract_and_the_noise_rules(recorded: Path):
    folder = recorded.parent / "recordings" / "shop__ledger"
    posts = [m for m in mappings_of(folder) if m["request"]["method"] == "POST"]
    bodies = sorted(
        (json.loads(m["request"]["bodyPatterns"][0]["equalToJson"]) for m in posts),
        key=lambda body: body["amount"],
    )
    # ref (format: uuid) and at (date-time) from ledger.yaml, note from [recordings] ignore,
    # card a secret (matched whatever its value, never stored)
    assert bodies == [
        {"amount": amount, "card": ANY_VALUE, "ref": ANY_VALUE, "at": ANY_VALUE, "note": ANY_VALUE}
        for amount in (5, 7)
    ]


def test_a_repeated_request_answered_differently_is_a_scenario_in_order(recorded: Path):
    folder = recorded.parent / "recordings" / "shop__ledger"
    balances = [m for m in mappings_of(folder) if m["request"]["method"] == "GET"]
    by_state = {m["requiredScenarioState"]: m for m in balances}
    assert len({m["scenarioName"] for m in balances}) == 1
    first, second = by_state["Started"], by_state.pop(next(s for s in by_state if s != "Started"))
    assert json.loads(first["response"]["body"]) == {"balance": 5}
    assert json.loads(second["response"]["body"]) == {"balance": 12}
    assert first["newScenarioState"] == second["requiredScenarioState"]


def test_credentials_are_not_stored_in_clear(recorded: Path):
    text = "".join(p.read_text() for p in (recorded.parent / "recordings").rglob("*.json"))
    assert "ledger-token-7f3a9c" not in text and "4000-1234" not in text
    assert "Bearer [masked]" in text  # the request kept for drivers, masked


def test_answers_that_differ_only_in_noise_are_one_answer_not_a_scenario():
    """A `Date` a second later, or a volatile field, is the same answer (the hubs suite's
    recording became a two-step scenario when its two calls straddled a second)."""
    from seamline.strategies.build import _sequenced
    from seamline.strategies.noise import Noise

    def answer(date: str, body: dict[str, object]) -> dict[str, object]:
        headers = {"Date": date, "Content-Type": "application/json"}
        return {"response": {"status": 200, "headers": headers, "jsonBody": body}}

    noise = Noise(fields=frozenset({"id"}))
    same = [
        answer("Mon, 30 Nov 2026 18:20:30 GMT", {"value": 1, "id": "a"}),
        answer("Mon, 30 Nov 2026 18:20:31 GMT", {"value": 1, "id": "b"}),
    ]
    assert len(_sequenced("hub -> leaf2", "k", same, noise)) == 1
    changed = [*same, answer("Mon, 30 Nov 2026 18:20:32 GMT", {"value": "1", "id": "c"})]
    stubs = _sequenced("hub -> leaf2", "k", changed, noise)
    assert [stub["response"]["jsonBody"]["value"] for stub in stubs] == [1, 1, "1"]
    assert stubs[0]["requiredScenarioState"] == "Started"
