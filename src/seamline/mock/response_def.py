"""The `response` part of a stub mapping, and how it becomes bytes on the wire.

A response that needs no templating, file, delay or fault is built once and
reused for every request (the fast path); the others are built per request.
Several body fields may be given, as WireMock allows: `body` wins, then `jsonBody`,
`base64Body`, `bodyFileName`. A `bodyFileName` that cannot be read answers 500, as
WireMock's does; the transformer parameter `disableBodyFileTemplating` serves the
file as it is while the rest of the response is still templated.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import math
import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from seamline.http.message import RawConnection, RawReply, Response
from seamline.http.wire import REASONS
from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.proxying import PROXY_KEYS, ProxySpec
from seamline.mock.templating import compile_template, request_context

RESPONSE_KEYS = frozenset({
    "status", "statusMessage", "headers", "body", "jsonBody", "base64Body", "bodyFileName",
    "fixedDelayMilliseconds", "delayDistribution", "chunkedDribbleDelay", "fault",
    "transformers", "transformerParameters", "additionalProxyRequestHeaders", "fromConfiguredStub",
}) | PROXY_KEYS  # fmt: skip
FAULTS = (
    "CONNECTION_RESET_BY_PEER",
    "EMPTY_RESPONSE",
    "MALFORMED_RESPONSE_CHUNK",
    "RANDOM_DATA_THEN_CLOSE",
)
GARBAGE = b"lskdu018973t09sylgasjkfg1][]'./.sdlv"


def sample_delay(spec: dict[str, Any] | None) -> float:
    """Milliseconds drawn from a WireMock `delayDistribution`."""
    if not spec:
        return 0.0
    kind = spec.get("type")
    if kind == "uniform":
        return random.uniform(float(spec["lower"]), float(spec["upper"]))
    if kind == "lognormal":
        median, sigma = float(spec["median"]), float(spec.get("sigma", 0.1))
        value = random.lognormvariate(math.log(median), sigma)
        return min(value, float(spec.get("maxValue", value)))
    if kind == "fixed":
        return float(spec["milliseconds"])
    return 0.0


def check_delay_distribution(spec: Any, where: str) -> None:
    needs = {"uniform": ("lower", "upper"), "lognormal": ("median",), "fixed": ("milliseconds",)}
    if not isinstance(spec, dict) or spec.get("type") not in needs:
        raise InvalidMapping(
            where,
            f'expected {{"type": "uniform"|"lognormal"|"fixed", ...}}, found {json.dumps(spec)}',
        )
    for key in needs[spec["type"]]:
        if not isinstance(spec.get(key), (int, float)):
            raise InvalidMapping(
                f"{where}.{key}", f"expected a number, found {json.dumps(spec.get(key))}"
            )


class ResponseDefinition:
    def __init__(
        self,
        spec: Any,
        where: str = "response",
        files: Path | None = None,
        path_template: str | None = None,
    ) -> None:
        if not isinstance(spec, dict):
            raise InvalidMapping(where, f"expected an object, found {json.dumps(spec)}")
        unknown = sorted(set(spec) - RESPONSE_KEYS)
        if unknown:
            raise InvalidMapping(
                f"{where}.{unknown[0]}", f"unknown response field {unknown[0]!r}",
                f"use one of: {', '.join(sorted(RESPONSE_KEYS))}",
            )  # fmt: skip
        self.spec = spec
        self.where = where
        self.files = files
        self.path_template = path_template  # names {{request.path.<name>}} in templates
        self.status = _int(spec.get("status", 200), f"{where}.status", 100, 999)
        self.status_message = spec.get("statusMessage")
        self.headers = _headers(spec.get("headers", {}), f"{where}.headers")
        self.body = self._body(spec, where)
        self.body_file = spec.get("bodyFileName") if self.body is None else None
        self.fixed_delay = float(
            _int(spec.get("fixedDelayMilliseconds", 0), f"{where}.fixedDelayMilliseconds", 0)
        )
        self.distribution = spec.get("delayDistribution")
        if self.distribution is not None:
            check_delay_distribution(self.distribution, f"{where}.delayDistribution")
        self.dribble = self._dribble(
            spec.get("chunkedDribbleDelay"), f"{where}.chunkedDribbleDelay"
        )
        self.fault = spec.get("fault")
        self.proxy = ProxySpec.parse(spec, where)
        if self.fault is not None and self.fault not in FAULTS:
            raise InvalidMapping(
                f"{where}.fault", f"expected one of {list(FAULTS)}, found {self.fault!r}"
            )
        transformers = spec.get("transformers", [])
        if not isinstance(transformers, list):
            raise InvalidMapping(
                f"{where}.transformers", f"expected a list, found {transformers!r}"
            )
        self.templated = "response-template" in transformers
        self.parameters = spec.get("transformerParameters") or {}
        # a transformer parameter in WireMock, not a response field
        self.file_templating = not self.parameters.get("disableBodyFileTemplating")
        if self.templated:  # compile now, so a broken template is a load error, not a 500
            for text in [
                self._body_text() or "",
                *(v for _, v in self.headers),
                str(self.body_file or ""),
            ]:
                compile_template(text, where)

    @staticmethod
    def _body(spec: dict[str, Any], where: str) -> bytes | None:
        if spec.get("body") is not None:
            if not isinstance(spec["body"], str):
                raise InvalidMapping(
                    f"{where}.body", "expected a string (use jsonBody for JSON values)"
                )
            return spec["body"].encode("utf-8")
        if spec.get("jsonBody") is not None:
            return json.dumps(spec["jsonBody"], separators=(",", ":"), ensure_ascii=False).encode()
        if spec.get("base64Body") is not None:
            try:
                return base64.b64decode(spec["base64Body"], validate=True)
            except (binascii.Error, TypeError) as exc:
                raise InvalidMapping(
                    f"{where}.base64Body", f"expected base64 text: {exc}"
                ) from None
        return None

    @staticmethod
    def _dribble(spec: Any, where: str) -> tuple[int, float] | None:
        if spec is None:
            return None
        if not isinstance(spec, dict):
            raise InvalidMapping(where, 'expected {"numberOfChunks": N, "totalDuration": ms}')
        chunks = _int(spec.get("numberOfChunks"), f"{where}.numberOfChunks", 1)
        return chunks, float(_int(spec.get("totalDuration"), f"{where}.totalDuration", 0))

    def _body_text(self) -> str | None:
        return None if self.body is None else self.body.decode("utf-8", "replace")

    @property
    def static(self) -> bool:
        """True when every request gets exactly the same bytes at once."""
        plain = not (self.templated or self.body_file or self.fault or self.dribble or self.proxy)
        return plain and not self.fixed_delay and self.distribution is None

    def delay_ms(self) -> float:
        return self.fixed_delay + sample_delay(self.distribution)

    def build(
        self, request: ReceivedRequest, extra: list[tuple[str, str]], templating: bool
    ) -> Response | RawReply:
        if self.fault is not None:
            return RawReply(_FAULT_ACTIONS[self.fault])
        templated = templating or self.templated
        context = request_context(request, self.parameters, self.path_template) if templated else {}

        def render(text: str) -> str:
            return compile_template(text, self.where).render(context) if templated else text

        headers = [(name, render(value)) for name, value in self.headers] + extra
        body = self.body or b""
        if self.body_file:
            found = self._read_file(render(str(self.body_file)))
            if isinstance(found, str):
                return Response(
                    500, [("Content-Type", "text/plain; charset=utf-8")], found.encode()
                )
            body = found
            if templated and self.file_templating:
                body = render(body.decode("utf-8", "replace")).encode()
        elif templated and self.body:
            body = render(self.body.decode("utf-8", "replace")).encode()
        response = Response(self.status, headers, body, self.status_message)
        if self.dribble is not None:
            response.body = _dribble(body, *self.dribble)
        return response

    def _read_file(self, name: str) -> bytes | str:
        """The file's bytes, or why it cannot be served (then the answer is a 500)."""
        root = self.files or Path("__files")
        path = (root / name).resolve()
        if not path.is_relative_to(root.resolve()):
            return f"bodyFileName {name!r} points outside {root}\n"
        try:
            return path.read_bytes()
        except OSError as exc:
            return f"bodyFileName {name!r} cannot be read from {root}: {exc.strerror}\n"

    def reason(self) -> str | None:
        return self.status_message if self.status_message else REASONS.get(self.status)


async def _dribble(body: bytes, chunks: int, total_ms: float) -> AsyncIterator[bytes]:
    size = max(1, math.ceil(len(body) / chunks))
    pause = total_ms / 1000 / chunks
    for start in range(0, len(body), size):
        yield body[start : start + size]
        await asyncio.sleep(pause)


async def _reset(conn: RawConnection) -> None:
    conn.reset()


async def _empty(conn: RawConnection) -> None:
    conn.close()


async def _malformed_chunk(conn: RawConnection) -> None:
    conn.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + GARBAGE)
    await conn.drain()
    conn.close()


async def _random_then_close(conn: RawConnection) -> None:
    conn.write(GARBAGE)
    await conn.drain()
    conn.close()


_FAULT_ACTIONS = {
    "CONNECTION_RESET_BY_PEER": _reset,
    "EMPTY_RESPONSE": _empty,
    "MALFORMED_RESPONSE_CHUNK": _malformed_chunk,
    "RANDOM_DATA_THEN_CLOSE": _random_then_close,
}


def _int(value: Any, where: str, low: int, high: int | None = None) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # WireMock (Jackson) reads "201" as 201
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high and value > high)
    ):
        bound = f" between {low} and {high}" if high else f" >= {low}"
        raise InvalidMapping(where, f"expected an integer{bound}, found {json.dumps(value)}")
    return value


def _headers(spec: Any, where: str) -> list[tuple[str, str]]:
    if not isinstance(spec, dict):
        raise InvalidMapping(
            where, f"expected an object of name -> value, found {json.dumps(spec)}"
        )
    out: list[tuple[str, str]] = []
    for name, value in spec.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, (str, int, float)) or isinstance(item, bool):
                raise InvalidMapping(
                    f"{where}.{name}", f"expected a string or list of strings, found {item!r}"
                )
            out.append((name, str(item)))
    return out
