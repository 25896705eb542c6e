"""Proxy stubs: a response with `proxyBaseUrl` is fetched from a real upstream.

    {"request": {"urlPathPattern": "/api/.*"},
     "response": {"proxyBaseUrl": "http://127.0.0.1:9000",
                  "additionalProxyRequestHeaders": {"X-From": "mock"},
                  "removeProxyRequestHeaders": ["Cookie"]}}

As WireMock's ProxyResponseRenderer does: the request's path and query are appended to
the base URL (after `proxyUrlPrefixToRemove` is cut off), its headers are passed on but
for the removed ones, `Host` names the upstream, and the stub's own `headers` are added
to the upstream's answer. A network failure is a 500 saying what was tried. The body
is read whole, so the exchange can be recorded (what `/__admin/recordings` snapshots).
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from seamline.http.client import HttpClient, UpstreamError
from seamline.http.message import Response
from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest

PROXY_KEYS = frozenset({
    "proxyBaseUrl", "additionalProxyRequestHeaders", "removeProxyRequestHeaders",
    "proxyUrlPrefixToRemove",
})  # fmt: skip
# Hop-by-hop headers and what the client frames itself (WireMock's FORBIDDEN_REQUEST_HEADERS).
_NOT_FORWARDED = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade", "keep-alive"}
)
_NOT_RETURNED = frozenset({"transfer-encoding", "connection", "keep-alive", "content-length"})
_TEXT = [("Content-Type", "text/plain")]


@dataclass(frozen=True)
class ProxySpec:
    """The proxy part of a stub's response."""

    base_url: str
    add_headers: tuple[tuple[str, str], ...] = ()
    remove_headers: frozenset[str] = frozenset()
    prefix_to_remove: str = ""

    @classmethod
    def parse(cls, spec: dict[str, Any], where: str) -> ProxySpec | None:
        """The proxy settings of a response spec, or None when it has no `proxyBaseUrl`."""
        base = spec.get("proxyBaseUrl")
        if base is None:
            return None
        if not isinstance(base, str) or urlsplit(base).scheme not in ("http", "https"):
            raise InvalidMapping(
                f"{where}.proxyBaseUrl",
                f"expected an absolute http:// URL, found {json.dumps(base)}",
                'write it like "http://127.0.0.1:9000"',
            )
        added = spec.get("additionalProxyRequestHeaders") or {}
        if not isinstance(added, dict):
            raise InvalidMapping(
                f"{where}.additionalProxyRequestHeaders",
                f"expected an object of name -> value, found {json.dumps(added)}",
            )
        removed = spec.get("removeProxyRequestHeaders") or []
        if not isinstance(removed, list) or not all(isinstance(n, str) for n in removed):
            raise InvalidMapping(
                f"{where}.removeProxyRequestHeaders",
                f"expected a list of header names, found {json.dumps(removed)}",
            )
        prefix = spec.get("proxyUrlPrefixToRemove") or ""
        return cls(
            base.rstrip("/"),
            tuple((str(k), str(v)) for k, v in added.items()),
            frozenset(n.lower() for n in removed),
            str(prefix),
        )

    def target(self, request: ReceivedRequest) -> str:
        path, question, query = request.url.partition("?")
        if self.prefix_to_remove and path.startswith(self.prefix_to_remove):
            path = path[len(self.prefix_to_remove) :]
        return self.base_url + path + question + query

    def headers(self, request: ReceivedRequest) -> list[tuple[str, str]]:
        skip = _NOT_FORWARDED | self.remove_headers
        adding = {name.lower() for name, _ in self.add_headers}
        kept = [
            (name, value)
            for name, value in request.headers
            if name.lower() not in skip and name.lower() not in adding
        ]
        return kept + list(self.add_headers)


@dataclass(frozen=True)
class ProxiedResponse:
    """What the upstream answered, as it was received (for the recorder)."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


Observer = Callable[[ReceivedRequest, ProxiedResponse], None]


class Forwarder:
    """Sends proxied requests upstream on one pooled client; tells `observer` of each."""

    def __init__(self) -> None:
        self._client: HttpClient | None = None
        self.observers: list[Observer] = []
        # how https:// upstreams are verified; None: the system's CAs (and SSL_CERT_FILE)
        self.tls: ssl.SSLContext | None = None

    async def forward(
        self, request: ReceivedRequest, proxy: ProxySpec, extra: list[tuple[str, str]]
    ) -> Response:
        """The upstream's answer to `request`, with `extra` headers (the stub's) added."""
        if self._client is None:
            self._client = HttpClient(tls=self.tls)
        url = proxy.target(request)
        try:
            answer = await self._client.request(
                request.method, url, proxy.headers(request), request.body
            )
            body = await answer.read()
        except (UpstreamError, ValueError) as exc:
            text = (
                f"Network failure trying to make a proxied request from seamline mock to {url}"
                f"\r\n{exc}"
            )
            return Response(500, list(_TEXT), text.encode("utf-8"))
        headers = [(n, v) for n, v in answer.headers if n.lower() not in _NOT_RETURNED]
        proxied = ProxiedResponse(answer.status, headers, body)
        for observer in self.observers:
            observer(request, proxied)
        return Response(answer.status, headers + extra, body, answer.reason or None)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()
