"""Service kinds by name: the implementation `config.model.SERVICE_KINDS` names for each."""

from __future__ import annotations

import importlib

from seamline.config.model import SERVICE_KINDS, ServiceSpec
from seamline.services.base import AnyService, RunContext, Service


def create_service(name: str, spec: ServiceSpec, ctx: RunContext) -> AnyService:
    """The Service that runs `spec`'s kind, not started yet."""
    module, _, cls = SERVICE_KINDS[spec.kind].service.partition(":")
    kind: type[Service[ServiceSpec]] = getattr(importlib.import_module(module), cls)
    return kind(name, spec, ctx)
