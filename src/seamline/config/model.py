"""The shape of `seamline.toml`, validated by pydantic.

Each service kind has its own model with unknown keys forbidden, so a typo such
as `comand` is caught; `load.py` turns pydantic's errors into messages with the
file, line, expected and found values, and a fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from seamline.config.probes import Probe, parse_probe

# How a test database is put back to its starting data between tests (docs/db.md).
Isolation = Literal["auto", "truncate", "template", "none"]
# What a Redis service does between tests: `flush` empties it (FLUSHALL), `none` keeps it.
RedisIsolation = Literal["flush", "none"]
# What a broker does between tests: `purge` empties its queues or streams, `none` keeps them.
BrokerIsolation = Literal["purge", "none"]
# The service kinds; SERVICE_KINDS below says everything seamline knows about each one.
Kind = Literal["process", "sqlite", "postgres", "redis", "rabbitmq", "nats", "mock", "external"]

# What `{name.attr}` may name, per kind. `url` is the seam proxy's address for the
# service that uses it; `direct_url` bypasses the seam; `browser_url` is the address
# of the `browser -> name` seam, for pages whose browser calls the service.
_HTTP_ATTRIBUTES = frozenset({"url", "direct_url", "browser_url", "host", "port", "name"})
# a `kind = "mock"` service with `https = true` has these too
HTTPS_ATTRIBUTES = frozenset({"https_url", "https_port", "ca"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaseServiceSpec(_Strict):
    """What every service kind's table may hold."""

    env: dict[str, str] = Field(default_factory=dict)
    depends_on: list[str] = Field(default_factory=list)
    ready: Probe | None = None
    ready_timeout: Annotated[float, Field(gt=0, le=600)] = 30.0
    # The provider's OpenAPI document: every exchange on a seam into it is validated.
    openapi: Path | None = None
    # WireMock mappings that stand in for this service when a seam into it is stubbed.
    stubs: Path | None = None

    @field_validator("ready", mode="before")
    @classmethod
    def _parse_ready(cls, value: Any) -> Any:
        return parse_probe(value)


class ProcessSpec(BaseServiceSpec):
    kind: Literal["process"] = "process"
    command: str | list[str]
    workdir: Path | None = None
    port: Annotated[int, Field(ge=0, le=65535)] = 0
    stop_timeout: Annotated[float, Field(gt=0, le=120)] = 5.0


class SqliteSpec(BaseServiceSpec):
    kind: Literal["sqlite"]
    schema_: Path | None = Field(default=None, alias="schema")
    seed: Path | str | None = None
    isolation: Isolation | None = None  # overrides the system's `isolation`


class PostgresSpec(BaseServiceSpec):
    kind: Literal["postgres"]
    schema_: Path | None = Field(default=None, alias="schema")
    seed: Path | str | None = None
    database: str = "app"
    user: str = "seamline"
    version: int | None = None
    bindir: Path | None = None
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    port: Annotated[int, Field(ge=0, le=65535)] = 0
    isolation: Isolation | None = None  # overrides the system's `isolation`


class _BrokerBase(BaseServiceSpec):
    # The broker's AsyncAPI (2.x or 3.0) document: every message on a seam into it is validated
    # against its channel's message (docs/contracts.md).
    asyncapi: Path | None = None


class RedisSpec(_BrokerBase):
    kind: Literal["redis"]
    port: Annotated[int, Field(ge=0, le=65535)] = 0
    settings: dict[str, str | int] = Field(default_factory=dict)
    # unset: "flush", or "none" when the system's `isolation` is "none"
    isolation: RedisIsolation | None = None


class RabbitMQSpec(_BrokerBase):
    kind: Literal["rabbitmq"]
    port: Annotated[int, Field(ge=0, le=65535)] = 0
    # The management plugin serves `management_url` and lists the queues to purge.
    management: bool = True
    # rabbitmq.conf keys (https://www.rabbitmq.com/configure.html), such as
    # "vm_memory_high_watermark.relative" = 0.2
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    # unset: "purge", or "none" when the system's `isolation` is "none"
    isolation: BrokerIsolation | None = None
    # A node boots in 3-4 s of CPU, 5-8 s on a busy 2-core machine.
    ready_timeout: Annotated[float, Field(gt=0, le=600)] = 60.0

    @model_validator(mode="after")
    def _purge_needs_management(self) -> RabbitMQSpec:
        if not self.management and self.isolation != "none":
            raise ValueError(
                'expected management = true, or isolation = "none" with management = false '
                "(the management plugin lists the queues that are purged between tests)"
            )
        return self


class NatsSpec(_BrokerBase):
    kind: Literal["nats"]
    port: Annotated[int, Field(ge=0, le=65535)] = 0
    jetstream: bool = True
    # unset: "purge", or "none" when the system's `isolation` is "none"
    isolation: BrokerIsolation | None = None


class MockSpec(BaseServiceSpec):
    kind: Literal["mock"]
    mappings: Path | None = None
    port: Annotated[int, Field(ge=0, le=65535)] = 0
    # Also serve HTTPS, with a certificate made at start: {name.https_url}, {name.ca}.
    https: bool = False
    https_port: Annotated[int, Field(ge=0, le=65535)] = 0


class ExternalSpec(BaseServiceSpec):
    kind: Literal["external"]
    url: str
    allow_remote: bool = False


@dataclass(frozen=True)
class KindInfo:
    """One service kind: its config model, its implementation, what templates may name."""

    spec: type[BaseServiceSpec]
    # "module:Class" of the Service that runs it, imported only when one is started
    service: str
    attributes: frozenset[str]
    # speaks HTTP: every link into it gets a seam proxy
    http: bool = False
    # a database: `system.db(name)` attaches to it
    database: bool = False
    # a broker: the wire protocol its message seams decode (links to it carry messages)
    broker: str | None = None


SERVICE_KINDS: dict[Kind, KindInfo] = {
    "process": KindInfo(
        ProcessSpec, "seamline.services.process:ProcessService", _HTTP_ATTRIBUTES, http=True
    ),
    "sqlite": KindInfo(
        SqliteSpec,
        "seamline.services.sqlite:SqliteService",
        frozenset({"url", "path", "name"}),
        database=True,
    ),
    "postgres": KindInfo(
        PostgresSpec,
        "seamline.services.postgres:PostgresService",
        frozenset({"url", "dsn", "host", "port", "user", "password", "database", "name"}),
        database=True,
    ),
    "redis": KindInfo(
        RedisSpec,
        "seamline.services.redis:RedisService",
        frozenset({"url", "host", "port", "name"}),
        broker="resp",
    ),
    "rabbitmq": KindInfo(
        RabbitMQSpec,
        "seamline.services.rabbitmq:RabbitMQService",
        frozenset({"url", "amqp_url", "management_url", "host", "port", "name"}),
        broker="amqp",
    ),
    "nats": KindInfo(
        NatsSpec,
        "seamline.services.nats:NatsService",
        frozenset({"url", "host", "port", "name"}),
        broker="nats",
    ),
    "mock": KindInfo(
        MockSpec,
        "seamline.services.mock:MockService",
        _HTTP_ATTRIBUTES | HTTPS_ATTRIBUTES,
        http=True,
    ),
    "external": KindInfo(
        ExternalSpec, "seamline.services.external:ExternalService", _HTTP_ATTRIBUTES, http=True
    ),
}
KINDS: tuple[Kind, ...] = get_args(Kind)
ATTRIBUTES: dict[str, frozenset[str]] = {
    kind: info.attributes for kind, info in SERVICE_KINDS.items()
}
HTTP_KINDS = frozenset(kind for kind, info in SERVICE_KINDS.items() if info.http)
DATABASE_KINDS = frozenset(kind for kind, info in SERVICE_KINDS.items() if info.database)
# Service kinds a message seam can carry, and the protocol it decodes on them.
BROKER_PROTOCOLS: dict[str, str] = {
    kind: info.broker for kind, info in SERVICE_KINDS.items() if info.broker
}
# The attributes of a broker that lead through its consumer's message seam.
BROKER_SEAM_ATTRIBUTES = ("url", "amqp_url", "port")

ServiceSpec = Annotated[
    ProcessSpec
    | SqliteSpec
    | PostgresSpec
    | RedisSpec
    | RabbitMQSpec
    | NatsSpec
    | MockSpec
    | ExternalSpec,
    Field(discriminator="kind"),
]


class SeamsSpec(_Strict):
    body_cap: Annotated[int, Field(ge=0)] = 64 * 1024
    stream_above: Annotated[int, Field(ge=0)] = 1024 * 1024
    timeout: Annotated[float, Field(gt=0)] = 120.0
    via: bool = False
    journal_in_memory: Annotated[int, Field(ge=100)] = 20_000
    # what seams between services do when a run starts: `replay` serves each seam's recording
    # (recordings.dir), `record-missing` too, forwarding what is not recorded and adding it
    mode: Literal["real", "replay", "record-missing"] = "real"


class RecordingsSpec(_Strict):
    # where `seamline record` stores each seam's WireMock mappings (<dir>/<consumer>__<provider>)
    dir: Path = Path("recordings")
    # names of volatile fields (JSON body fields at any depth, query parameters, headers) that
    # recorded requests match whatever their value, and drift ignores; the providers' OpenAPI
    # adds uuid / date-time / readOnly fields on its own
    ignore: list[str] = Field(default_factory=list)


class ReportSpec(_Strict):
    # Names (of headers, JSON fields, query params, columns) whose values the report masks:
    # `secret_names` replaces seamline's list, `extra_secret_names` adds to it.
    secret_names: list[str] | None = None
    extra_secret_names: list[str] = Field(default_factory=list)


class SystemSpec(_Strict):
    name: str = "system"
    services: dict[str, ServiceSpec] = Field(default_factory=dict)
    isolation: Isolation = "auto"
    contracts: Literal["fail", "warn", "off"] = "fail"
    seams: SeamsSpec = Field(default_factory=SeamsSpec)
    report: ReportSpec = Field(default_factory=ReportSpec)
    recordings: RecordingsSpec = Field(default_factory=RecordingsSpec)
    run_root: Path | None = None
    keep_runs: Annotated[int, Field(ge=0)] = 10
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
