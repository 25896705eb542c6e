"""A Celery app with one task, for a real worker on a broker link under test.

    python -m celery -A celery_tasks worker --pool=solo -Q ship.tasks -l INFO

Its broker is `BUS_URL` (the worker's message seam); `shop.tasks.ship` prints what it ships.
"""

from __future__ import annotations

import os

from celery import Celery

app = Celery("shop", broker=os.environ["BUS_URL"])


@app.task(name="shop.tasks.ship")
def ship(order_id: int) -> None:
    print(f"shipped {order_id}", flush=True)
