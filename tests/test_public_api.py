"""What `import seamline` offers, and that it stays cheap to import."""

from __future__ import annotations

import subprocess
import sys

import pytest

import seamline


def test_every_public_name_resolves():
    for name in seamline.__all__:
        assert getattr(seamline, name) is not None, name


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = seamline.Nope  # type: ignore[attr-defined]


def test_importing_seamline_does_not_load_the_engine():
    code = "import sys, seamline; print('seamline.http' in sys.modules, 'httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_start_path_does_not_load_what_only_xpath_stubs_need():
    # elementpath costs ~0.3 s under load on every `seamline run` / `up` / `test` start
    modules = "seamline.cli, seamline.control.runner, seamline.system.core, seamline.mock.server"
    code = f"import sys, {modules}; print('elementpath' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"]
