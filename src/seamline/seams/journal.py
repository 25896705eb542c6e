"""The journal: every exchange of a run, on disk (complete) and in memory (bounded).

Each exchange is serialized once, when it completes, and written to
`journal.jsonl` in the record dir at once, so nothing is lost when a test fails or
the run is killed. Memory keeps the last `max_in_memory` of those serialized lines
(one bytes object each, cheap for the garbage collector), indexed by seam and
test; queries turn the lines they need back into `Exchange` objects, and read
evicted ones back from the file.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

from seamline.records.exchange import Exchange
from seamline.records.reader import exchange_of
from seamline.records.writer import LineWriter

DEFAULT_MAX_IN_MEMORY = 20_000

Stored = tuple[str, str | None, bytes]  # seam, test, the JSON line


class Journal:
    def __init__(self, path: Path | None, max_in_memory: int = DEFAULT_MAX_IN_MEMORY) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._recent: deque[Stored] = deque(maxlen=max_in_memory)
        self._count = 0
        self._file = LineWriter(path) if path is not None else None

    def add(self, exchange: Exchange) -> Exchange:
        """Give the exchange its sequence number, write it through, keep it."""
        with self._lock:
            self._count += 1
            exchange.seq = self._count
            # the concatenation also trims the 16 KiB buffer orjson's result comes in
            line = orjson.dumps(exchange.to_json()) + b"\n"
            self._recent.append((exchange.seam, exchange.test, line))
            if self._file is not None:
                self._file.write_encoded(line)
        return exchange

    def __len__(self) -> int:
        return self._count

    def select(
        self,
        predicate: Callable[[Exchange], bool] | None = None,
        *,
        seam: str | None = None,
        test: str | None = None,
    ) -> list[Exchange]:
        """Exchanges on `seam` / in `test` / matching `predicate`, in sequence order."""
        with self._lock:
            recent = list(self._recent)
            evicted = self._count - len(recent)
        lines = [
            line
            for s, t, line in recent
            if (seam is None or s == seam) and (test is None or t == test)
        ]
        found = [exchange_of(line) for line in lines]
        if evicted:
            older = [
                e
                for e in self._read_first(evicted)
                if (seam is None or e.seam == seam) and (test is None or e.test == test)
            ]
            found = older + found
        return [e for e in found if predicate is None or predicate(e)]

    def _read_first(self, count: int) -> Iterator[Exchange]:
        if self.path is None:
            return
        with self.path.open("rb") as lines:
            for number, line in enumerate(lines):
                if number >= count:
                    return
                yield exchange_of(line)

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
