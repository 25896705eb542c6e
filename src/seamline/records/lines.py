"""The shape of every line in a record dir, its format version, and how old versions read.

Each `TypedDict` here is the one spelling of a line's field names: the writers build
them, the readers (journal queries, the report) read them, docs/architecture.md
("Record formats") documents them and tests/records pins all three together.
Changing a field bumps `FORMAT_VERSION` and teaches `upgrade` to read the old one.
"""

# No `from __future__ import annotations` here: on Python 3.11 a TypedDict only sees
# `NotRequired` in annotations that are evaluated, and `__optional_keys__` must be right.
from collections.abc import Callable
from typing import Any, Literal, NotRequired, TypedDict, cast, get_args

from seamline.errors import SeamlineError
from seamline.records.layout import DB_CHANGES, JOURNAL, MESSAGES, RUN_JSON, TESTS

# 2: a body no longer carries `json` (its parsed value); readers parse `text` (2026-11-25).
# `messages.jsonl` came later without a bump: it is a new file, older record dirs have none.
# 3: a message line carries `properties` (AMQP's basic properties and delivery) (2026-11-30).
FORMAT_VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
READABLE = ", ".join(map(str, READABLE_VERSIONS[:-1])) + f" and {READABLE_VERSIONS[-1]}"

Kind = Literal["run", "test", "exchange", "db_change", "message"]
# What became of an exchange on a seam.
Outcome = Literal["ok", "refused", "reset", "timeout", "fault", "error"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
# Where the seam sent it: the real provider, a stub, a recording; or a fault was injected.
Mode = Literal["real", "stub", "replay", "fault"]
MODES: tuple[Mode, ...] = get_args(Mode)


class BodyLine(TypedDict):
    """A request or response body: `text` when it is UTF-8, else `base64`; JSON stays text."""

    size: int  # the whole body's size; only the first `[seams] body_cap` bytes are kept
    truncated: bool
    text: str | None
    base64: str | None


class RequestLine(TypedDict):
    method: str
    target: str  # path and query as sent
    path: str
    query: dict[str, list[str]]
    http_version: str
    headers: list[tuple[str, str]]  # (name, value) in order and case as sent; arrays in JSON
    body: BodyLine


class ResponseLine(TypedDict):
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: BodyLine


class ViolationLine(TypedDict):
    seam: str
    operation: str  # "POST /charges", or the request line when no operation matched
    where: str  # request | response
    status: int | None
    pointer: str  # JSON pointer into the body, or a parameter / header label
    expected: str
    found: str
    message: str


class ExchangeLine(TypedDict):
    """One line of `journal.jsonl`: a request/response pair on a seam."""

    v: int
    seam: str  # "consumer -> provider"
    consumer: str
    provider: str
    seq: int  # 1, 2, ... in the order exchanges completed in this record dir
    test: str | None  # the pytest node id of the test it happened in
    mode: Mode
    outcome: Outcome
    error: str | None
    started: str
    ended: str
    mono: float
    duration_ms: float
    request: RequestLine
    response: ResponseLine | None  # None when no response came back
    # the injected fault's settings that are set: latency_ms, status, body, reset, timeout,
    # drop_after_bytes, rate
    fault: dict[str, Any] | None
    violations: list[ViolationLine]


class StartEvent(TypedDict):
    """A line of `tests.jsonl` written when a test starts."""

    v: int
    event: Literal["start"]
    test: str
    at: str
    mono: float


class EndEvent(TypedDict):
    """A line of `tests.jsonl` written when a test ends."""

    v: int
    event: Literal["end"]
    test: str
    outcome: str  # passed | failed | error | skipped | xfailed | xpassed
    at: str
    mono: float
    duration_s: float
    message: str
    longrepr: str


TestEvent = StartEvent | EndEvent  # no class named Test*: pytest would collect it


Direction = Literal["published", "delivered", "ack"]
AckOutcome = Literal["acked", "nacked", "rejected", "unacked"]


class MessageLine(TypedDict):
    """One line of `messages.jsonl`: a message on a broker link, or the ack of one.

    `published`: the seam's consumer sent it to the broker; `delivered`: the broker gave it
    to the seam's consumer. An `ack` line settles the delivered message with the same `id`
    on the same seam (readers fold it into that message's `ack`).
    """

    v: int
    seam: str  # "fulfilment -> bus"
    consumer: str
    provider: str
    protocol: str  # resp | nats | amqp
    direction: Direction
    seq: int
    test: str | None
    at: str
    mono: float
    subject: str | None  # channel, subject or routing key
    exchange: str | None  # AMQP only
    queue: str | None  # list, stream or queue
    id: str | None  # stream entry id or delivery tag: what an ack names
    headers: list[tuple[str, str]]
    # AMQP: the content header's basic properties but `headers` (content_type, correlation_id,
    # reply_to, delivery_mode, message_id, ...), its `channel`, and for a delivery its
    # `consumer_tag`, `delivery_tag` and `redelivered`; None for other protocols.
    properties: dict[str, Any] | None
    payload: BodyLine  # capped at `[seams] body_cap` as HTTP bodies are
    ack: AckOutcome | None  # None where the protocol has no acks (pub/sub, lists)
    task: dict[str, Any] | None  # a Celery task: name, id, retries, args, kwargs
    fault: str | None  # the fault applied to it: drop | delay | duplicate | reorder | cut
    problem: str | None  # why bytes could not be decoded (they were forwarded untouched)
    violations: list[ViolationLine]  # how it broke the broker's AsyncAPI document


ChangeOp = Literal["insert", "update", "delete", "truncate"]


class DbChangeLine(TypedDict):
    """One line of `db-changes.jsonl`: a row change captured in a test database."""

    v: int
    db: str  # the database service's name
    test: str | None
    seq: int  # the change's place in commit order, over the whole run
    table: str
    op: ChangeOp
    old: dict[str, Any] | None  # None for an insert
    new: dict[str, Any] | None  # None for a delete
    at: str


class ServiceInfo(TypedDict):
    kind: str
    url: str | None
    runs: str  # how it runs: a command line, a binary and its data dir, ...
    version: str | None
    ready_s: float | None


class SeamInfo(TypedDict):
    consumer: str
    provider: str
    variable: str | None


class RunInfo(TypedDict):
    """`run.json`: the system as it ran; `v` and `ended` are added when it is written."""

    v: NotRequired[int]
    system: str
    config: str
    profile: str | None
    run_id: str | None
    worker: str | None
    session: str | None  # the pytest session: xdist workers of one session share it
    started: str
    ended: NotRequired[str]
    seamline: str
    services: dict[str, ServiceInfo]
    seams: list[SeamInfo]  # the declared links
    # the declared links to brokers; a key of its own, so older readers see no HTTP seam in it
    # (run.json files written before it have none)
    message_seams: NotRequired[list[SeamInfo]]
    seams_used: list[str]  # the seams that carried traffic


class RecordVersionError(SeamlineError):
    """A record line of a format version this seamline cannot read."""

    def __init__(self, kind: Kind, version: object) -> None:
        self.kind = kind
        self.version = version
        super().__init__(
            f"{_WHAT[kind]} of format version {version!r}: this seamline reads versions "
            f"{READABLE}; read it with the seamline that wrote it (its run.json names it)"
        )


_WHAT: dict[Kind, str] = {
    "run": RUN_JSON,
    "test": f"a {TESTS} line",
    "exchange": f"a {JOURNAL} line",
    "db_change": f"a {DB_CHANGES} line",
    "message": f"a {MESSAGES} line",
}


def version_of(record: dict[str, Any]) -> object:
    # Lines written before the field existed are version 1.
    return record.get("v", 1)


def upgrade(kind: Kind, record: dict[str, Any]) -> dict[str, Any]:
    """`record` in the current format; RecordVersionError if its version is not readable.

    The record is changed in place (readers own what they parsed) and returned.
    """
    version = version_of(record)
    if version == FORMAT_VERSION:
        return record
    if version not in READABLE_VERSIONS:
        raise RecordVersionError(kind, version)
    for since, step in _STEPS[kind]:
        if isinstance(version, int) and version < since:
            step(record)
    record["v"] = FORMAT_VERSION
    return record


def _v1_exchange(record: dict[str, Any]) -> None:
    for message in (record.get("request"), record.get("response")):
        body = message.get("body") if isinstance(message, dict) else None
        if isinstance(body, dict):
            body.pop("json", None)  # its `text` is always there when `json` was


def _v2_message(record: dict[str, Any]) -> None:
    record.setdefault("properties", None)  # only AMQP has them, and it came with version 3


# What reading an older line of each kind takes: (the version that changed it, the step).
_STEPS: dict[Kind, tuple[tuple[int, Callable[[dict[str, Any]], None]], ...]] = {
    "run": (),
    "test": (),
    "exchange": ((2, _v1_exchange),),
    "db_change": (),
    "message": ((3, _v2_message),),
}


def as_exchange(record: dict[str, Any]) -> ExchangeLine:
    return cast(ExchangeLine, upgrade("exchange", record))


def as_test_event(record: dict[str, Any]) -> TestEvent:
    return cast(TestEvent, upgrade("test", record))


def as_db_change(record: dict[str, Any]) -> DbChangeLine:
    return cast(DbChangeLine, upgrade("db_change", record))


def as_run(record: dict[str, Any]) -> RunInfo:
    return cast(RunInfo, upgrade("run", record))


def as_message(record: dict[str, Any]) -> MessageLine:
    return cast(MessageLine, upgrade("message", record))
