"""A message seam or broker named wrongly in a test is refused with what exists, not
accepted as a link nobody uses (a fault on it would silently do nothing)."""

from __future__ import annotations

import pytest

from seamline.errors import SeamlineError


def test_a_fault_on_a_misspelt_consumer_is_refused_naming_the_links(bus_system):
    system = bus_system("pubsub")
    with pytest.raises(SeamlineError) as error:
        system.message_seam("fulfilmnt", "bus").fault("drop")
    assert str(error.value) == (
        "no message seam 'fulfilmnt -> bus'; did you mean 'fulfilment'?; the links into bus: "
        "fulfilment -> bus, test -> bus (a service has one when its env holds {bus.url} or "
        "{bus.port}, or {bus.amqp_url} on RabbitMQ)"
    )
    system.message_seam("fulfilment", "bus").fault("drop")  # the real links still work
    system.message_seam("test", "bus").use_real()


def test_messages_of_a_service_that_is_no_broker_say_what_a_broker_is(bus_system):
    system = bus_system("pubsub")
    with pytest.raises(SeamlineError) as error:
        system.messages("fulfilment")
    assert str(error.value) == (
        "expected a broker service (kind redis, nats or rabbitmq), found 'fulfilment'; "
        "the brokers of this system: bus"
    )
    with pytest.raises(SeamlineError, match=r"found 'bsu'; did you mean 'bus'\?"):
        system.message_seam("fulfilment", "bsu")


def test_an_http_client_on_a_broker_is_refused_pointing_at_its_url(bus_system):
    system = bus_system("pubsub")
    with pytest.raises(SeamlineError) as error:
        system.client("bus")
    assert str(error.value) == (
        f"system.client('bus'): expected an HTTP service, found a redis service at "
        f"{system.url('bus')}; connect a redis client to system.url('bus') instead"
    )
