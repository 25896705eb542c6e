"""The message journal: every message on the broker links of a run, on disk and in memory.

Like the exchange journal, each message is serialized once and written through to
`messages.jsonl` as it is added; memory keeps the serialized lines, and queries turn them back
into `Message` objects with their acks settled. The seams add messages in batches, off their
forwarding path (seams/message_capture.py): every read first calls `catch_up`, so it sees all
that crossed before it began.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import orjson

from seamline.records.lines import MessageLine, as_message
from seamline.records.message import Message, settle_acks
from seamline.records.writer import LineWriter


class MessageJournal:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._lines: list[tuple[str, str | None, bytes]] = []  # seam, test, the JSON line
        self._file = LineWriter(path) if path is not None else None
        self.catch_up: Callable[[], None] = lambda: None  # decodes what crossed, not yet added

    def add(self, message: Message) -> Message:
        self.add_all([message])
        return message

    def add_all(self, messages: list[Message]) -> None:
        with self._lock:
            for message in messages:
                message.seq = len(self._lines) + 1
                line = orjson.dumps(message.to_json()) + b"\n"
                self._lines.append((message.seam, message.test, line))
                if self._file is not None:
                    self._file.write_encoded(line)

    def __len__(self) -> int:
        self.catch_up()
        return len(self._lines)

    def select(self, *, provider: str | None = None, test: str | None = None) -> list[Message]:
        """Messages on links into `provider` / in `test`, in the order they crossed."""
        self.catch_up()
        with self._lock:
            lines = list(self._lines)
        # acks are matched on every line of the seam: a test may ack what an earlier one got
        records: list[MessageLine] = [as_message(orjson.loads(line)) for _, _, line in lines]
        return [
            Message.from_json(record)
            for record in settle_acks(records)
            if (provider is None or record["provider"] == provider)
            and (test is None or record["test"] == test)
        ]

    def close(self) -> None:
        self.catch_up()
        with self._lock:
            if self._file is not None:
                self._file.close()
