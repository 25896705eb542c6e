from __future__ import annotations

import pytest

from seamline.config.probes import Probe, parse_probe
from seamline.config.templates import Ref, TemplateSyntaxError, refs, render


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("http GET /health", Probe(kind="http", method="GET", path="/health")),
        ("http /health 204", Probe(kind="http", path="/health", status=204)),
        ({"http": "/ready", "method": "HEAD"}, Probe(kind="http", method="HEAD", path="/ready")),
        ("tcp", Probe(kind="tcp")),
        ({"tcp": True}, Probe(kind="tcp")),
        ("log Uvicorn running on", Probe(kind="log", pattern="Uvicorn running on")),
        ('log "ready to serve"', Probe(kind="log", pattern="ready to serve")),
        (
            "command pg_isready -h 127.0.0.1",
            Probe(kind="command", command=["pg_isready", "-h", "127.0.0.1"]),
        ),
        ({"command": ["true"]}, Probe(kind="command", command=["true"])),
        ("none", Probe(kind="none")),
    ],
)
def test_probe_forms_parse_to_the_same_model(written, expected):
    assert parse_probe(written) == expected


@pytest.mark.parametrize(
    "bad", ["http", "http GET", "tcp 80", "log", "udp", {"http": "/x", "x": 1}]
)
def test_bad_probe_forms_are_rejected_with_the_accepted_forms(bad):
    with pytest.raises(ValueError, match="expected"):
        parse_probe(bad)


def test_templates_render_references_self_run_dir_and_escaped_braces():
    template = '--db {db.url} --port {self.port} --dir {run_dir} --json {{"a": 1}}'
    assert refs(template) == [Ref("db", "url"), Ref("self", "port"), Ref("", "run_dir")]
    values = {"db": {"url": "sqlite:///x"}, "api": {"port": "9"}}
    assert render(template, "api", values, {"run_dir": "/r"}) == (
        '--db sqlite:///x --port 9 --dir /r --json {"a": 1}'
    )


@pytest.mark.parametrize("bad", ["{db}", "{db.url", "x}", "{1x.url}", "{db.url.more}"])
def test_malformed_templates_raise(bad):
    with pytest.raises(TemplateSyntaxError):
        refs(bad)
