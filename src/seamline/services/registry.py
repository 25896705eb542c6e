"""Service kinds by name."""

from __future__ import annotations

import importlib
from typing import Any

from seamline.services.base import RunContext, Service

KINDS = {
    "process": "seamline.services.process:ProcessService",
    "sqlite": "seamline.services.sqlite:SqliteService",
    "postgres": "seamline.services.postgres:PostgresService",
    "redis": "seamline.services.redis:RedisService",
    "rabbitmq": "seamline.services.rabbitmq:RabbitMQService",
    "nats": "seamline.services.nats:NatsService",
    "mock": "seamline.services.mock:MockService",
    "external": "seamline.services.external:ExternalService",
}


def create_service(name: str, spec: Any, ctx: RunContext) -> Service:
    module, _, cls = KINDS[spec.kind].partition(":")
    kind: type[Service] = getattr(importlib.import_module(module), cls)
    return kind(name, spec, ctx)
