"""A received request as the matchers, the templates and the journal see it.

Derived views (query, cookies, form, text, JSON, multipart parts) are computed once,
on first use, so a request checked against 100 stubs parses its JSON body once.
A gzip- or deflate-encoded body is decoded on arrival, as WireMock does, so matchers,
templates and the journal see the content that was sent.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
import uuid
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from seamline.http.message import Headers

NOT_JSON: Any = object()


@dataclass(frozen=True)
class Part:
    """One part of a multipart body."""

    headers: Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class ReceivedRequest:
    """A request the stub server received: method, URL, headers, cookies, query and body, as stubs
    match on them and `mock.requests()` returns them."""

    def __init__(
        self,
        method: str,
        url: str,
        headers: Headers,
        body: bytes,
        *,
        client_ip: str = "127.0.0.1",
        base_url: str = "",
        logged_at: float | None = None,
        request_id: str | None = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = _decoded(headers, body) if body else body
        self.client_ip = client_ip
        self.base_url = base_url
        self.logged_at = time.time() if logged_at is None else logged_at
        if request_id is not None:
            self.__dict__["id"] = request_id

    @cached_property
    def id(self) -> str:
        """Made on first use: most requests are never looked up by id."""
        return str(uuid.uuid4())

    @cached_property
    def path(self) -> str:
        return self.url.split("?", 1)[0]

    @cached_property
    def query(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if "?" in self.url:
            for name, value in parse_qsl(self.url.split("?", 1)[1], keep_blank_values=True):
                out.setdefault(name, []).append(value)
        return out

    @cached_property
    def cookies(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for header in self.headers.get_all("cookie"):
            for pair in header.split(";"):
                name, sep, value = pair.strip().partition("=")
                if sep:
                    # A quoted value counts without its quotes (RFC 6265), as WireMock reads it.
                    if len(value) >= 2 and value[0] == value[-1] == '"':
                        value = value[1:-1]
                    out.setdefault(name, []).append(value)
        return out

    @cached_property
    def form(self) -> dict[str, list[str]]:
        """The fields of an application/x-www-form-urlencoded body (`formParameters`)."""
        out: dict[str, list[str]] = {}
        content_type = (self.headers.get("content-type") or "").lower()
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return out
        for name, value in parse_qsl(self.text, keep_blank_values=True):
            out.setdefault(name, []).append(value)
        return out

    @cached_property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @cached_property
    def json(self) -> Any:
        if not self.body:
            return NOT_JSON
        try:
            return json.loads(self.body)
        except ValueError:
            return NOT_JSON

    @cached_property
    def basic_auth(self) -> tuple[str, str] | None:
        value = self.headers.get("authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user, password

    @cached_property
    def parts(self) -> list[Part]:
        return parse_multipart(self.headers.get("content-type") or "", self.body)

    @property
    def absolute_url(self) -> str:
        """The full URL the request was sent to."""
        return self.base_url + self.url

    @property
    def path_segments(self) -> list[str]:
        """The path's segments, decoded: `/a/b%20c` -> ["a", "b c"]."""
        return [unquote(s) for s in self.path.strip("/").split("/") if s]

    def to_json(self) -> dict[str, Any]:
        """WireMock's LoggedRequest."""
        logged = datetime.fromtimestamp(self.logged_at, UTC)
        out: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "absoluteUrl": self.absolute_url,
            "method": self.method,
            "clientIp": self.client_ip,
            "headers": _multi_dict(self.headers.raw),
            "cookies": {k: v[0] if len(v) == 1 else v for k, v in self.cookies.items()},
            "browserProxyRequest": False,
            "loggedDate": int(self.logged_at * 1000),
            "loggedDateString": logged.strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{logged.microsecond // 1000:03d}Z",
            "bodyAsBase64": base64.b64encode(self.body).decode("ascii"),
            "body": self.text,
            "protocol": "HTTP/1.1",
            "scheme": "http",
            "queryParams": {k: {"key": k, "values": v} for k, v in self.query.items()},
            "formParams": {k: {"key": k, "values": v} for k, v in self.form.items()},
        }
        host, port = self.host_and_port()
        if host:
            out["host"], out["port"] = host, port
        return out

    def host_and_port(self) -> tuple[str, int]:
        """Where the request was sent: the absolute URL's host and port (80 if none)."""
        parts = urlsplit(self.absolute_url)
        try:
            port = parts.port
        except ValueError:
            port = None
        return parts.hostname or "", port or (443 if parts.scheme == "https" else 80)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReceivedRequest:
        """A request described the way WireMock's clients describe one (near-miss queries)."""
        headers: list[tuple[str, str]] = []
        for name, value in (data.get("headers") or {}).items():
            for item in value if isinstance(value, list) else [value]:
                headers.append((name, str(item)))
        if data.get("bodyAsBase64"):
            body = base64.b64decode(data["bodyAsBase64"])
        else:
            body = str(data.get("body") or "").encode("utf-8")
        url = str(data.get("url") or "/")
        absolute = str(data.get("absoluteUrl") or "")
        base = absolute.removesuffix(url) if absolute.endswith(url) else ""
        method = str(data.get("method") or "GET").upper()
        return cls(method, url, Headers(headers), body, base_url=base)


def _decoded(headers: Headers, body: bytes) -> bytes:
    encoding = headers.get("content-encoding")
    if encoding is None:
        return body
    encoding = encoding.strip().lower()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(body, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(body)
    except zlib.error:
        return body  # not what it claims to be: match the bytes as sent
    return body


def _multi_dict(raw: list[tuple[str, str]]) -> dict[str, str | list[str]]:
    out: dict[str, str | list[str]] = {}
    for name, value in raw:
        if name in out:
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    if not content_type.lower().startswith("multipart/"):
        return []
    boundary = ""
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.lower() == "boundary":
            boundary = value.strip('"')
    if not boundary:
        return []
    delimiter = b"--" + boundary.encode("latin-1")
    parts: list[Part] = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        trimmed = chunk.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, content = trimmed.partition(b"\r\n\r\n")
        if not sep:
            head, content = b"", head
        headers = []
        for line in head.decode("latin-1").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                headers.append((name.strip(), value.strip()))
        parts.append(Part(Headers(headers), content))
    return parts
