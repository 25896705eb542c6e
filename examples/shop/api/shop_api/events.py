"""The shop's events on its message bus: `order.paid`, sent as a Celery task to fulfilment.

The api sends the task by name (`send_task`), so it never imports the worker's code; the
worker (`shop_api.fulfilment`) runs the same Celery app and consumes the `order.paid` queue.
The task goes through the broker's default exchange straight to the queue of that name: on
Redis that needs no exchange binding (kombu keeps bindings as Redis keys, which seamline
empties between tests; a task published to an exchange whose binding is gone would go to a
dead-letter queue), and on RabbitMQ the default exchange routes by queue name.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from celery import Celery
from kombu import Exchange, Queue

log = logging.getLogger("shop_api.events")

ORDER_PAID = "order.paid"  # the event, the queue it travels on, its AsyncAPI channel
SHIP_ORDER_TASK = "shop.fulfilment.ship_order"  # what fulfilment does about it
# How long sending may wait for the broker before the api gives up on the event (s).
SEND_TIMEOUT = 2.0


@dataclass(frozen=True)
class OrderPaid:
    """`order.paid`: an order was charged (contracts/events.yaml, the task's keyword arguments)."""

    order_id: int
    charge_id: str
    total_cents: int
    currency: str


def make_celery(broker_url: str) -> Celery:
    """The shop's Celery app on `broker_url` (Redis or AMQP), as the api and the worker use it."""
    app = Celery("shop", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_queues=[Queue(ORDER_PAID, Exchange(""), routing_key=ORDER_PAID)],
        task_default_queue=ORDER_PAID,
        task_routes={SHIP_ORDER_TASK: {"queue": ORDER_PAID}},
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # Ack once the shipment is written, not on receipt: a worker that dies mid-task gets
        # the task again, which the shipment's unique order_id makes harmless.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        # No remote control (pidbox): the worker listens on its queue and nothing else.
        worker_enable_remote_control=False,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=SEND_TIMEOUT,
        broker_transport_options={"socket_timeout": SEND_TIMEOUT},
    )
    return app


class EventBus:
    """Sends the shop's events; a bus that cannot be reached is logged, never raised: the
    order is paid whatever became of its event (tests/test_fulfilment.py shows that gap)."""

    def __init__(self, broker_url: str) -> None:
        self._celery = make_celery(broker_url)

    def order_paid(self, event: OrderPaid) -> None:
        try:
            self._celery.send_task(
                SHIP_ORDER_TASK,
                kwargs=asdict(event),
                exchange="",
                routing_key=ORDER_PAID,
                retry_policy={"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2},
            )
        except Exception as err:  # kombu raises its own, the transport's and OS errors
            log.error("order %s paid, but %s was not sent: %s", event.order_id, ORDER_PAID, err)
            return
        log.info("order %s paid: %s sent", event.order_id, ORDER_PAID)

    def close(self) -> None:
        self._celery.close()
