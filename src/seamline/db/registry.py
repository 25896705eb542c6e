"""The databases of one started System, attached on first use."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from seamline.config.model import DATABASE_KINDS, SystemSpec
from seamline.db.backend import Backend, Isolation
from seamline.db.database import Database
from seamline.db.errors import DatabaseError, listing
from seamline.errors import did_you_mean
from seamline.records.layout import DB_CHANGES
from seamline.records.writer import LineWriter
from seamline.services.base import AnyService
from seamline.services.postgres import PostgresService
from seamline.services.sqlite import SqliteService

# What `isolation = "auto"` means, per database kind: the faster of the two,
# measured by bench/db/isolation.py (figures in bench/RESULTS.md).
# On SQLite, `truncate` falls back to `template` for a schema with triggers of its own.
AUTO: dict[str, Isolation] = {"postgres": "truncate", "sqlite": "truncate"}


class Databases:
    """Every `postgres` and `sqlite` service of a System, as `Database` objects."""

    def __init__(
        self, services: Mapping[str, AnyService], spec: SystemSpec, run_dir: Path, record_dir: Path
    ) -> None:
        self._services = services
        self._spec = spec
        self._run_dir = run_dir
        self._record_dir = record_dir
        self._attached: dict[str, Database] = {}
        self._recorder: LineWriter | None = None

    @property
    def names(self) -> list[str]:
        return [n for n, s in self._services.items() if s.kind in DATABASE_KINDS]

    def get(self, name: str | None = None) -> Database:
        if name is None:
            name = self._only()
        if name not in self._attached:
            self._attached[name] = self._attach(name)
        return self._attached[name]

    def all(self) -> list[Database]:
        return [self.get(name) for name in self.names]

    def begin_test(self, test_id: str) -> None:
        for database in self.all():
            database.begin_test(test_id)

    def end_test(self, *, keep_data: bool = False) -> None:
        errors: list[str] = []
        for name, database in list(self._attached.items()):
            if self._services[name].ended() is not None:
                # died in the test (said by the plugin, with its log): its changes cannot be
                # read, and a restart gives it a fresh cluster, attached again on first use
                database.close()
                del self._attached[name]
                continue
            try:
                database.end_test(keep_data=keep_data)
            except DatabaseError as err:  # still reset the other databases
                errors.append(str(err))
        if errors:
            raise DatabaseError("\n".join(errors))

    def close(self) -> None:
        for database in self._attached.values():
            database.close()
        self._attached.clear()
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None

    def _only(self) -> str:
        names = self.names
        if len(names) == 1:
            return names[0]
        raise DatabaseError(
            f"system.db(): expected exactly one database service to default to, found "
            f"{len(names)} ({listing(names)}).\n  fix: name it, as in system.db({names[0]!r})"
            if names
            else "system.db(): the system declares no database service "
            '(kind = "postgres" or kind = "sqlite")'
        )

    def _attach(self, name: str) -> Database:
        service = self._services.get(name)
        if service is None:
            raise DatabaseError(
                f"system.db({name!r}): the system has no service named {name!r}"
                f"{did_you_mean(name, self.names)}"
                f"\n  databases of this system: {listing(self.names)}"
            )
        if service.kind not in DATABASE_KINDS:
            raise DatabaseError(
                f"system.db({name!r}): service {name!r} is a {service.kind!r} service, "
                f"expected a database (postgres or sqlite){did_you_mean(name, self.names)}"
                f"\n  databases of this system: {listing(self.names)}"
            )
        assert isinstance(service, PostgresService | SqliteService)
        isolation, auto = self._isolation(service)
        backend: Backend
        if isinstance(service, PostgresService):
            from seamline.db.backend_pg import PostgresBackend

            backend = PostgresBackend(service, self._run_dir, isolation)
        else:
            from seamline.db.backend_sqlite import SqliteBackend

            backend = SqliteBackend(service, self._run_dir, isolation, auto)
        if self._recorder is None:
            self._recorder = LineWriter(self._record_dir / DB_CHANGES)
        database = Database(backend, self._recorder)
        database.attach()
        return database

    def _isolation(self, service: PostgresService | SqliteService) -> tuple[Isolation, bool]:
        """The service's `isolation`, else the system's; and whether it was "auto"."""
        chosen = service.spec.isolation or self._spec.isolation
        return (AUTO[service.kind], True) if chosen == "auto" else (chosen, False)
