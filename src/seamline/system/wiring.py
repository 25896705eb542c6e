"""How a System's services see each other: template values, with a seam on every link."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from seamline.config import SystemConfig
from seamline.config.model import BROKER_PROTOCOLS, BROKER_SEAM_ATTRIBUTES, HTTP_KINDS
from seamline.contracts import Contract, ContractError
from seamline.contracts.asyncapi import EventContract
from seamline.errors import SeamlineError, StartError
from seamline.records.layout import MESSAGES
from seamline.runtime.ports import LOOPBACK
from seamline.seams.journal import Journal
from seamline.seams.manager import Seams
from seamline.seams.message_journal import MessageJournal
from seamline.seams.message_seams import BrokerSeams
from seamline.seams.proxy import SeamOptions
from seamline.services.base import AnyService
from seamline.strategies.replay import ReplayServers

if TYPE_CHECKING:
    from seamline.http.loop import LoopThread
    from seamline.mock.server import MockServer


class ServiceValues(Mapping[str, str]):
    """`{provider.attr}` as `consumer` sees it: `url` is the seam's address, not the provider's."""

    def __init__(self, consumer: str, provider: AnyService, seams: Seams) -> None:
        self._consumer, self._provider, self._seams = consumer, provider, seams
        self._direct = provider.attributes()

    def __getitem__(self, attr: str) -> str:
        name = self._provider.name
        seamed = self._provider.kind in HTTP_KINDS and self._direct.get("url", "").startswith(
            "http://"
        )
        if seamed and attr == "url" and self._consumer != name:
            return self._seams.url(self._consumer, name)
        if seamed and attr == "browser_url":
            return self._seams.url("browser", name)
        if attr == "browser_url":
            return self._direct["url"]
        if self._provider.kind in BROKER_PROTOCOLS and self._consumer != name:
            return self._broker_value(attr)
        return self._direct[attr]

    def _broker_value(self, attr: str) -> str:
        """`url`, `amqp_url` and `port` of a broker lead through the consumer's message seam."""
        direct = self._direct[attr]
        if attr not in BROKER_SEAM_ATTRIBUTES:
            return direct
        brokers = self._seams.brokers
        assert brokers is not None  # make_seams always gives them
        port = str(brokers.seam(self._consumer, self._provider.name).port)
        if attr == "port":
            return port
        return direct.replace(f":{self._direct['port']}", f":{port}", 1)

    def __iter__(self) -> Iterator[str]:
        return iter(self._direct)

    def __len__(self) -> int:
        return len(self._direct)


def http_upstreams(services: Mapping[str, AnyService]) -> dict[str, str]:
    """The direct address of every service a seam can carry (plain http://)."""
    return {
        name: service.attributes()["direct_url"]
        for name, service in services.items()
        if service.kind in HTTP_KINDS
        and service.attributes().get("direct_url", "").startswith("http://")
    }


def broker_upstreams(services: Mapping[str, AnyService]) -> dict[str, tuple[str, int, str]]:
    """The direct address of every broker a message seam can carry, and its protocol."""
    return {
        name: (
            service.attributes().get("host", LOOPBACK),
            int(service.attributes()["port"]),
            BROKER_PROTOCOLS[service.kind],
        )
        for name, service in services.items()
        if service.kind in BROKER_PROTOCOLS
    }


def load_contracts(config: SystemConfig) -> dict[str, Contract]:
    """Each service's OpenAPI contract; `check_documents` has checked them before."""
    contracts: dict[str, Contract] = {}
    if config.spec.contracts == "off":
        return contracts
    for name, spec in config.spec.services.items():
        if spec.openapi is not None:
            try:
                contracts[name] = Contract.load(config.resolve(spec.openapi), checked=True)
            except ContractError as err:
                raise StartError(name, f"its openapi contract: {err}") from None
    return contracts


def load_event_contracts(config: SystemConfig) -> dict[str, EventContract]:
    """Each broker's AsyncAPI document (`asyncapi`), unless contracts are off."""
    contracts: dict[str, EventContract] = {}
    if config.spec.contracts == "off":
        return contracts
    for name, spec in config.spec.services.items():
        path = getattr(spec, "asyncapi", None)
        if path is not None:
            try:
                contracts[name] = EventContract.load(config.resolve(path))
            except ContractError as err:
                raise StartError(name, f"its asyncapi contract: {err}") from None
    return contracts


class StubServers:
    """Stub servers loaded from services' `stubs` mappings, and the seams' replay servers
    (loaded from their recordings), started on first use."""

    def __init__(
        self,
        config: SystemConfig,
        loop: Callable[[], LoopThread],
        current_test: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._config, self._loop = config, loop
        self._servers: dict[str, MockServer] = {}
        self.replays = ReplayServers(config, loop, current_test)

    def begin_test(self, test: str) -> None:
        self.replays.begin_test(test)

    def url_for(self, provider: str) -> str:
        server = self._servers.get(provider)
        if server is None:
            from seamline.mock.server import MockServer

            spec = self._config.spec.services[provider]
            if spec.stubs is None:
                raise SeamlineError(
                    f'cannot stub {provider!r}: it has no stubs. Add stubs = "path/to/mappings" '
                    f"(WireMock mappings) to [services.{provider}] in {self._config.path}, or "
                    "pass a MockServer: seam.use_stub(mock)"
                )
            server = MockServer(root_dir=self._config.resolve(spec.stubs), loop=self._loop())
            server.start()
            self._servers[provider] = server
        return server.url

    def reset(self) -> None:
        """Forget requests and scenario states between tests (the stubs stay)."""
        for server in self._servers.values():
            server.reset_requests()
            server.reset_scenarios()
        self.replays.reset()

    def close(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()
        self.replays.close()


SEAMS_MODE_ENV = (
    "SEAMLINE_SEAMS_MODE"  # set by `seamline record`: every seam real, whatever the config
)


def seams_mode(config: SystemConfig) -> str:
    """`[seams] mode`, unless SEAMLINE_SEAMS_MODE overrides it (`seamline record` sets `real`)."""
    given = os.environ.get(SEAMS_MODE_ENV)
    if given is None:
        return config.spec.seams.mode
    if given not in ("real", "replay", "record-missing"):
        raise SeamlineError(
            f"{SEAMS_MODE_ENV}: expected real, replay or record-missing, found {given!r}"
        )
    return given


def make_seams(
    config: SystemConfig,
    services: Mapping[str, AnyService],
    loop: LoopThread,
    journal: Journal,
    current_test: Callable[[], str | None],
    stubs: StubServers,
) -> Seams:
    spec = config.spec.seams
    options = SeamOptions.from_spec(spec)
    messages = MessageJournal(journal.path.with_name(MESSAGES) if journal.path else None)
    brokers = BrokerSeams(
        loop,
        messages,
        brokers=broker_upstreams(services),
        current_test=current_test,
        body_cap=spec.body_cap,
        contracts=load_event_contracts(config),
    )
    return Seams(
        loop,
        journal,
        upstreams=http_upstreams(services),
        contracts=load_contracts(config),
        options=options,
        current_test=current_test,
        stub_for=stubs.url_for,
        replay_for=lambda consumer, provider, real, missing: stubs.replays.url_for(
            consumer, provider, real, missing=missing
        ),
        replay_misses=stubs.replays.misses,
        default_mode=seams_mode(config),
        brokers=brokers,
    )
