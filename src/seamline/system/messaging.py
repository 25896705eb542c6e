"""The System's test API on links to brokers: the messages that crossed them, one link's
seam, publishing from the test."""

from __future__ import annotations

from seamline.seams.manager import Seams
from seamline.seams.message_seams import BrokerSeams, Messages, MessageSeamView


class MessageLinks:
    """Mixed into `System`, which gives `seams`."""

    @property
    def seams(self) -> Seams:
        raise NotImplementedError  # System's

    def messages(
        self,
        broker: str,
        *,
        subject: str | None = None,
        queue: str | None = None,
        published_by: str | None = None,
        delivered_to: str | None = None,
        all_tests: bool = False,
    ) -> Messages:
        """What crossed the links into `broker` in this test (`.one()`, `.none()`, `.count`):
        `system.messages("bus", subject="order.paid", published_by="api").one()`."""
        return self._broker_seams().messages(
            broker,
            subject=subject,
            queue=queue,
            published_by=published_by,
            delivered_to=delivered_to,
            all_tests=all_tests,
        )

    def message_seam(self, consumer: str, broker: str) -> MessageSeamView:
        """`system.message_seam("fulfilment", "bus")`: one broker link, its messages, faults."""
        return MessageSeamView(self._broker_seams(), consumer, broker)

    def publish(
        self, broker: str, subject: str, payload: bytes | str, *, exchange: str = ""
    ) -> None:
        """Publish `payload` on `subject` through the `test -> broker` seam (on RabbitMQ,
        to `exchange` with `subject` as the routing key)."""
        self._broker_seams().publish(broker, subject, payload, exchange=exchange)

    def _broker_seams(self) -> BrokerSeams:
        brokers = self.seams.brokers
        assert brokers is not None  # make_seams always gives them
        return brokers
