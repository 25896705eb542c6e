"""The journal: every exchange of a run, in memory (bounded) and on disk (complete).

Each exchange is written to `journal.jsonl` in the record dir as soon as it is
complete, so nothing is lost when a test fails or the run is killed. The last
`max_in_memory` exchanges are also kept in memory for fast queries from tests;
older ones are read back from the file when a query needs them.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path

from seamline.seams.exchange import Exchange

DEFAULT_MAX_IN_MEMORY = 20_000


class Journal:
    def __init__(self, path: Path | None, max_in_memory: int = DEFAULT_MAX_IN_MEMORY) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._recent: deque[Exchange] = deque(maxlen=max_in_memory)
        self._count = 0
        self._file = path.open("a", encoding="utf-8") if path is not None else None
        self._listeners: list[Callable[[Exchange], None]] = []

    def add(self, exchange: Exchange) -> Exchange:
        """Give the exchange its sequence number, keep it, and write it through."""
        line = None
        with self._lock:
            self._count += 1
            exchange.seq = self._count
            self._recent.append(exchange)
            if self._file is not None and not self._file.closed:
                line = json.dumps(exchange.to_json(), ensure_ascii=False)
                self._file.write(line + "\n")
                self._file.flush()
        for listener in self._listeners:
            listener(exchange)
        return exchange

    def subscribe(self, listener: Callable[[Exchange], None]) -> None:
        self._listeners.append(listener)

    def __len__(self) -> int:
        return self._count

    def select(self, predicate: Callable[[Exchange], bool] | None = None) -> list[Exchange]:
        """Exchanges matching `predicate`, in sequence order (all of them, even evicted ones)."""
        with self._lock:
            recent = list(self._recent)
            evicted = self._count - len(recent)
        older = list(self._read_first(evicted)) if evicted else []
        everything = older + recent
        return [e for e in everything if predicate is None or predicate(e)]

    def _read_first(self, count: int) -> Iterator[Exchange]:
        if self.path is None:
            return
        with self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines):
                if number >= count:
                    return
                yield Exchange.from_json(json.loads(line))

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()


def read_journal(path: Path) -> list[Exchange]:
    """All exchanges of a record dir's journal file (for reports of finished runs)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as lines:
        return [Exchange.from_json(json.loads(line)) for line in lines if line.strip()]
