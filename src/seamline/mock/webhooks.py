"""Webhooks: a stub that, once it has answered, calls another URL (WireMock's `webhook`).

    "serveEventListeners": [{
        "name": "webhook",
        "parameters": {
            "method": "POST", "url": "http://127.0.0.1:9000/callbacks",
            "headers": {"Content-Type": "application/json"},
            "body": "{\\"order\\": \\"{{jsonPath originalRequest.body '$.id'}}\\"}",
            "delay": {"type": "fixed", "milliseconds": 200}
        }
    }]

The legacy `postServeActions` form (a list of `{name, parameters}`, or `{"webhook": {...}}`)
is read the same way. As in WireMock, `url`, `method`, header values and a text body are
templates over `originalRequest` (the request model of response templates) and
`parameters`; a `base64Body` or `bodyFileName` is sent as it is. The call runs on the
server's loop after the response has been written, after its `delay`; its outcome is
logged, never raised: a webhook that fails does not fail the stub.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seamline.http.client import HttpClient, UpstreamError
from seamline.mock.errors import InvalidMapping
from seamline.mock.incoming import ReceivedRequest
from seamline.mock.response_def import check_delay_distribution, sample_delay
from seamline.mock.templating import compile_template, request_context

log = logging.getLogger("seamline.mock.webhooks")

WEBHOOK = "webhook"
_PARAMETER_KEYS = frozenset(
    {"method", "url", "headers", "body", "jsonBody", "base64Body", "bodyFileName", "delay"}
)


@dataclass(frozen=True)
class Webhook:
    """One webhook of a stub, as written in its mapping."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    raw_body: bytes | None
    body_file: str | None
    delay: dict[str, Any] | None
    parameters: dict[str, Any]
    where: str

    def render(
        self, request: ReceivedRequest, files: Path | None
    ) -> tuple[str, str, list[tuple[str, str]], bytes]:
        """(method, url, headers, body) with the templates filled in from `request`."""
        model = request_context(request, self.parameters)
        model["originalRequest"] = model.pop("request")

        def fill(text: str) -> str:
            return compile_template(text, self.where).render(model)

        headers = [(name, fill(value)) for name, value in self.headers]
        body = self.raw_body or b""
        if self.body is not None:
            body = fill(self.body).encode("utf-8")
        elif self.body_file is not None:
            body = ((files or Path("__files")) / self.body_file).read_bytes()
        return fill(self.method).upper(), fill(self.url), headers, body


def parse_webhooks(spec: dict[str, Any], where: str) -> tuple[Webhook, ...]:
    """The webhooks of a mapping (`serveEventListeners` and `postServeActions`)."""
    found: list[Webhook] = []
    for key in ("serveEventListeners", "postServeActions"):
        for at, name, parameters in _listeners(spec.get(key), f"{where}.{key}"):
            if name != WEBHOOK:
                # WireMock loads a mapping naming an extension it lacks, and ignores it
                log.warning("%s: listener %r ignored: only %r runs here", at, name, WEBHOOK)
                continue
            found.append(_webhook(parameters, f"{at}.parameters"))
    return tuple(found)


def _listeners(value: Any, where: str) -> list[tuple[str, Any, Any]]:
    if value is None:
        return []
    if isinstance(value, dict):  # the oldest form: {"webhook": {...parameters}}
        return [(f"{where}.{name}", name, parameters) for name, parameters in value.items()]
    if not isinstance(value, list):
        raise InvalidMapping(where, f"expected a list of listeners, found {json.dumps(value)}")
    out = []
    for index, item in enumerate(value):
        at = f"{where}[{index}]"
        if not isinstance(item, dict) or "name" not in item:
            raise InvalidMapping(at, 'expected {"name": "webhook", "parameters": {...}}')
        out.append((at, item["name"], item.get("parameters", {})))
    return out


def _webhook(parameters: Any, where: str) -> Webhook:
    if not isinstance(parameters, dict):
        raise InvalidMapping(where, f"expected an object, found {json.dumps(parameters)}")
    url = parameters.get("url")
    if not isinstance(url, str) or not url:
        raise InvalidMapping(f"{where}.url", f"expected the URL to call, found {json.dumps(url)}")
    headers = parameters.get("headers") or {}
    if not isinstance(headers, dict):
        raise InvalidMapping(f"{where}.headers", "expected an object of name -> value")
    pairs = [
        (str(name), str(item))
        for name, value in headers.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    delay = parameters.get("delay")
    if delay is not None:
        check_delay_distribution(delay, f"{where}.delay")
    body = parameters.get("body")
    if "jsonBody" in parameters:
        body = json.dumps(parameters["jsonBody"], separators=(",", ":"), ensure_ascii=False)
    templates = [url, str(parameters.get("method", "POST")), *(v for _, v in pairs), body or ""]
    for text in templates:  # a broken template is a load error, not a silent webhook failure
        compile_template(text, where)
    extra = {k: v for k, v in parameters.items() if k not in _PARAMETER_KEYS}
    return Webhook(
        method=str(parameters.get("method", "POST")),
        url=url,
        headers=tuple(pairs),
        body=body if isinstance(body, str) else None,
        raw_body=_base64(parameters.get("base64Body"), f"{where}.base64Body"),
        body_file=parameters.get("bodyFileName"),
        delay=delay,
        parameters=extra,
        where=where,
    )


def _base64(value: Any, where: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise InvalidMapping(where, f"expected base64 text: {exc}") from None


class WebhookSender:
    """Fires webhooks on the server's loop; keeps the tasks so none is collected early."""

    def __init__(self, files: Path | None) -> None:
        self.files = files
        self._client: HttpClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.tls: ssl.SSLContext | None = None  # as Forwarder.tls, for https:// webhooks

    def fire(self, request: ReceivedRequest, webhooks: tuple[Webhook, ...]) -> None:
        """Schedule each webhook; the task first runs after the current reply is written."""
        for webhook in webhooks:
            task = asyncio.get_running_loop().create_task(self._send(request, webhook))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _send(self, request: ReceivedRequest, webhook: Webhook) -> None:
        try:
            method, url, headers, body = webhook.render(request, self.files)
        except (InvalidMapping, OSError) as exc:
            log.warning("webhook at %s not sent: %s", webhook.where, exc)
            return
        delay = sample_delay(webhook.delay)
        if delay > 0:
            await asyncio.sleep(delay / 1000)
        if self._client is None:
            self._client = HttpClient(tls=self.tls)
        try:
            answer = await self._client.request(method, url, headers, body)
            await answer.read()
        except (UpstreamError, ValueError) as exc:
            log.warning("webhook %s %s failed: %s", method, url, exc)
            return
        log.info("webhook %s %s returned status %s", method, url, answer.status)

    async def close(self) -> None:
        """Cancel webhooks still waiting on their delay, and close the client."""
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        client, self._client = self._client, None
        if client is not None:
            await client.close()
