"""Where a record dir keeps each file, how to tell a record dir, and which session made it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

RUN_JSON = "run.json"
TESTS = "tests.jsonl"
JOURNAL = "journal.jsonl"
DB_CHANGES = "db-changes.jsonl"
MESSAGES = "messages.jsonl"  # what crossed broker links
LOGS = "logs"  # logs/<service>.log, each line `<ISO time> <text>`
STRATEGY = "strategy.json"  # `seamline test --strategy`: each step's plan and results
DRIFT = "drift.json"  # `seamline drive` and bottom-up's drivers: each driven seam's drift
SCREENSHOTS = "screenshots"  # screenshots/<screenshot_name(test)>: the page when a test failed

# Any one of them makes a directory a record dir. tests.jsonl and journal.jsonl are created
# before any service starts, so even a run killed during start-up leaves them; `logs/` alone
# is not enough (many project directories have one).
MARKERS = (RUN_JSON, TESTS, JOURNAL)


def is_record_dir(path: Path) -> bool:
    return path.is_dir() and any((path / name).exists() for name in MARKERS)


def session_of(record_dir: Path) -> str | None:
    """The session run.json names (xdist workers of one pytest session share it), or None
    when run.json is missing, unreadable or names none."""
    try:
        info = json.loads((record_dir / RUN_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    session = info.get("session") if isinstance(info, dict) else None
    return str(session) if session else None


def screenshot_name(test_id: str) -> str:
    """The file name of `test_id`'s screenshot: readable, and unique through a hash of the id
    (test ids hold `/`, `::` and `[...]`, which a file name cannot all keep)."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_id.rsplit("::", 1)[-1])[:60]
    digest = hashlib.sha256(test_id.encode()).hexdigest()[:12]
    return f"{readable}-{digest}.png"
