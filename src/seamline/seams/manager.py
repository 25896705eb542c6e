"""All seams of a running system: their proxies, routes, journal and broker links."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from seamline.contracts import Contract
from seamline.errors import SeamlineError, check_argument, did_you_mean
from seamline.records.exchange import Exchange, Violation, seam_name
from seamline.records.message import Message
from seamline.seams.assertions import Flow
from seamline.seams.assertions import assert_header_propagated as _assert_propagated
from seamline.seams.gate import StartGate
from seamline.seams.journal import Journal
from seamline.seams.message_seams import BrokerSeams
from seamline.seams.modes import Fault, Route
from seamline.seams.proxy import SeamOptions, SeamProxy
from seamline.seams.view import SeamView

if TYPE_CHECKING:
    from seamline.http.loop import LoopThread

# (consumer, provider, real provider's url, record missing?) -> the replay server's url
ReplayFor = Callable[[str, str, str, bool], str]
# Modes a seam can be put in by name (a marker, `[seams] mode`, `set_mode`).
NAMED_MODES = ("real", "stub", "replay", "record-missing")
# Seams from the test's own client and the browser stay real under `[seams] mode`: replaying
# them would leave nothing real under test.
_EDGE_CONSUMERS = frozenset({"test", "browser"})


class Seams:
    """The seam proxies of one running system, created on first use, one per link."""

    def __init__(
        self,
        loop: LoopThread,
        journal: Journal,
        *,
        upstreams: Mapping[str, str],
        contracts: Mapping[str, Contract],
        options: SeamOptions,
        current_test: Callable[[], str | None],
        stub_for: Callable[[str], str],
        replay_for: ReplayFor | None = None,
        replay_misses: Callable[[], list[str]] | None = None,
        default_mode: str = "real",
        brokers: BrokerSeams | None = None,
    ) -> None:
        self._loop = loop
        self.brokers = brokers  # the message seams, on links to brokers
        self.journal = journal
        self._upstreams = upstreams
        self._contracts = contracts
        self._options = options
        self._current_test = current_test
        self._stub_for = stub_for
        self._replay_for = replay_for
        self._replay_misses = replay_misses
        self._default_mode = default_mode
        self._proxies: dict[str, SeamProxy] = {}
        self._lock = threading.RLock()
        # modes asked for a whole provider; seams into it created later get them too
        self._provider_modes: dict[str, Any] = {}
        self._expected: set[int] = set()  # exchanges whose violations a test expected
        self._expected_messages: set[int] = set()  # broker messages' likewise
        self._stopped: set[str] = set()  # providers the System stopped (and not started again)
        self._gates: dict[str, StartGate] = {}  # providers starting: their seams hold requests

    def proxy(self, consumer: str, provider: str) -> SeamProxy:
        """The proxy for `consumer -> provider`, started now if it is the first use."""
        name = seam_name(consumer, provider)
        with self._lock:
            existing = self._proxies.get(name)
            if existing is not None:
                return existing
            self._require_http(provider)
            proxy = SeamProxy(
                consumer,
                provider,
                self._upstreams[provider],
                journal=self.journal,
                current_test=self._current_test,
                contract=self._contracts.get(provider),
                options=self._options,
                gate=self._gates.get(provider),
            )
            self._loop.run(proxy.start())
            try:
                if provider in self._stopped:
                    self._loop.run(proxy.check_provider())
                self._route_new(proxy)
            except BaseException:
                # a seam whose mode cannot be set (no recording to replay) is not opened: a
                # listening proxy nobody owns would outlive the System and its loop
                self._loop.run(proxy.close())
                raise
            self._proxies[name] = proxy
            return proxy

    def _route_new(self, proxy: SeamProxy) -> None:
        """A new seam takes the mode asked for its provider, else the default mode."""
        if proxy.provider in self._provider_modes:
            SeamView(self, proxy).set_mode(self._provider_modes[proxy.provider])
            return
        route = self._default_route(proxy)
        if route.kind != "real":
            self._loop.run(proxy.switch(route))

    def carries(self, provider: str) -> bool:
        """Whether links into `provider` get a seam (an HTTP service on plain http://)."""
        return provider in self._upstreams

    def url(self, consumer: str, provider: str) -> str:
        """The address `consumer` is handed for `provider`: its seam's proxy."""
        return self.proxy(consumer, provider).url

    def _require_http(self, provider: str) -> None:
        """Raise, with a did-you-mean and the HTTP services, unless `provider` is one."""
        if provider not in self._upstreams:
            http = sorted(self._upstreams)
            raise SeamlineError(
                f"no seam into {provider!r}: it is not an HTTP service "
                f"(HTTP services: {', '.join(http)}){did_you_mean(provider, http)}"
            )

    def names(self) -> list[str]:
        """The names of the seams that have a proxy now, sorted."""
        return sorted(self._proxies)

    def __iter__(self) -> Iterator[SeamView]:
        return iter([SeamView(self, p) for p in list(self._proxies.values())])

    def view(self, consumer: str, provider: str | None = None) -> SeamView:
        """The seam `consumer -> provider` (or one string "api -> payments"); a `test -> provider`
        seam is opened on first use; another unknown one fails listing the seams."""
        example = self.names()[0] if self.names() else "api -> payments"
        check_argument("a seam", consumer, str, f"a seam such as {example!r}, or two names")
        check_argument("a seam's provider", provider, (str, type(None)), "a service name")
        if provider is None:
            consumer, _, provider = consumer.partition("->")
            consumer, provider = consumer.strip(), provider.strip()
        name = seam_name(consumer, provider)
        proxy = self._proxies.get(name)
        if proxy is None and consumer == "test":
            proxy = self.proxy(consumer, provider)
        if proxy is None:
            raise SeamlineError(
                f"no seam {name!r}{did_you_mean(name, self.names())}; "
                f"the seams are: {', '.join(self.names())}"
            )
        return SeamView(self, proxy)

    # -- the current test's traffic ---------------------------------------------------------

    def settle(self) -> None:
        """Let the proxies finish what is already decided: an exchange whose consumer has
        just hung up, or whose answer has just gone out, is recorded by the time this returns.
        """

        async def a_few_loop_turns() -> None:
            for _ in range(5):
                await asyncio.sleep(0)

        if self._proxies:
            self._loop.run(a_few_loop_turns())

    def exchanges(self, *, all_tests: bool = False) -> list[Exchange]:
        """The current test's exchanges on every seam (every test's with `all_tests=True`)."""
        self.settle()
        test = self._current_test()
        if all_tests or test is None:
            return self.journal.select()
        return self.journal.select(test=test)

    def sequence(self, *, all_tests: bool = False) -> Flow:
        """Every exchange and broker message of the current test across all seams, in the
        order they started."""
        crossed: list[Any] = list(self.exchanges(all_tests=all_tests))
        if self.brokers is not None:
            crossed += self.brokers.journal.select(test=None if all_tests else self._current_test())
        return Flow(sorted(crossed, key=lambda e: e.mono))

    def violations(self, *, all_tests: bool = False) -> list[Violation]:
        """Contract violations of the current test's exchanges and broker messages (less
        those expected)."""
        found = [
            v
            for e in self.exchanges(all_tests=all_tests)
            if e.seq not in self._expected
            for v in e.violations
        ]
        return found + [
            v
            for m in self._messages(all_tests=all_tests)
            if m.seq not in self._expected_messages
            for v in m.violations
        ]

    def _messages(self, *, all_tests: bool = False, since: int = 1) -> list[Message]:
        if self.brokers is None:
            return []
        test = None if all_tests else self._current_test()
        return [m for m in self.brokers.journal.select(test=test) if m.seq >= since]

    @contextmanager
    def expect_violations(self) -> Iterator[list[Violation]]:
        """For tests of how a consumer copes with a provider that breaks its contract:

            with system.seams.expect_violations() as seen:
                ...  # the provider answers with a bad body
            assert "body.amount" in seen[0].message

        The violations of exchanges and broker messages inside the block are collected into
        `seen` and do not fail the test at teardown; if there were none, the block fails. (A
        message delivered after the block is outside it: wait for it inside, `eventually`.)
        """
        self.settle()
        first = len(self.journal) + 1
        first_message = len(self.brokers.journal) + 1 if self.brokers is not None else 1
        seen: list[Violation] = []
        yield seen
        self.settle()
        inside = [e for e in self.journal.select() if e.seq >= first and e.violations]
        self._expected.update(e.seq for e in inside)
        seen.extend(v for e in inside for v in e.violations)
        messages = [m for m in self._messages(all_tests=True, since=first_message) if m.violations]
        self._expected_messages.update(m.seq for m in messages)
        seen.extend(v for m in messages for v in m.violations)
        if not seen:
            raise AssertionError(
                "expected a contract violation on the seams in this block, found none"
            )

    def assert_header_propagated(self, header: str, *, from_: str, to: str) -> None:
        """Every call on `to` made while a call on `from_` carrying `header` was in flight
        carried the same value (middleware that passes request ids, tokens, cookies on)."""
        _assert_propagated(self.exchanges(), header, _normal(from_), _normal(to))

    # -- modes --------------------------------------------------------------------------------

    def reset(self) -> None:
        """Every seam back to its default mode (`[seams] mode`; real unless set), no fault."""
        self._provider_modes.clear()
        if self.brokers is not None:
            self.brokers.reset()
        for proxy in list(self._proxies.values()):
            default = self._default_route(proxy)
            if proxy.route != default:
                self._loop.run(proxy.switch(default))

    def _default_route(self, proxy: SeamProxy) -> Route:
        if self._default_mode == "real" or proxy.consumer in _EDGE_CONSUMERS:
            return Route("real", proxy.real_upstream)
        missing = self._default_mode == "record-missing"
        return Route("replay", self.replay_url(proxy.consumer, proxy.provider, missing))

    def replay_url(self, consumer: str, provider: str, missing: bool = False) -> str:
        """The address of the stub server that replays `consumer -> provider`'s recording."""
        if self._replay_for is None:
            raise SeamlineError("replay needs a System: this set of seams has no recordings")
        return self._replay_for(consumer, provider, self._upstreams[provider], missing)

    def replay_misses(self) -> list[str]:
        """Requests no recording answered since the last call (near misses included)."""
        return self._replay_misses() if self._replay_misses is not None else []

    def set_provider_mode(self, provider: str, mode: str | Fault | Any) -> None:
        """Switch every seam into `provider` (marker form: "real", "stub", a Fault or a stub)."""
        self._require_http(provider)
        if mode == "stub":  # find the provider's stubs now, so a problem fails the setup
            mode = self._stub_for(provider)
        if isinstance(mode, str) and not mode.startswith("http") and mode not in NAMED_MODES:
            raise SeamlineError(
                f"seams into {provider!r}: expected a mode {', '.join(map(repr, NAMED_MODES))}, "
                f"a fault dict or a stub, found {mode!r}"
            )
        with self._lock:
            for proxy in [p for p in self._proxies.values() if p.provider == provider]:
                SeamView(self, proxy).set_mode(mode)
            self._provider_modes[provider] = mode

    def hold_until_ready(self, providers: Iterable[str]) -> None:
        """Seams into `providers` (made from now on) hold each request on the real route
        until `provider_ready` is told; the System calls this before it starts them."""
        for provider in providers:
            if provider in self._upstreams:
                self._gates[provider] = StartGate(self._loop.loop)

    def provider_ready(self, provider: str, ready: bool = True) -> None:
        """`provider` is ready (its held requests go on) or its start failed (they are
        answered as for a provider that is down)."""
        gate = self._gates.get(provider)
        if gate is not None:
            gate.settle(ready)

    def provider_stopped(self, provider: str, stopped: bool = True) -> None:
        """The System stopped (or started) `provider`: from now on its seams refuse
        connections if and only if it does, as its own port would."""
        (self._stopped.add if stopped else self._stopped.discard)(provider)
        for proxy in [p for p in list(self._proxies.values()) if p.provider == provider]:
            self._loop.run(proxy.check_provider())

    def close(self) -> None:
        """Close every proxy and the journal (the System does this when it stops)."""
        for gate in self._gates.values():
            gate.settle(False)  # a request still held is answered before its seam closes
        for proxy in list(self._proxies.values()):
            self._loop.run(proxy.close())
        self._proxies.clear()
        self.journal.close()
        if self.brokers is not None:
            self.brokers.close()


def _normal(name: str) -> str:
    consumer, _, provider = name.partition("->")
    return seam_name(consumer.strip(), provider.strip())
