"""What `import seamline` offers: the public modules' names, pinned, and that the import stays
cheap.

A change to a public `__all__` is a change to seamline's API: update the pin here, say it in
CHANGELOG.md, and keep one home per name (docs/architecture.md, "Public API").
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from collections.abc import Iterator

import pytest

import seamline

PUBLIC = {
    "seamline": [
        "ConfigError",
        "Contract",
        "ContractError",
        "ContractWarning",
        "SeamlineError",
        "StartError",
        "System",
        "SystemConfig",
        "__version__",
        "load_config",
    ],
    "seamline.seams": [
        "Calls",
        "Exchange",
        "Fault",
        "Flow",
        "SeamView",
        "Seams",
        "Violation",
        "eventually",
    ],
    "seamline.db": [
        "CaptureWarning",
        "Change",
        "Database",
        "DatabaseError",
        "NotATestDatabase",
        "ResetError",
    ],
    "seamline.mock": [
        "InvalidMapping",
        "MappingLoadError",
        "Matcher",
        "MockServer",
        "ReceivedRequest",
        "RequestBuilder",
        "StubBuilder",
        "StubMapping",
        "VerificationError",
        "absent",
        "and_",
        "any_request",
        "containing",
        "delete",
        "equal_to",
        "equal_to_json",
        "get",
        "head",
        "matching",
        "matching_json_path",
        "not_containing",
        "not_matching",
        "options",
        "or_",
        "patch",
        "post",
        "present",
        "put",
    ],
    "seamline.report": [
        "DEFAULT_SECRET_NAMES",
        "ReportOptions",
        "ReportPaths",
        "build",
        "github_summary",
        "junit_text",
        "record_dirs_of",
        "schema_path",
    ],
    "seamline.browser": ["CHROMIUM_ARGS", "find_chromium"],
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_public_all_is_pinned_and_sorted(module_name):
    module = importlib.import_module(module_name)
    assert module.__all__ == PUBLIC[module_name]
    assert module.__all__ == sorted(module.__all__)


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_every_public_name_resolves_and_is_listed_by_dir(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{module_name}.{name}"
    assert set(module.__all__) <= set(dir(module))


def test_one_home_per_public_name():
    homes: dict[str, list[str]] = {}
    for module_name, names in PUBLIC.items():
        for name in names:
            homes.setdefault(name, []).append(module_name)
    assert {name: where for name, where in homes.items() if len(where) > 1} == {}


def public_callables() -> Iterator[tuple[str, object]]:
    """Every public function and class, and every public method and property of the classes."""
    for module_name, names in PUBLIC.items():
        module = importlib.import_module(module_name)
        for name in names:
            obj = getattr(module, name)
            if callable(obj):
                yield f"{module_name}.{name}", obj
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for attr, value in vars(obj).items():
                    if isinstance(value, staticmethod | classmethod):
                        value = value.__func__
                    if not attr.startswith("_") and (
                        isinstance(value, property) or inspect.isfunction(value)
                    ):
                        yield f"{module_name}.{name}.{attr}", value


def test_every_public_callable_says_what_it_does():
    assert [name for name, obj in public_callables() if not (obj.__doc__ or "").strip()] == []


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = seamline.Nope  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = importlib.import_module("seamline.seams").Nope


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


def test_dir_of_seamline_lists_the_lazy_names_without_loading_them():
    listed = "'System' in dir(seamline)"
    code = f"import sys, seamline; print({listed}, 'seamline.system' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]
