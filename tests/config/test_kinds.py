"""The service kinds: one table (`SERVICE_KINDS`) that every lookup is derived from."""

from __future__ import annotations

import importlib
from typing import get_args

import pytest

from seamline.config import load_config
from seamline.config.model import (
    ATTRIBUTES,
    DATABASE_KINDS,
    HTTP_KINDS,
    KINDS,
    SERVICE_KINDS,
    Kind,
    SeamsSpec,
    ServiceSpec,
)
from seamline.errors import ConfigError
from seamline.masking import DEFAULT_SECRET_NAMES
from seamline.report.options import ReportOptions
from seamline.seams.proxy import SeamOptions


def test_the_table_names_every_kind_once():
    assert tuple(SERVICE_KINDS) == KINDS == get_args(Kind)
    assert set(ATTRIBUTES) == set(KINDS)
    assert {"process", "mock", "external"} == HTTP_KINDS
    assert {"postgres", "sqlite"} == DATABASE_KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_has_its_model_and_its_implementation(kind):
    info = SERVICE_KINDS[kind]
    assert info.spec.model_fields["kind"].annotation.__args__ == (kind,)
    module, _, name = info.service.partition(":")
    assert getattr(importlib.import_module(module), name).kind == kind


def test_the_config_models_are_the_tables_models():
    union = get_args(get_args(ServiceSpec)[0])
    assert set(union) == {info.spec for info in SERVICE_KINDS.values()}


def test_an_unknown_kind_lists_the_tables_kinds(tmp_path):
    (tmp_path / "seamline.toml").write_text('[services.db]\nkind = "postgress"\n')
    with pytest.raises(ConfigError, match="expected one of " + ", ".join(KINDS)):
        load_config(tmp_path)


def test_seam_options_defaults_are_the_configs():
    spec = SeamsSpec()
    assert SeamOptions.from_spec() == SeamOptions(
        spec.body_cap, spec.stream_above, spec.timeout, spec.via
    )
    assert SeamOptions.from_spec(SeamsSpec(body_cap=10)).body_cap == 10


def test_report_options_from_the_report_table(tmp_path):
    (tmp_path / "seamline.toml").write_text('[report]\nextra_secret_names = ["ssn"]\n')
    options = ReportOptions.from_spec(load_config(tmp_path).spec.report)
    assert options.secret_names == (*DEFAULT_SECRET_NAMES, "ssn")
    (tmp_path / "seamline.toml").write_text('[report]\nsecret_names = ["pin"]\n')
    assert ReportOptions.from_spec(load_config(tmp_path).spec.report).secret_names == ("pin",)
