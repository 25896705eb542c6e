"""A small Redis consumer for systems under test: it handles what it gets and says so.

    broker_worker.py pubsub   SUBSCRIBE order.paid; for each, LPUSH shipments <payload>
    broker_worker.py list     BRPOP celery (kombu's way); for each, LPUSH shipments <payload>
    broker_worker.py forever  the same with BRPOP celery 0, written for real Redis (no None)
    broker_worker.py stream   XREADGROUP on orders; XACK each, unless its "ack" field is "no"

It prints `ready` once it listens, and a line per message it handled.
"""

from __future__ import annotations

import contextlib
import os
import sys

import redis

client = redis.Redis.from_url(os.environ["BUS_URL"])
mode = sys.argv[1]

if mode == "pubsub":
    pubsub = client.pubsub()
    pubsub.subscribe("order.paid")
    pubsub.get_message(timeout=5)  # the subscribe confirmation: now it listens
    print("ready", flush=True)
    for event in pubsub.listen():
        if event["type"] == "message":
            client.lpush("shipments", event["data"])
            print("handled", event["data"], flush=True)
elif mode == "list":
    print("ready", flush=True)
    while True:
        popped = client.brpop(["celery"], timeout=1)
        if popped is not None:
            client.lpush("shipments", popped[1])
            print("handled", popped[1], flush=True)
elif mode == "forever":
    print("ready", flush=True)
    while True:
        _key, value = client.brpop(["celery"], 0)  # Redis never answers BRPOP ... 0 with nil
        client.lpush("shipments", value)
        print("handled", value, flush=True)
elif mode == "stream":
    with contextlib.suppress(redis.ResponseError):  # the group exists: a restart
        client.xgroup_create("orders", "fulfilment", id="0", mkstream=True)
    print("ready", flush=True)
    while True:
        read = client.xreadgroup("fulfilment", "w1", {"orders": ">"}, count=10, block=1000)
        for _stream, entries in read or []:
            for entry_id, fields in entries:
                if fields.get(b"ack") != b"no":
                    client.xack("orders", "fulfilment", entry_id)
                print("handled", entry_id, flush=True)
