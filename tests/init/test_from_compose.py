"""`seamline init --from-compose` on real-world-shaped compose files, checked field by field
and then by `seamline check` itself."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from seamline.cli import main

HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _no_compose_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files' ${VARS} come from their .env or their defaults, whatever this shell has."""
    for name in ("QUEUE", "DB_PASSWORD", "PAYMENTS_TIMEOUT", "RETRY_POLICY", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)


def convert(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    project = tmp_path / name
    shutil.copytree(HERE / name, project)
    assert main(["init", "--from-compose", str(project / "docker-compose.yml")]) == 0
    capsys.readouterr()
    return tomllib.loads((project / "seamline.toml").read_text())


def test_web_api_worker_db_cache_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = convert(tmp_path, "stack", capsys)
    services = config["services"]
    assert services["db"] == {
        "kind": "postgres",
        "database": "shop",
        "user": "shop",
        "schema": "schema.sql",
    }
    assert services["cache"] == {"kind": "redis"}
    api = services["api"]
    assert api["command"] == "uvicorn app.main:app --host 0.0.0.0 --port {self.port}"
    assert (api["workdir"], api["port"], api["ready"]) == ("api", 8000, "http GET /health")
    assert api["depends_on"] == ["db", "cache"]
    assert api["env"] == {
        "LOG_LEVEL": "info",  # from env_file
        "DATABASE_URL": "{db.dsn}",
        "REDIS_URL": "{cache.url}",
        "PAYMENTS_TIMEOUT": "3.5",  # ${PAYMENTS_TIMEOUT:-2.5}, set in .env
        "RETRY_POLICY": "3x",  # ${RETRY_POLICY:-3x}, set nowhere
        "PRICE_NOTE": "costs $5",  # $$ is a dollar sign
    }
    # the Dockerfile's last stage: ENTRYPOINT + CMD, continuation lines joined
    assert services["web"]["command"] == "node server.js --port {self.port}"
    assert services["web"]["env"]["API_URL"] == "{api.url}/v1"
    worker = services["worker"]
    assert worker["command"] == "python -m worker --queue default"  # shell-form CMD
    assert worker["env"]["DATABASE_URL"] == "{db.url}"
    assert worker["env"]["CACHE_HOST"] == "{cache.host}"
    assert worker["env"]["RESULTS"] == "redis://{cache.host}:{cache.port}/2"
    assert main(["check", str(tmp_path / "stack")]) == 0
    assert "web -> api  (via API_URL)" in capsys.readouterr().out


def test_wiremock_brokers_and_mysql(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = convert(tmp_path, "wiremock", capsys)
    services = config["services"]
    assert services["payments"] == {"kind": "mock", "mappings": "stubs"}
    app = services["app"]
    assert app["command"] == "python -m checkout --port {self.port}"
    assert app["ready"] == "http GET /ready"
    assert app["env"] == {
        "PAYMENTS_URL": "{payments.url}",
        "BUS_URL": "{bus.url}",
        "EVENTS": "{events.url}",
        "TEMPLATE": "{{not a template}}",
    }
    assert services["bus"] == {"kind": "rabbitmq"}
    assert services["events"] == {"kind": "nats"}
    assert "legacy" not in services  # mysql: commented out, with a TODO
    text = (tmp_path / "wiremock" / "seamline.toml").read_text()
    assert "no native kind for it yet" in text
    assert "# TODO url: the address of a running mysql server" in text
    assert main(["check", str(tmp_path / "wiremock")]) == 0
    assert "app (process) needs bus, events, payments" in capsys.readouterr().out


def test_profiles_and_extends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = convert(tmp_path, "profiles", capsys)
    api, admin = config["services"]["api"], config["services"]["admin"]
    # extends from base.yml: its build context (relative to base.yml) and env, merged
    assert api["command"] == "python -m app --port {self.port}"
    assert api["workdir"] == "app"
    assert api["env"]["LOG_LEVEL"] == "info" and api["env"]["TZ"] == "UTC"
    # extends in the same file, its command replaced
    assert admin["command"] == "python -m app --admin --port {self.port}"
    assert admin["env"]["API_URL"] == "{api.url}"
    # a profile's service lives in that profile, and links to it are made there
    assert set(config["services"]) == {"api", "admin"}
    stubbed = config["profiles"]["stubbed"]["services"]
    assert stubbed["mocks"] == {"kind": "mock", "mappings": "mappings"}
    assert stubbed["api"]["env"]["MOCKS"] == "{mocks.url}/api"
    assert api["env"]["MOCKS"] == "http://mocks:8080/api"
    capsys.readouterr()
    # check says what is left, in every profile: the command of the debug profile's debugger
    assert main(["check", str(tmp_path / "profiles")]) == 2
    assert "profiles.debug.services.debugger.command" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "profiles"), "--profile", "stubbed"]) == 0
    assert "api -> mocks" in capsys.readouterr().out


def test_never_overwrites_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    convert(tmp_path, "stack", capsys)
    target = tmp_path / "stack" / "seamline.toml"
    target.write_text("# mine\n")
    compose = str(tmp_path / "stack" / "docker-compose.yml")
    assert main(["init", "--from-compose", compose]) == 2
    assert "--force" in capsys.readouterr().err
    assert target.read_text() == "# mine\n"
    assert main(["init", "--from-compose", compose, "--force"]) == 0
    assert target.read_text() != "# mine\n"


def test_yaml_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx\n   ports: [80]\n")
    assert main(["init", "--from-compose", str(compose)]) == 2
    err = capsys.readouterr().err
    assert f"{compose}:4" in err.replace("\n", "") and "valid YAML" in err
    assert not (tmp_path / "seamline.toml").exists()


def test_bad_services_are_named_and_the_rest_converted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(
        "services:\n"
        "  api:\n    build: ./missing\n    ports: ['8000:8000']\n"
        "  web:\n    imgae: nginx\n    command: nginx -g 'daemon off;'\n"
        "  cache:\n    image: redis:7\n"
        "  worker:\n    command: run ${QUEUE:?name the queue}\n"
    )
    assert main(["init", "--from-compose", str(compose)]) == 0
    captured = capsys.readouterr()
    assert "services.api.build: expected a build context with a Dockerfile" in captured.err
    assert "services.web.imgae" in captured.err and "did you mean 'image'?" in captured.err
    assert "TODO services.api.command" in captured.out
    assert "services.worker: expected the variable of ${QUEUE:?name the queue} to be set" in (
        captured.err
    )
    config = tomllib.loads((tmp_path / "seamline.toml").read_text())
    assert config["services"]["cache"] == {"kind": "redis"}
    assert config["services"]["web"]["command"] == "nginx -g 'daemon off;'"
    assert "command" not in config["services"]["api"]
    # check says what is left: the command of api
    assert main(["check", str(tmp_path)]) == 2
    assert "services.api.command" in capsys.readouterr().err
