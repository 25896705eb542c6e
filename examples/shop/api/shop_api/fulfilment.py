"""The fulfilment worker: a Celery worker that ships each paid order once.

    celery -A shop_api.fulfilment worker --pool=solo --without-gossip --without-mingle

It lives beside the api (the same models and database code, as Celery workers usually do)
but runs as its own process, the `fulfilment` service. BUS_URL is the broker, DATABASE_URL
the shop's database.

Shipping is idempotent: `shipments.order_id` is UNIQUE and the row is written with
`ON CONFLICT DO NOTHING`, so a task delivered twice ships once. The order must be paid with
the event's charge: an event about an order that is not (yet, or any more) in that state
ships nothing, and says so in the log.
"""

from __future__ import annotations

import logging
import sys

from sqlalchemy import CursorResult, text

from shop_api.db import Database
from shop_api.events import SHIP_ORDER_TASK, make_celery
from shop_api.settings import SettingsError, worker_settings

log = logging.getLogger("shop_api.fulfilment")

try:
    DATABASE_URL, BUS_URL = worker_settings()
except SettingsError as err:
    sys.exit(f"shop_api.fulfilment: {err}")

app = make_celery(BUS_URL)
db = Database(DATABASE_URL)

# One statement reads the order and writes its shipment, in one write transaction.
_SHIP = text(
    "INSERT INTO shipments (order_id) "
    "SELECT id FROM orders WHERE id = :order_id AND status = 'paid' AND charge_id = :charge_id "
    "ON CONFLICT (order_id) DO NOTHING"
)
_SHIPMENT = text("SELECT id FROM shipments WHERE order_id = :order_id")


@app.task(name=SHIP_ORDER_TASK)
def ship_order(order_id: int, charge_id: str, total_cents: int, currency: str) -> int | None:
    """Ship a paid order: the shipment's id, or None if the order is not paid with `charge_id`."""
    with db.write() as session:
        inserted = session.execute(_SHIP, {"order_id": order_id, "charge_id": charge_id})
        assert isinstance(inserted, CursorResult)
        shipment = session.scalar(_SHIPMENT, {"order_id": order_id})
    if inserted.rowcount == 1:
        log.info("order %s shipped: shipment %s (%s %s)", order_id, shipment, total_cents, currency)
    elif shipment is not None:
        log.info("order %s was already shipped: shipment %s, nothing done", order_id, shipment)
    else:
        log.warning("order %s is not paid with charge %s: nothing shipped", order_id, charge_id)
    return None if shipment is None else int(shipment)
