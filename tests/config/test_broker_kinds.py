"""The broker kinds in the config: their attributes, their settings' errors."""

from __future__ import annotations

import pytest

from seamline.config.load import load_config
from seamline.errors import ConfigError

GOOD = """
[services.bus]
kind = "rabbitmq"
settings = { "vm_memory_high_watermark.relative" = 0.2 }
[services.events]
kind = "nats"
isolation = "none"
[services.worker]
command = "x"
env = { AMQP = "{bus.amqp_url}", ADMIN = "{bus.management_url}", NATS = "{events.url}" }
"""


def test_broker_services_and_their_attributes_load(write_config):
    config = load_config(write_config(GOOD))
    bus = config.spec.services["bus"]
    assert bus.kind == "rabbitmq" and bus.management and bus.ready_timeout == 60
    assert config.spec.services["events"].kind == "nats"


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            '[services.bus]\nkind = "rabbitmq"\nmanagement = false\n',
            ["services.bus", "expected management = true", 'isolation = "none"'],
        ),
        (
            '[services.events]\nkind = "nats"\nisolation = "flush"\n',
            [
                "services.events.isolation",
                "'purge' or 'none'",
                'write isolation = "purge" or "none"',
            ],
        ),
        (
            '[services.events]\nkind = "nats"\n[services.w]\ncommand = "x"\n'
            'env = { U = "{events.amqp_url}" }\n',
            ["an attribute of a nats service", "{events.amqp_url}"],
        ),
        (
            '[services.bus]\nkind = "rabbitmq"\nmanagement = false\nisolation = "none"\n'
            '[services.w]\ncommand = "x"\nenv = { U = "{bus.management_url}" }\n',
            ["{bus.management_url}", "management = false", "remove management = false"],
        ),
        ('[services.bus]\nkind = "rabbit"\n', ['did you mean kind = "rabbitmq"']),
        (
            '[services.bus]\nkind = "nats"\nasyncapy = "events.yaml"\n',
            ["unknown key 'asyncapy'", "did you mean 'asyncapi'"],
        ),
        (
            '[services.bus]\nkind = "redis"\nasyncapi = "nowhere.yaml"\n',
            ["services.bus.asyncapi", "'nowhere.yaml', which does not exist"],
        ),
        (
            '[services.api]\ncommand = "x"\nasyncapi = "events.yaml"\n',
            ["services.api", "unknown key 'asyncapi'"],
        ),
    ],
)
def test_bad_broker_settings_say_what_was_expected_and_the_fix(write_config, text, fragments):
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(text))
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from:\n{message}"


def test_each_broker_kind_takes_an_asyncapi_document(write_config):
    text = "".join(
        f'[services.{kind}]\nkind = "{kind}"\nasyncapi = "events.yaml"\n'
        for kind in ("redis", "rabbitmq", "nats")
    )
    path = write_config(text)
    (path.parent / "events.yaml").write_text("asyncapi: 3.0.0\n")
    services = load_config(path).spec.services
    assert {str(services[kind].asyncapi) for kind in services} == {"events.yaml"}


def test_management_may_be_off_when_nothing_is_purged(write_config):
    text = '[services.bus]\nkind = "rabbitmq"\nmanagement = false\nisolation = "none"\n'
    assert load_config(write_config(text)).spec.services["bus"].management is False
