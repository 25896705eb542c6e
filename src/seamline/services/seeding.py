"""Seed data: SQL files, or a Python callable named `module:function` in the config.

A callable seed receives a SQLAlchemy `Connection` inside a transaction on the
template database, so it can use Core, the ORM or plain SQL.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

from seamline.config import SystemConfig
from seamline.errors import StartError

_CALLABLE = re.compile(r"[\w.]+:[\w.]+")


def is_callable_seed(value: Path | str) -> bool:
    return isinstance(value, str) and _CALLABLE.fullmatch(value) is not None


def run_callable_seed(config: SystemConfig, ref: str, url: str, service: str) -> None:
    import sqlalchemy

    module_name, _, attr = ref.partition(":")
    sys.path.insert(0, str(config.base_dir))
    try:
        target: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as err:
        raise StartError(
            service,
            f"seed {ref!r}: cannot import it ({err}); expected "
            f"'module:function' importable from {config.base_dir}",
        ) from None
    finally:
        sys.path.remove(str(config.base_dir))
    engine = sqlalchemy.create_engine(url, poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.begin() as connection:
            target(connection)
    except Exception as err:
        raise StartError(service, f"seed {ref!r} raised {type(err).__name__}: {err}") from err
    finally:
        engine.dispose()


def sql_error_location(sql: str, err: Exception) -> str:
    """':LINE' for a database error that carries a character position, else ''."""
    diag = getattr(err, "diag", None)
    position = getattr(diag, "statement_position", None) if diag is not None else None
    if position and str(position).isdigit():
        return f":{sql[: int(position)].count(chr(10)) + 1}"
    return ""
