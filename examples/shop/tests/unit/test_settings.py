"""The api's configuration from the environment (shop_api.settings)."""

import pytest
from shop_api.settings import Settings, SettingsError, worker_settings

BASE = {"DATABASE_URL": "sqlite:////tmp/shop.db", "PAYMENTS_URL": "http://127.0.0.1:8001/"}


def test_a_complete_environment_gives_settings_with_defaults() -> None:
    settings = Settings.from_env(BASE)
    assert settings.database_url.get_backend_name() == "sqlite"
    assert settings.payments_url == "http://127.0.0.1:8001"
    assert settings.payments_timeout == 2.0
    assert settings.cors_origins == ()
    assert settings.bus_url is None  # no bus: no order.paid is sent


@pytest.mark.parametrize("url", ["postgresql://app@127.0.0.1:5432/app", "postgres://app@h/app"])
def test_a_bare_postgresql_url_runs_on_psycopg_3(url: str) -> None:
    settings = Settings.from_env({**BASE, "DATABASE_URL": url})
    assert settings.database_url.drivername == "postgresql+psycopg"


def test_every_problem_is_reported_at_once_with_what_was_expected() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"PAYMENTS_URL": "127.0.0.1:8001", "PAYMENTS_TIMEOUT": "soon"})
    message = str(caught.value)
    assert "DATABASE_URL: expected a SQLAlchemy URL" in message
    assert "PAYMENTS_URL: expected the payments service's base URL" in message
    assert "PAYMENTS_TIMEOUT: expected seconds" in message
    assert "'soon'" in message


def test_cors_origins_are_a_comma_separated_list() -> None:
    settings = Settings.from_env({**BASE, "CORS_ORIGINS": "http://a:1, http://b:2 ,"})
    assert settings.cors_origins == ("http://a:1", "http://b:2")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "amqp://guest:guest@127.0.0.1:5672//"])
def test_the_bus_is_a_redis_or_amqp_url(url: str) -> None:
    assert Settings.from_env({**BASE, "BUS_URL": url}).bus_url == url


def test_a_bus_url_that_is_not_a_broker_is_refused_saying_what_is_expected() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({**BASE, "BUS_URL": "http://127.0.0.1:6379"})
    assert "BUS_URL: expected the message broker's URL such as redis://" in str(caught.value)
    assert "found 'http://127.0.0.1:6379'" in str(caught.value)


def test_the_fulfilment_worker_needs_both_the_database_and_the_bus() -> None:
    url, bus = worker_settings({"DATABASE_URL": "sqlite:////tmp/shop.db", "BUS_URL": "redis://h/0"})
    assert (url.get_backend_name(), bus) == ("sqlite", "redis://h/0")
    with pytest.raises(SettingsError) as caught:
        worker_settings({"DATABASE_URL": "sqlite:////tmp/shop.db"})
    assert str(caught.value) == (
        "the fulfilment worker cannot start:\n  BUS_URL: expected the message broker's URL such "
        "as redis://127.0.0.1:6379/0 or amqp://guest:guest@127.0.0.1:5672//, found nothing"
    )
