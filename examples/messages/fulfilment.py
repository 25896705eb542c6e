"""Ships paid orders: for each `order.paid` event it stores a shipment in `shipments`."""

from __future__ import annotations

import json
import os

import redis

bus = redis.Redis.from_url(os.environ["BUS_URL"])
events = bus.pubsub()
events.subscribe("order.paid")
events.get_message(timeout=5)  # the subscribe confirmation
print("listening", flush=True)
for event in events.listen():
    if event["type"] == "message":
        order = json.loads(event["data"])
        bus.lpush("shipments", json.dumps({"order_id": order["order_id"]}))
