"""The message seams of a running system, and the test's queries and faults on them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from seamline.contracts.asyncapi import EventContract
from seamline.errors import SeamlineError, check_argument, did_you_mean
from seamline.records.exchange import seam_name
from seamline.records.message import Message
from seamline.seams import resp
from seamline.seams.assertions import Calls
from seamline.seams.broker import FAULT_ACTIONS, BrokerSeam, FaultAction, MessageFault
from seamline.seams.message_capture import Capture
from seamline.seams.message_journal import MessageJournal
from seamline.services.amqp import AmqpConnection, AmqpError

if TYPE_CHECKING:
    from seamline.http.loop import LoopThread


class Messages(Calls[Message]):
    """The messages a query found (`system.messages(...)`): `.one()`, `.none()`, `.count`,
    `[i]`; a failed expectation lists every message that crossed the broker's links."""

    noun = "message"


class BrokerSeams:
    """One message seam per `consumer -> broker` link, started on first use."""

    def __init__(
        self,
        loop: LoopThread,
        journal: MessageJournal,
        *,
        brokers: Mapping[str, tuple[str, int, str]],
        current_test: Callable[[], str | None],
        body_cap: int,
        contracts: Mapping[str, EventContract] | None = None,
    ) -> None:
        self._loop = loop
        self._contracts = contracts or {}  # broker -> its AsyncAPI document
        self.journal = journal
        self._brokers = brokers
        self._current_test = current_test
        self.capture = Capture(journal, current_test)  # what crossed, decoded off the path
        self._body_cap = body_cap
        self._seams: dict[str, BrokerSeam] = {}
        self._lock = threading.Lock()

    def __contains__(self, provider: object) -> bool:
        return provider in self._brokers

    def seam(self, consumer: str, provider: str) -> BrokerSeam:
        """The seam for `consumer -> provider`, started now if it is the first use."""
        name = seam_name(consumer, provider)
        with self._lock:
            existing = self._seams.get(name)
            if existing is not None:
                return existing
            self.require_broker(provider)
            host, port, protocol = self._brokers[provider]
            seam = BrokerSeam(
                consumer,
                provider,
                (host, port),
                capture=self.capture,
                body_cap=self._body_cap,
                protocol=protocol,
                contract=self._contracts.get(provider),
            )
            self._loop.run(seam.start())
            self._seams[name] = seam
            return seam

    def names(self) -> list[str]:
        return sorted(self._seams)

    def require_broker(self, name: str) -> None:
        """Raise naming the declared brokers, and what a broker is, unless `name` is one."""
        if name in self._brokers:
            return
        brokers = sorted(self._brokers)
        declared = ", ".join(brokers) or 'none (declare one: [services.bus] kind = "redis")'
        raise SeamlineError(
            f"expected a broker service (kind redis, nats or rabbitmq), found {name!r}"
            f"{did_you_mean(name, brokers)}; the brokers of this system: {declared}"
        )

    def link(self, consumer: str, provider: str) -> BrokerSeam:
        """The seam `consumer -> provider`. A service's link exists from the start; a name
        that is no service's opens a link of the test's own under that name, on first use
        (`address` is where a client of the test connects as that party), unless it looks
        like a typo of a consumer's: then it raises naming the links into `provider`, so a
        misspelt consumer is not a fault on a link nobody uses."""
        self.require_broker(provider)
        name = seam_name(consumer, provider)
        links = [n for n in self.names() if n.endswith(f" -> {provider}")]
        consumers = [n.partition(" -> ")[0] for n in links]
        near = did_you_mean(consumer, [c for c in consumers if c != "test"])
        if consumer != "test" and name not in self._seams and near:
            raise SeamlineError(
                f"no message seam {name!r}{near}; "
                f"the links into {provider}: {', '.join([*links, f'test -> {provider}'])} "
                f"(a service has one when its env holds {{{provider}.url}} or {{{provider}.port}}, "
                f"or {{{provider}.amqp_url}} on RabbitMQ)"
            )
        return self.seam(consumer, provider)

    def messages(
        self,
        provider: str,
        *,
        subject: str | None = None,
        queue: str | None = None,
        published_by: str | None = None,
        delivered_to: str | None = None,
        all_tests: bool = False,
    ) -> Messages:
        """Messages on links into `provider` in this test, filtered by what is given."""
        check_argument("a broker", provider, str, "a broker service's name such as 'bus'")
        self.require_broker(provider)
        test = None if all_tests else self._current_test()
        crossed = self.journal.select(provider=provider, test=test)
        found = [
            m
            for m in crossed
            if (subject is None or m.subject == subject)
            and (queue is None or m.queue == queue)
            and (published_by is None or (m.direction, m.consumer) == ("published", published_by))
            and (delivered_to is None or (m.direction, m.consumer) == ("delivered", delivered_to))
        ]
        filters = {
            "subject": subject,
            "queue": queue,
            "published by": published_by,
            "delivered to": delivered_to,
        }
        what = ", ".join(f"{k} {v!r}" for k, v in filters.items() if v) or "(any)"
        where = f"the links into {provider}" + ("" if all_tests else " in this test")
        return Messages(found, what, crossed, where)

    def fault(
        self,
        consumer: str,
        provider: str,
        action: FaultAction,
        *,
        first: int | None = None,
        rate: float = 1.0,
        delay_ms: float = 0.0,
        subject: str | None = None,
    ) -> None:
        """Apply `action` to the messages delivered on `consumer -> provider`."""
        if action not in FAULT_ACTIONS:
            raise SeamlineError(
                f"expected a message fault, one of {', '.join(FAULT_ACTIONS)}; found {action!r}"
            )
        self.seam(consumer, provider).fault = MessageFault(action, first, rate, delay_ms, subject)

    def reset(self) -> None:
        """No fault on any message seam (between tests)."""
        for seam in list(self._seams.values()):
            seam.fault = None

    def publish(
        self, provider: str, subject: str, payload: bytes | str, *, exchange: str = ""
    ) -> None:
        """Publish `payload` on `subject` through the `test -> provider` seam (Redis
        `PUBLISH`, NATS `PUB`, AMQP `Basic.Publish` to `exchange` with `subject` as the
        routing key: the default exchange "" routes it to the queue of that name)."""
        seam = self.seam("test", provider)
        data = payload.encode() if isinstance(payload, str) else payload
        if seam.protocol == "amqp":
            try:
                with AmqpConnection(seam.port) as connection:
                    connection.publish(exchange, subject, data)
            except (OSError, ConnectionError, AmqpError) as err:
                raise SeamlineError(
                    f"publishing to {provider!r} (exchange {exchange!r}, routing key "
                    f"{subject!r}): {err}"
                ) from None
            return
        with socket.create_connection(seam.address, timeout=5.0) as connection:
            answer = connection.makefile("rb")
            if seam.protocol == "nats":
                answer.readline()  # INFO: the server speaks first
                head = b'CONNECT {"verbose": false}\r\nPUB %s %d\r\n' % (
                    subject.encode(),
                    len(data),
                )
                connection.sendall(head + data + b"\r\nPING\r\n")
                expected = b"PONG"  # the server has handled the PUB when it answers the PING
            else:
                connection.sendall(resp.encode_command(b"PUBLISH", subject.encode(), data))
                expected = b":"
            reply = answer.readline()
        if not reply.startswith(expected):
            raise SeamlineError(
                f"publishing to {provider!r}: expected {expected.decode()}..., found {reply!r}"
            )

    def close(self) -> None:
        for seam in list(self._seams.values()):
            self._loop.run(seam.close())
        self._seams.clear()
        self.journal.close()


class MessageSeamView:
    """`system.message_seam("fulfilment", "bus")`: one broker link's messages and faults."""

    def __init__(self, brokers: BrokerSeams, consumer: str, provider: str) -> None:
        self._brokers = brokers
        self._seam = brokers.link(consumer, provider)
        self.name, self.consumer, self.provider = self._seam.name, consumer, provider

    @property
    def address(self) -> tuple[str, int]:
        """Where the consumer connects: (host, port) of the seam."""
        return self._seam.address

    def messages(self, *, subject: str | None = None, all_tests: bool = False) -> Messages:
        """This link's messages in this test: published by or delivered to its consumer."""
        found = self._brokers.messages(self.provider, subject=subject, all_tests=all_tests)
        mine = [m for m in found if m.consumer == self.consumer]
        return Messages(mine, found.what, found.context, self.name)

    def fault(
        self,
        action: FaultAction,
        *,
        first: int | None = None,
        rate: float = 1.0,
        delay_ms: float = 0.0,
        subject: str | None = None,
    ) -> MessageSeamView:
        """Drop, delay, duplicate, reorder (hold one until the next has gone) the messages
        delivered on this link, or cut the connection at one: the first `first` of them (all
        when None), each with probability `rate`, only those on `subject` if given."""
        self._brokers.fault(
            self.consumer,
            self.provider,
            action,
            first=first,
            rate=rate,
            delay_ms=delay_ms,
            subject=subject,
        )
        return self

    def use_real(self) -> MessageSeamView:
        """No fault on this link."""
        self._seam.fault = None
        return self

    def __repr__(self) -> str:
        fault = self._seam.fault
        return f"<message seam {self.name} ({fault.action if fault else 'real'})>"
