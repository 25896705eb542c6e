"""The api's configuration from the environment (shop_api.settings)."""

import pytest
from shop_api.settings import Settings, SettingsError

BASE = {"DATABASE_URL": "sqlite:////tmp/shop.db", "PAYMENTS_URL": "http://127.0.0.1:8001/"}


def test_a_complete_environment_gives_settings_with_defaults() -> None:
    settings = Settings.from_env(BASE)
    assert settings.database_url.get_backend_name() == "sqlite"
    assert settings.payments_url == "http://127.0.0.1:8001"
    assert settings.payments_timeout == 2.0
    assert settings.cors_origins == ()


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
