"""Unknown keys in every table get a did-you-mean, and every problem comes in one round."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.config import load_config
from seamline.errors import ConfigError

BASE = '[services.db]\nkind = "sqlite"\n[services.api]\ncommand = "x"\n'

# (label, config text, the key reported, the suggestion, its line)
UNKNOWN: list[tuple[str, str, str, str, int]] = [
    ("top level", 'nmae = "shop"\n' + BASE, "nmae", "name", 1),
    ("seams", BASE + "[seams]\ntimout = 5\n", "seams.timout", "timeout", 6),
    ("report", BASE + '[report]\nsecret_name = ["x"]\n', "report.secret_name", "secret_names", 6),
    ("no near key", BASE + 'schem = "x.sql"\n', "services.api.schem", "", 5),
    ("process service", BASE + 'comand = "y"\n', "services.api.comand", "command", 5),
    (
        "db service",
        '[services.db]\nkind = "sqlite"\nschem = "x.sql"\n',
        "services.db.schem",
        "schema",
        3,
    ),
    (
        "postgres",
        '[services.db]\nkind = "postgres"\nsetings = {}\n',
        "services.db.setings",
        "settings",
        3,
    ),
    ("redis", '[services.db]\nkind = "redis"\nprot = 1\n', "services.db.prot", "port", 3),
    ("mock", '[services.db]\nkind = "mock"\nmapings = "m"\n', "services.db.mapings", "mappings", 3),
    (
        "external",
        '[services.db]\nkind = "external"\nurl = "http://127.0.0.1:1"\nallow_remot = true\n',
        "services.db.allow_remot",
        "allow_remote",
        4,
    ),
    (
        "profile top level",
        BASE + '[profiles.pg]\nisolaton = "none"\n',
        "profiles.pg.isolaton",
        "isolation",
        6,
    ),
    (
        "profile table",
        BASE + "[profiles.pg.seams]\ntimout = 5\n",
        "profiles.pg.seams.timout",
        "timeout",
        6,
    ),
    (
        "profile service",
        BASE + '[profiles.pg.services.db]\nkind = "postgres"\nversoin = 16\n',
        "profiles.pg.services.db.versoin",
        "version",
        7,
    ),
]


@pytest.mark.parametrize(
    ("label", "text", "key", "near", "line"), UNKNOWN, ids=[u[0] for u in UNKNOWN]
)
def test_an_unknown_key_in_any_table_is_named_with_a_did_you_mean(
    write_config: Callable[[str], Path], label: str, text: str, key: str, near: str, line: int
):
    path = write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert problem.key == key, str(caught.value)
    assert "unknown key" in problem.found
    assert problem.line == line, str(caught.value)
    if near:
        assert f"did you mean '{near}'?" in problem.fix, problem.fix
    else:
        assert "remove it" in problem.fix and "allowed here: " in problem.fix


def test_every_problem_comes_in_one_round(write_config: Callable[[str], Path]):
    path = write_config(
        # no kind and a misspelled command: said with a did-you-mean, and does not hide the rest
        '[services.api]\ncomand = "x {self.port}"\nenv = { P = "{dbb.url}" }\n'
        # a type error in one service ...
        '[services.db]\nkind = "sqlite"\nready_timeout = "ten"\n'
        # ... an unknown dependency and a cycle in others
        '[services.a]\ncommand = "a"\ndepends_on = ["dbb", "b"]\n'
        '[services.b]\ncommand = "b"\nenv = { A = "{a.url}" }\n'
        "[seams]\ntimout = 5\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    expected = [
        (2, "services.api.comand", "did you mean 'command'?"),
        (3, "services.api.env.P", "did you mean {db.url}?"),
        (6, "services.db.ready_timeout", "ready_timeout = 10"),
        (9, "services.a.depends_on", "did you mean 'db'?"),
        (14, "seams.timout", "did you mean 'timeout'?"),
    ]
    for line, key, fix in expected:
        assert any(
            p.line == line and p.key == key and fix in p.fix for p in caught.value.problems
        ), f"{key} at line {line} ({fix}) missing from:\n{message}"
    assert "the cycle a -> b -> a" in message or "the cycle b -> a -> b" in message
    assert "6 problems" in message, message


@pytest.mark.parametrize(
    ("probe", "near"),
    [('{ http = "/health", methd = "HEAD" }', "method"), ('{ htp = "/health" }', "http")],
    ids=["http probe table", "probe kind"],
)
def test_an_unknown_key_in_a_probe_table_gets_a_did_you_mean(
    write_config: Callable[[str], Path], probe: str, near: str
):
    path = write_config(f'[services.api]\ncommand = "x"\nready = {probe}\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    [problem] = caught.value.problems
    assert problem.key == "services.api.ready" and problem.line == 3
    assert f"did you mean '{near}'?" in str(caught.value), str(caught.value)
