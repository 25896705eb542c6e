"""The hello system's integration tests: what crosses the greeter -> names seam."""

from __future__ import annotations

import pytest

from seamline.mock import get


def test_greeting_a_known_name_asks_names_once(system):
    answer = system.client("greeter").get("/greet/ada")
    assert answer.json()["greeting"] == "hello, ada"
    lookup = system.seam("greeter", "names").calls("GET", "/names/ada").one()
    assert lookup.status == 200
    assert lookup.response.json == {"name": "ada", "known": True}


def test_a_stranger_is_not_greeted_and_not_counted(system):
    assert system.client("greeter").get("/greet/mallory").status_code == 404
    assert system.seam("greeter", "names").one().status == 404


def test_names_stubbed_for_one_test(system, mock):
    mock.stub(get("/names/zed")).reply(200, json={"name": "zed", "known": True})
    system.seam("greeter", "names").use_stub(mock)
    assert system.client("greeter").get("/greet/zed").json()["greeting"] == "hello, zed"
    assert system.seam("greeter", "names").one().mode == "stub"
    mock.verify(get("/names/zed"), times=1)


@pytest.mark.seams(names={"status": 503})
def test_names_failing_is_a_502_from_the_greeter(system):
    answer = system.client("greeter").get("/greet/ada")
    assert answer.status_code == 502
    assert answer.json() == {"error": "names said 503"}
    assert system.seam("greeter", "names").one().outcome == "fault"


def test_the_flow_in_order(system):
    system.client("greeter").get("/greet/grace")
    assert system.seams.sequence().seams == ["test -> greeter", "greeter -> names"]
