"""What the control API does to a running System: the same steps the pytest plugin takes.

Each operation takes the request's JSON and returns the reply's JSON, or raises
`ControlError` with the HTTP status and a message that says what was expected.
"""

from __future__ import annotations

from typing import Any

from seamline.errors import SeamlineError, did_you_mean
from seamline.http.loop import LoopThread
from seamline.mock.server import MockServer
from seamline.seams.modes import Fault
from seamline.seams.view import SeamView
from seamline.system.core import System
from seamline.system.harness import Harness

Json = dict[str, Any]
MODES = ("real", "stub", "fault")
FAULT_FIELDS = ("latency_ms", "status", "body", "reset", "timeout", "drop_after_bytes", "rate")


class ControlError(Exception):
    """A control call that cannot be done: `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def known_parameters(query: dict[str, str], allowed: tuple[str, ...]) -> None:
    """A query parameter the call does not read is a 400: a misspelt filter (`?paht=`) would
    otherwise answer every call, as if it matched."""
    for name in query:
        if name not in allowed:
            raise ControlError(
                400,
                f"query parameter {name!r}: expected one of {', '.join(allowed)}"
                + did_you_mean(name, allowed),
            )


def field(body: Json, name: str, kind: type | tuple[type, ...], expected: str) -> Any:
    """`body[name]`, checked: a missing or mistyped field is a 400 saying what was expected."""
    if name not in body:
        raise ControlError(400, f"missing field {name!r}: expected {expected}")
    value = body[name]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise ControlError(400, f"field {name!r}: expected {expected}, found {value!r}")
    return value


def optional(body: Json, name: str, kind: type | tuple[type, ...], expected: str) -> Any:
    return field(body, name, kind, expected) if body.get(name) is not None else None


class Operations:
    """The control API's verbs over one started System."""

    def __init__(self, system: System, loop: LoopThread) -> None:
        self._system = system
        self._harness = Harness(system)
        self._loop = loop
        self._stubs: list[MockServer] = []  # stub servers made from request bodies, per test
        self._current: str | None = None
        self.announced = 0  # tests announced through /tests/begin

    # -- tests ------------------------------------------------------------------------------

    def begin_test(self, body: Json) -> Json:
        test = field(body, "test", str, "the test's id, a string such as 'cart.test.js > adds'")
        if self._current is not None and self._current != test:
            self.end_test({"test": self._current, "outcome": "error", "message": "no end"})
        self._current = test
        self.announced += 1
        self._harness.begin_test(test)
        if self._has_databases():
            self._system.databases.begin_test(test)
        return {"test": test}

    def end_test(self, body: Json) -> Json:
        test = field(body, "test", str, "the id given to /tests/begin")
        outcome = optional(body, "outcome", str, "passed, failed, skipped or error") or "passed"
        message = optional(body, "message", str, "a string") or ""
        keep_data = optional(body, "keep_data", bool, "true or false") or False
        self._check_running(test)
        checked = self.violations({})
        try:
            if self._has_databases():
                self._system.databases.end_test(keep_data=keep_data)
        finally:
            self._harness.reset_seams()
            if not keep_data:  # Redis is data too
                self._harness.reset_services()
            self._close_stubs()
            self._harness.end_test(test, outcome, message)
            self._current = None
        return {"test": test, "outcome": outcome, **checked}

    def _check_running(self, test: str) -> None:
        """Ending a test that is not the one running is a 409, and ends nothing: a helper that
        lost track of its ids would otherwise file the running test's exchanges under another."""
        if self._current is None:
            raise ControlError(
                409,
                f"POST /tests/end for {test!r}, but no test is running: "
                "call /tests/begin with this id first, and end each test once",
            )
        if test != self._current:
            raise ControlError(
                409,
                f"POST /tests/end for {test!r}, but the test running is {self._current!r}: "
                "end the test with the id it was begun with (/tests/begin)",
            )

    def _has_databases(self) -> bool:
        return bool(self._system.databases.names)

    # -- seams ------------------------------------------------------------------------------

    def seams(self, _: Json) -> Json:
        return {
            "seams": [
                {
                    "name": view.name,
                    "consumer": view.consumer,
                    "provider": view.provider,
                    "mode": view.mode,
                    "url": view.url,
                }
                for view in self._system.seams
            ]
        }

    def seam(self, consumer: str, provider: str) -> SeamView:
        """The seam `consumer -> provider`; an unknown one is a 404 with a did-you-mean."""
        known = self._system.seams.names()
        name = f"{consumer} -> {provider}"
        if consumer == "test" and provider not in self._system.config.spec.services:
            known = [f"test -> {n}" for n in self._system.config.spec.services]
        if name not in known and (
            consumer != "test" or provider not in self._system.config.spec.services
        ):
            raise ControlError(
                404,
                f"no seam {name!r}{did_you_mean(name, known)}"
                f" (seams: {', '.join(known) or 'none'})",
            )
        try:
            return self._system.seam(consumer, provider)
        except SeamlineError as err:
            raise ControlError(404, str(err)) from None

    def calls(self, consumer: str, provider: str, query: dict[str, str]) -> Json:
        known_parameters(query, ("method", "path", "status", "all_tests"))
        status = query.get("status")
        if status is not None and not status.isdigit():
            raise ControlError(
                400, f"status: expected an HTTP status such as 200, found {status!r}"
            )
        view = self.seam(consumer, provider)
        found = view.calls(
            query.get("method"),
            query.get("path"),
            int(status) if status is not None else None,
            all_tests=query.get("all_tests") in ("1", "true"),
        )
        return {"seam": view.name, "count": len(found), "calls": [e.to_json() for e in found]}

    def switch(self, consumer: str, provider: str, body: Json) -> Json:
        view = self.seam(consumer, provider)
        mode = field(body, "mode", str, "one of " + ", ".join(MODES))
        if mode == "real":
            view.use_real()
        elif mode == "stub":
            view.use_stub(self._stub_from(body))
        elif mode == "fault":
            view.fault(**self._fault_from(body))
        else:
            raise ControlError(
                400, f"field 'mode': expected one of {', '.join(MODES)}, found {mode!r}"
            )
        return {"seam": view.name, "mode": view.mode}

    def _stub_from(self, body: Json) -> MockServer | None:
        """A stub server loaded with the body's WireMock mappings; none: the provider's own."""
        mappings = body.get("mappings")
        if mappings is None:
            return None
        if not isinstance(mappings, list) or not all(isinstance(m, dict) for m in mappings):
            raise ControlError(
                400, f"field 'mappings': expected a list of WireMock mappings, found {mappings!r}"
            )
        server = MockServer(loop=self._loop).start()
        self._stubs.append(server)
        for number, mapping in enumerate(mappings):
            try:
                server.add_mapping(mapping)
            except (SeamlineError, ValueError, KeyError, TypeError) as err:
                raise ControlError(400, f"mappings[{number}]: {err}") from None
        return server

    def _fault_from(self, body: Json) -> Json:
        fault = field(body, "fault", dict, "an object with " + ", ".join(FAULT_FIELDS))
        unknown = sorted(set(fault) - set(FAULT_FIELDS))
        if unknown:
            raise ControlError(
                400,
                f"fault: unknown field(s) {', '.join(unknown)}; expected {', '.join(FAULT_FIELDS)}",
            )
        try:
            Fault(**fault)
        except (SeamlineError, TypeError) as err:
            raise ControlError(400, f"fault: {err}") from None
        return dict(fault)

    def _close_stubs(self) -> None:
        for server in self._stubs:
            server.stop()
        self._stubs.clear()

    def close(self) -> None:
        self._close_stubs()

    # -- contracts and data -----------------------------------------------------------------

    def violations(self, query: dict[str, str]) -> Json:
        """The violations and the config's `contracts` mode, which tells a helper what to do
        with them as the pytest plugin does: fail the test, warn, or (off) nothing to see."""
        known_parameters(query, ("all_tests",))
        contracts = self._system.config.spec.contracts
        if contracts == "off":
            return {"violations": [], "contracts": contracts}
        found = self._system.seams.violations(all_tests=query.get("all_tests") in ("1", "true"))
        return {"violations": [v.to_json() for v in found], "contracts": contracts}

    def db(self, verb: str, body: Json) -> Json:
        name = optional(body, "database", str, "a database service's name")
        names = self._system.databases.names
        if name is not None and name not in names:
            raise ControlError(
                404,
                f"no database {name!r}{did_you_mean(name, names)}"
                f" (databases: {', '.join(names) or 'none'})",
            )
        database = self._system.db(name)
        table = optional(body, "table", str, "a table name")
        where = optional(body, "where", dict, "an object of column: value") or {}
        try:
            if verb == "changes":
                return {
                    "changes": [
                        c.to_json(database.name, self._current) for c in database.changes(table)
                    ]
                }
            if table is None:
                raise ControlError(400, f"missing field 'table': db/{verb} needs a table name")
            if verb == "one":
                return {"row": database.one(table, **where)}
            return {"count": database.count(table, **where)}
        except AssertionError as err:  # `one` found none or several: what the test would see
            raise ControlError(409, str(err)) from None
