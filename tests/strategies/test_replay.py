"""Replay: a seam answered from its recording, near misses, record-missing, `[seams] mode`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.errors import SeamlineError
from seamline.strategies.build import record_seams
from seamline.strategies.errors import InvalidRecording, NoRecording, RecordingOutdated
from seamline.strategies.replay import RECORD_MISSING_TEST
from seamline.system.core import System
from seamline.system.harness import Harness
from tests.strategies.ledgers import write_project


def test_a_replayed_seam_answers_from_the_recording_with_the_provider_down(
    recorded: Path, start_system: Callable[..., System]
):
    system = start_system(recorded)
    seam = system.seam("shop", "ledger").use_replay()
    system.stop_service("ledger")
    shop = system.client("shop")
    entry = shop.post("/buy", json={"amount": 7}).json()
    assert entry["status"] == 201 and entry["entry"]["amount"] == 7
    # the scenario gives the recorded answers in their order
    assert [shop.get("/total").json()["entry"]["balance"] for _ in range(2)] == [5, 12]
    assert seam.mode == "replay" and {e.mode for e in seam.exchanges()} == {"replay"}
    assert system.seams.replay_misses() == []


def test_a_request_with_no_recording_names_the_seam_and_the_closest_recorded(
    recorded: Path, start_system: Callable[..., System]
):
    system = start_system(recorded)
    system.seam("shop", "ledger").use_replay()
    assert system.client("shop").post("/buy", json={"amount": 99}).json()["status"] == 404
    (miss,) = system.seams.replay_misses()
    assert miss.startswith("seam shop -> ledger (replay): no recorded answer for POST /entries")
    assert "the closest recorded requests: POST /entries (entries-" in miss
    assert "seamline record PATH --missing" in miss
    assert system.seams.replay_misses() == []  # each miss is told once


def test_record_missing_forwards_what_is_not_recorded_and_adds_it(
    recorded: Path, start_system: Callable[..., System]
):
    system = start_system(recorded)
    system.seam("shop", "ledger").use_record_missing()
    assert system.client("shop").post("/buy", json={"amount": 99}).json()["status"] == 201
    assert system.seams.replay_misses() == []
    system.stop()
    folder = recorded.parent / "recordings" / "shop__ledger"
    index = json.loads((folder / "index.json").read_text())
    added = [name for name, e in index["mappings"].items() if e["tests"] == [RECORD_MISSING_TEST]]
    assert len(added) == 1
    body = json.loads((folder / "mappings" / added[0]).read_text())["request"]["bodyPatterns"][0]
    assert json.loads(body["equalToJson"])["amount"] == 99
    again = start_system(recorded)
    again.seam("shop", "ledger").use_replay()
    again.stop_service("ledger")
    assert again.client("shop").post("/buy", json={"amount": 99}).json()["status"] == 201


def test_seams_mode_replay_in_the_config_replays_links_between_services_only(
    recorded: Path, start_system: Callable[..., System]
):
    write_project(recorded.parent, '\n[seams]\nmode = "replay"\n')
    system = start_system(recorded)
    assert system.seam("shop", "ledger").mode == "replay"
    assert system.seam("test", "shop").mode == "real"
    system.seam("shop", "ledger").use_real()
    Harness(system).reset_seams()
    assert system.seam("shop", "ledger").mode == "replay"  # back to the config's mode


def test_a_seam_with_no_recording_says_so_and_how_to_record(
    project: Path, start_system: Callable[..., System]
):
    system = start_system(project)
    with pytest.raises(NoRecording) as raised:
        system.seam("shop", "ledger").use_replay()
    message = str(raised.value)
    assert message.startswith("seam shop -> ledger: no recording: expected ")
    assert "recordings/shop__ledger/index.json (recorded seams: none)" in message
    assert "seamline record" in message
    write_project(project.parent, '\n[seams]\nmode = "replay"\n')
    with pytest.raises(SeamlineError, match="seam shop -> ledger: no recording"):
        start_system(project)


def test_a_recording_made_with_another_config_is_refused(
    recorded: Path, start_system: Callable[..., System]
):
    text = recorded.read_text().replace('ready = "http GET /health"', 'ready = "tcp"', 1)
    recorded.write_text(text)
    system = start_system(recorded)
    with pytest.raises(RecordingOutdated) as raised:
        system.seam("shop", "ledger").use_replay()
    assert "was made with another version of the config" in str(raised.value)
    assert "services shop and ledger were declared otherwise" in str(raised.value)
    assert "seamline record" in str(raised.value)


def test_a_hand_edited_invalid_mapping_names_the_file_and_the_problem(
    recorded: Path, start_system: Callable[..., System]
):
    folder = recorded.parent / "recordings" / "shop__ledger" / "mappings"
    broken = sorted(folder.glob("entries-*.json"))[0]
    mapping = json.loads(broken.read_text())
    mapping["request"]["metod"] = mapping["request"].pop("method")
    broken.write_text(json.dumps(mapping))
    (folder / "balance-cut.json").write_text('{"request": {')
    system = start_system(recorded)
    with pytest.raises(InvalidRecording) as raised:
        system.seam("shop", "ledger").use_replay()
    message = str(raised.value)
    assert "has 2 invalid mapping(s)" in message
    assert f"{broken}: $.request.metod: unknown request field 'metod'" in message
    assert "balance-cut.json: $: not valid JSON at line 1" in message
    assert "record the seam again" in message


MARKED = """
import pytest


@pytest.mark.seams(ledger="replay")
def test_replayed(system):
    assert system.seam("shop", "ledger").mode == "replay"
    assert system.client("shop").post("/buy", json={"amount": 7}).json()["status"] == 201


@pytest.mark.seams(ledger="replay")
def test_not_recorded(system):
    system.client("shop").post("/buy", json={"amount": 99})


def test_real_again(system):
    assert system.seam("shop", "ledger").mode == "real"
"""


def test_the_seams_marker_replays_and_a_request_with_no_recording_fails_the_test(
    recorded: Path, pytester: pytest.Pytester, run_root: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("SEAMLINE_RUN_ROOT", str(run_root))
    shutil.copytree(recorded.parent, pytester.path, dirs_exist_ok=True)
    (pytester.path / "test_marked.py").write_text(MARKED)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_not_recorded*",
            "*seam shop -> ledger (replay): no recorded answer for POST /entries; the closest "
            "recorded requests: POST /entries (entries-*",
        ]
    )


def test_a_replayed_test_starts_at_its_own_answers_of_a_scenario(
    project: Path, start_system: Callable[..., System]
):
    system = start_system(project)
    shop = system.client("shop")
    Harness(system).begin_test("tests/t.py::test_a")
    shop.post("/buy", json={"amount": 5})
    assert shop.get("/total").json()["entry"] == {"balance": 5}
    Harness(system).begin_test("tests/t.py::test_b")
    assert shop.get("/total").json()["entry"] == {"balance": 5}
    shop.post("/buy", json={"amount": 7})
    assert shop.get("/total").json()["entry"] == {"balance": 12}
    record_seams(system.config, system.seams.exchanges(all_tests=True))
    system.stop()
    again = start_system(project)
    again.seam("shop", "ledger").use_replay()
    again.stop_service("ledger")
    # run alone (its id as pytest writes it from another directory), test_b gets its answers
    Harness(again).begin_test("project/tests/t.py::test_b")
    totals = [again.client("shop").get("/total").json()["entry"] for _ in range(2)]
    assert totals == [{"balance": 5}, {"balance": 12}]
