"""Environment values that name another compose service by host, turned into templates.

`http://payments:8000/v1` -> `{payments.url}/v1`, `postgres://u:pw@db:5432/app` -> `{db.dsn}`,
`redis://cache:6379/0` -> `{cache.url}`, `amqp://u:pw@bus:5672` -> `{bus.url}`: each becomes a
link, so seamline puts a seam on it. Everything else is kept, its braces escaped.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# the attribute a URL of this scheme becomes, per provider kind
_SCHEME_ATTRIBUTES: dict[str, dict[str, str]] = {
    "postgres": {"postgres": "dsn", "postgresql": "dsn"},
    "redis": {"redis": "url"},
    "rabbitmq": {"amqp": "url", "http": "management_url"},
    "nats": {"nats": "url"},
}
_HTTP_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def escape(value: str) -> str:
    """A literal value in a seamline template: `{` and `}` doubled."""
    return value.replace("{", "{{").replace("}", "}}")


def linked_value(value: str, kinds: dict[str, str | None], own: str) -> tuple[str, str]:
    """(template, comment): the value with a link to another service as a template."""
    host, _, port = value.partition(":")
    if host in kinds and host != own and (not port or port.isdigit()):
        return _host_port(host, port, kinds[host], value)
    try:
        parts = urlsplit(value)
        target = parts.hostname
    except ValueError:
        return escape(value), ""
    if not parts.scheme or target not in kinds or target == own:
        return escape(value), ""
    kind = kinds[target]
    if kind is None:
        return escape(value), f"TODO: points at {target}, which has no native kind yet"
    scheme = parts.scheme.split("+")[0].lower()
    if parts.password:  # the comment keeps where the link went, not the secret
        value = value.replace(f":{parts.password}@", ":***@", 1)
    rest = escape(parts.path.rstrip("/") if kind in ("process", "mock") else "")
    rest += escape(f"?{parts.query}" if parts.query else "")
    if kind in ("process", "mock") and scheme in _HTTP_SCHEMES:
        return f"{{{target}.url}}{rest}", f"was {value}"
    if kind == "postgres" and "+" in parts.scheme:
        return f"{{{target}.url}}{rest}", f"was {value} (SQLAlchemy's form)"
    if kind == "redis" and parts.path not in ("", "/", "/0"):
        return f"redis://{{{target}.host}}:{{{target}.port}}{escape(parts.path)}", f"was {value}"
    attribute = _SCHEME_ATTRIBUTES.get(kind, {}).get(scheme)
    if attribute is None:
        return f"{{{target}.host}}:{{{target}.port}}", f"was {value}: check the scheme"
    return f"{{{target}.{attribute}}}{rest}", f"was {value}"


def _host_port(host: str, port: str, kind: str | None, value: str) -> tuple[str, str]:
    if kind is None:
        return escape(value), f"TODO: points at {host}, which has no native kind yet"
    template = f"{{{host}.host}}" + (f":{{{host}.port}}" if port else "")
    return template, f"was {value}"
