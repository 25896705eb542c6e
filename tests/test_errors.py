"""The error tree: every error a user can meet is drawn in errors.py's docstring, and code
tells errors apart by type."""

from __future__ import annotations

import importlib
import socket

import pytest

import seamline.errors
from seamline.errors import ContractWarning, SeamlineError
from seamline.http import HttpClient, LoopThread, UpstreamError, UpstreamRefused

MODULES = [
    "seamline.db",
    "seamline.mock",
    "seamline.seams",
    "seamline.contracts",
    "seamline.http",
    "seamline.records.lines",
    "seamline.system.documents",
]
# Control flow inside one module; never raised to a user.
INTERNAL = {"StartFailed", "Skipped"}


def subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found.union(*(subclasses(sub) for sub in found))


def test_every_seamline_error_is_drawn_in_the_tree():
    for module in MODULES:
        importlib.import_module(module)
    importlib.import_module("seamline.system.lifecycle")
    drawn = seamline.errors.__doc__ or ""
    errors = {cls.__name__ for cls in subclasses(SeamlineError)} - INTERNAL
    warnings = {"ContractWarning", "CaptureWarning"}
    assert sorted(name for name in errors | warnings if f" {name} " not in drawn) == []


def test_contract_warning_lives_with_the_other_errors():
    assert issubclass(ContractWarning, UserWarning)
    assert ContractWarning.__module__ == "seamline.errors"


def test_a_refused_connection_is_its_own_type():
    loop = LoopThread("test-errors")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = HttpClient()
    try:
        with pytest.raises(UpstreamRefused) as caught:
            loop.run(client.request("GET", f"http://127.0.0.1:{port}/"))
        assert isinstance(caught.value, UpstreamError)
    finally:
        loop.run(client.close())
        loop.stop()
