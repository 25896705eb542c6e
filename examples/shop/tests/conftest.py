"""Fixtures for the shop's integration suite.

seamline's plugin gives the `system` fixture: the whole shop (db, payments, api, web) started
once per session from examples/shop/seamline.toml, every link between the parts carried by a
recording seam. These fixtures add the shop's own vocabulary on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from shop_client import ShopApi
from sqlalchemy import Engine, MetaData, Table, create_engine, func, select, text
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    # Not re-exported by `seamline` (yet): the type of the plugin's `system` fixture.
    from seamline.system.system import System


@pytest.fixture(scope="session")
def shop(system: System) -> ShopApi:
    """The api, called through the `test -> api` seam."""
    return ShopApi(system.client("api"))


class PaymentsLedger:
    """payments' own record of charges (`GET /charges`), read straight from the service:
    not through a seam, so it shows what the real processor holds even while a test has
    stubbed the `api -> payments` seam."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=10.0)

    def charges_for(self, order_id: int) -> list[dict[str, Any]]:
        response = self._http.get("/charges")
        assert response.status_code == 200, response.text
        return [c for c in response.json()["data"] if c["description"] == f"shop order {order_id}"]

    def charges_with_key(self, idempotency_key: str) -> list[dict[str, Any]]:
        response = self._http.get("/charges")
        assert response.status_code == 200, response.text
        return [c for c in response.json()["data"] if c["idempotency_key"] == idempotency_key]

    def close(self) -> None:
        self._http.close()


@pytest.fixture(scope="session")
def payments_ledger(system: System) -> Iterator[PaymentsLedger]:
    ledger = PaymentsLedger(system.direct_url("payments"))
    yield ledger
    ledger.close()


# ------------------------------------------------------------------------------------------
# TEMPORARY: a stand-in for seamline's `db` fixture (issue 5), which is not on main yet.
#
# It has the same names as issue 5's fixture (`db.one`, `db.rows`, `db.count`, `db.scalar`)
# so the tests read the same once the real one lands: then delete everything from here to
# the end of the file (and the sqlalchemy imports above). It gives no per-test isolation
# and no change capture, so the tests create their own users and carts and only ever look
# at their own rows, or at before/after differences within one test.
# ------------------------------------------------------------------------------------------


class TemporaryDb:
    """Read-only queries on the shop's database, one short connection each."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._metadata = MetaData()
        self._metadata.reflect(engine)

    def _table(self, name: str) -> Table:
        try:
            return self._metadata.tables[name]
        except KeyError:
            known = ", ".join(sorted(self._metadata.tables))
            raise AssertionError(f"no table {name!r} in the database (tables: {known})") from None

    def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        """The rows of `table` whose columns equal `where`, ordered by primary key."""
        t = self._table(table)
        query = select(t).where(*(t.c[column] == value for column, value in where.items()))
        query = query.order_by(*t.primary_key.columns)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def one(self, table: str, **where: Any) -> dict[str, Any]:
        """The one row matching `where`; fails showing what was there."""
        found = self.rows(table, **where)
        if len(found) != 1:
            shown = "\n    ".join(map(str, found[:10])) or "(none)"
            raise AssertionError(
                f"expected exactly one row in {table} where {where}, found {len(found)}:\n"
                f"    {shown}"
            )
        return found[0]

    def count(self, table: str, **where: Any) -> int:
        t = self._table(table)
        query = select(func.count()).select_from(t)
        query = query.where(*(t.c[column] == value for column, value in where.items()))
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()


@pytest.fixture(scope="session")
def _temporary_db(system: System) -> Iterator[TemporaryDb]:
    url = system.service("db").attributes()["url"]
    # SQLite: no pool, so no connection holds an old snapshot of the file between queries.
    engine = (
        create_engine(url, poolclass=NullPool) if url.startswith("sqlite") else create_engine(url)
    )
    yield TemporaryDb(engine)
    engine.dispose()


@pytest.fixture
def db(_temporary_db: TemporaryDb) -> TemporaryDb:
    """TEMPORARY (see above): the shop's database, as issue 5's `db` fixture will offer it."""
    return _temporary_db
