"""Which tests a shard runs: deterministic, balanced by durations, even by count without them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seamline.report.sharding import ShardSpec, load_durations, parse_shard, plan

IDS = [f"tests/test_a.py::test_{n:02d}" for n in range(10)]


@pytest.mark.parametrize("text", ["3/2", "0/4", "a/b", "1/0", "2", "-1/4", ""])
def test_a_shard_outside_1_to_n_is_refused_saying_what_is_expected(text):
    with pytest.raises(ValueError, match=r"K/N with 1 <= K <= N .*found"):
        parse_shard(text)


def test_a_good_shard_is_read():
    assert parse_shard("2/4") == ShardSpec(2, 4)
    assert str(parse_shard(" 4 / 4 ")) == "4/4"


def test_without_durations_the_split_is_even_by_count_and_covers_every_test_once():
    split = plan(list(reversed(IDS)), 4, None)
    assert not split.balanced and split.warning is None
    assert sorted(len(b) for b in split.bins) == [2, 2, 3, 3]
    assert sorted(t for b in split.bins for t in b) == IDS
    # the order pytest collected them in does not matter: every machine agrees
    assert plan(IDS, 4, None).bins == split.bins


def test_durations_balance_the_shards_longest_first():
    durations = dict.fromkeys(IDS, 1.0)
    durations[IDS[0]] = 9.0  # one long test: it gets a shard nearly to itself
    split = plan(IDS, 2, durations)
    assert split.balanced
    loads = [sum(durations[t] for t in b) for b in split.bins]
    assert split.bins[0][0] == IDS[0]
    assert loads == [9.0, 9.0]
    by_count = plan(IDS, 2, None).bins
    assert max(sum(durations[t] for t in b) for b in by_count) > 9.0


def test_ties_are_broken_by_node_id_so_the_split_is_the_same_everywhere():
    durations = dict.fromkeys(IDS, 2.0)
    assert plan(IDS, 3, durations).bins == plan(list(reversed(IDS)), 3, dict(durations)).bins
    assert plan(IDS, 3, durations).bins[0][:2] == [IDS[0], IDS[3]]


def test_durations_of_another_suite_give_a_warning_and_the_even_split():
    split = plan(IDS, 2, {"other/test_x.py::test_y": 3.0})
    assert not split.balanced
    assert split.warning is not None and "knows 0 of the 10 collected tests" in split.warning
    assert split.bins == plan(IDS, 2, None).bins


def test_new_tests_count_as_the_mean_of_the_known_ones():
    durations = dict.fromkeys(IDS[:8], 1.0)
    split = plan(IDS, 2, durations)
    assert split.balanced and sorted(len(b) for b in split.bins) == [5, 5]


def test_durations_are_read_from_a_report_json_or_a_plain_mapping(tmp_path: Path):
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "tests": [
                    {"id": "t.py::a", "duration_s": 1.5},
                    {"id": "t.py::b", "duration_s": None},
                ]
            }
        )
    )
    plain = tmp_path / "durations.json"
    plain.write_text(json.dumps({"t.py::a": 2, "t.py::b": "slow"}))
    assert load_durations(report) == {"t.py::a": 1.5}
    assert load_durations(plain) == {"t.py::a": 2.0}
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(ValueError, match=r"cannot read the durations file .*bad\.json"):
        load_durations(tmp_path / "bad.json")
