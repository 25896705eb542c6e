"""Loading seamline.toml: valid configs, and broken ones with messages that say what,
where (file:line), expected vs found, and the fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from seamline.cli import main
from seamline.config import load_config
from seamline.errors import ConfigError

GOOD = """
name = "shop"

[services.db]
kind = "postgres"

[services.payments]
command = "python -m payments --port {self.port}"
ready = "http GET /health"

[services.api]
command = ["python", "-m", "api", "--port", "{self.port}"]
env = { DATABASE_URL = "{db.url}", PAYMENTS_URL = "{payments.url}", DATA = "{run_dir}/x" }
"""


def test_valid_config_infers_process_kind_dependencies_links_and_waves(write_config):
    config = load_config(write_config(GOOD))
    assert config.name == "shop"
    assert config.spec.services["api"].kind == "process"
    assert config.needs("api") == ["db", "payments"]
    assert [(link.consumer, link.provider, link.variable) for link in config.links] == [
        ("api", "payments", "PAYMENTS_URL")
    ]
    assert config.waves == (("db", "payments"), ("api",))


def test_config_is_found_in_a_directory_and_in_pyproject_tool_table(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.seamline]\nname = "from-pyproject"\n\n'
        '[tool.seamline.services.db]\nkind = "sqlite"\n\n'
        '[tool.seamline.services.api]\ncommand = "x {self.port}"\nready_timeout = "slow"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    problem = caught.value.problems[0]
    assert problem.key == "services.api.ready_timeout"
    assert problem.line == 12
    assert problem.file == tmp_path / "pyproject.toml"


def test_profile_overlays_the_base_config(write_config):
    path = write_config(
        GOOD.replace('kind = "postgres"', 'kind = "sqlite"')
        + """
[profiles.pg.services.db]
kind = "postgres"
"""
    )
    assert load_config(path).spec.services["db"].kind == "sqlite"
    assert load_config(path, profile="pg").spec.services["db"].kind == "postgres"


def test_direct_url_opts_out_of_the_seam_and_of_the_dependency(write_config):
    path = write_config("""
    [services.a]
    command = "a {self.port}"
    env = { B = "{b.direct_url}" }
    [services.b]
    command = "b {self.port}"
    env = { A = "{a.url}" }
    """)
    config = load_config(path)
    assert config.needs("a") == []
    assert [(lk.consumer, lk.provider) for lk in config.links] == [("b", "a")]


BROKEN: list[tuple[str, str, int | None, list[str]]] = [
    ("toml syntax", '[services.api]\ncommand = "x\n', 2, ["valid TOML", "fix the TOML syntax"]),
    (
        "unknown kind",
        '[services.db]\nkind = "postgress"\n',
        2,
        ["services.db.kind", "'postgress'", 'did you mean kind = "postgres"'],
    ),
    (
        "missing kind and command",
        '[services.db]\nschema = "x.sql"\n',
        1,
        ["services.db", "a 'kind'", 'kind = "process"'],
    ),
    (
        "misspelled key",
        '[services.api]\ncommand = "x"\ncomand = "y"\n',
        3,
        ["unknown key 'comand'", "did you mean 'command'"],
    ),
    (
        "wrong type",
        '[services.api]\ncommand = "x"\nready_timeout = "ten"\n',
        3,
        [
            "services.api.ready_timeout",
            "expected a number",
            "'ten' (a string)",
            "ready_timeout = 10",
        ],
    ),
    (
        "bad probe",
        '[services.api]\ncommand = "x"\nready = "http GTE /health"\n',
        3,
        ["unknown method 'GTE'", 'ready = "http GET /health"'],
    ),
    (
        "bad log regex",
        '[services.api]\ncommand = "x"\nready = "log ([a-z"\n',
        3,
        ["valid regular expression"],
    ),
    (
        "unknown service in template",
        '[services.payments]\ncommand = "p"\n[services.api]\ncommand = "x"\n'
        'env = { PAYMENTS_URL = "{paymnts.url}" }\n',
        5,
        ["services.api.env.PAYMENTS_URL", "no service 'paymnts'", "did you mean {payments.url}"],
    ),
    (
        "unknown attribute",
        '[services.db]\nkind = "sqlite"\n[services.api]\ncommand = "x"\n'
        'env = { DB = "{db.uri}" }\n',
        5,
        ["an attribute of a sqlite service", "{db.uri}", "did you mean {db.url}"],
    ),
    (
        "https attribute of a mock without https",
        '[services.pay]\nkind = "mock"\n[services.api]\ncommand = "x"\n'
        'env = { PAY = "{pay.https_url}" }\n',
        5,
        ["'pay' serving HTTPS", "services.pay has no https = true", "add https = true"],
    ),
    (
        "management_url of a rabbitmq without management",
        '[services.bus]\nkind = "rabbitmq"\nmanagement = false\nisolation = "none"\n'
        '[services.api]\ncommand = "x"\n'
        'env = { M = "{bus.management_url}" }\n',
        7,
        ["'bus' running the management plugin", "remove management = false from services.bus"],
    ),
    (
        "malformed template",
        '[services.api]\ncommand = "x --port {self port}"\n',
        2,
        ["is not a reference", "{service.attribute}"],
    ),
    (
        "unknown depends_on",
        '[services.api]\ncommand = "x"\ndepends_on = ["dbb"]\n[services.db]\nkind = "sqlite"\n',
        3,
        ["services.api.depends_on", "'dbb'", "did you mean 'db'"],
    ),
    (
        "cycle",
        '[services.a]\ncommand = "a"\nenv = { B = "{b.url}" }\n'
        '[services.b]\ncommand = "b"\ndepends_on = ["a"]\n',
        1,
        ["the cycle a -> b -> a", "a.env.B uses {b.url}", "b.depends_on lists a", "direct_url"],
    ),
    (
        "remote external",
        '[services.stage]\nkind = "external"\nurl = "https://api.example.com"\n',
        3,
        ["loopback host", "'api.example.com'", "allow_remote = true", "production"],
    ),
    (
        "missing schema file",
        '[services.db]\nkind = "sqlite"\nschema = "nope.sql"\n',
        3,
        ["services.db.schema", "'nope.sql', which does not exist"],
    ),
    ("literal choice", 'isolation = "fast"\n', 1, ["isolation", "'truncate'", "'fast'"]),
    ("reserved name", '[services.test]\ncommand = "x"\n', 1, ["not self, test, browser", "rename"]),
    (
        "unknown profile",
        '[services.api]\ncommand = "x"\n[profiles.postgres]\nname = "x"\n',
        None,
        ["profiles", "'postgress'", "did you mean 'postgres'"],
    ),
    (
        "port out of range",
        '[services.api]\ncommand = "x"\nport = 70000\n',
        3,
        ["services.api.port", "70000"],
    ),
]


@pytest.mark.parametrize(("label", "text", "line", "fragments"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_config_is_reported_with_location_expectation_and_fix(
    write_config: Callable[[str], Path],
    label: str,
    text: str,
    line: int | None,
    fragments: list[str],
):
    path = write_config(text)
    profile = "postgress" if label == "unknown profile" else None
    with pytest.raises(ConfigError) as caught:
        load_config(path, profile=profile)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"
    assert str(path) in message
    assert caught.value.problems[0].line == line, message
    assert "expected" in message and "found" in message


def test_every_problem_is_reported_at_once_in_line_order(write_config):
    path = write_config(
        '[services.db]\nkind = "postgres"\nport = "x"\n'
        '[services.api]\ncommand = "x"\nready_timeout = -1\nfoo = 1\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [p.line for p in caught.value.problems] == [3, 6, 7]
    assert "3 problems" in str(caught.value)


def test_missing_config_file_says_what_to_create(tmp_path: Path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    assert "seamline.toml" in str(caught.value)
    assert "--config" in str(caught.value)


BROKEN_PROFILE = """name = "shop"
[services.api]
command = "python -m api"
ready_timeout = 5
[profiles.pg.services.api]
command = 3
ready_timeout = "slow"
[profiles.pg.services.db]
kind = "postgress"
"""


def test_a_broken_profile_is_named_at_its_own_lines(write_config):
    path = write_config(BROKEN_PROFILE)
    with pytest.raises(ConfigError) as caught:
        load_config(path, profile="pg")
    said = [(p.line, p.key, p.expected) for p in caught.value.problems]
    assert said == [
        (6, "profiles.pg.services.api.command", "a string or a list"),
        (7, "profiles.pg.services.api.ready_timeout", "a number"),
        (9, "profiles.pg.services.db.kind", said[2][2]),
    ]
    assert "postgress" in caught.value.problems[2].found


def test_check_without_a_profile_checks_every_profile(write_config, capsys):
    path = write_config(BROKEN_PROFILE)
    load_config(path)  # a run without the profile is not stopped by it
    assert main(["check", str(path)]) == 2
    said = capsys.readouterr().err
    assert f"{path}:6: profiles.pg.services.api.command: expected a string or a list" in said
    assert f"{path}:9: profiles.pg.services.db.kind" in said
