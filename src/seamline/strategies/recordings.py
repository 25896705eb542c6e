"""The recording of each seam: its files, its index, and loading it back with every check.

    recordings/                         [recordings] dir, beside the config
      api__payments/                    one folder per seam: <consumer>__<provider>
        mappings/charges-<id>.json      WireMock mappings (any WireMock serves the folder)
        index.json                      Index: which test(s) made each mapping, the config's hash

    recording = load_recording(config, "api", "payments")   # NoRecording, RecordingOutdated,
    recording.stubs                                          # InvalidRecording when unusable

A mapping's `metadata.seamline.request` keeps the request as it was sent (secrets masked), so a
driver can send it again; its `request` pattern matches volatile parts loosely (noise.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from seamline.config import SystemConfig
from seamline.mock.errors import LoadProblem
from seamline.mock.loader import files_dir, load_file, mappings_dir
from seamline.mock.mapping import StubMapping
from seamline.records.exchange import seam_name
from seamline.strategies.errors import InvalidRecording, NoRecording, RecordingOutdated
from seamline.strategies.noise import Noise

INDEX = "index.json"
FORMAT_VERSION = 1


class IndexEntry(TypedDict):
    """One mapping file: the tests whose traffic made it, how many exchanges, when first seen."""

    tests: list[str]
    exchanges: int
    order: int  # position of its first exchange in the run: drivers send in this order


class Index(TypedDict):
    v: int
    seam: str
    consumer: str
    provider: str
    config_hash: str  # of the two services' declarations: a change makes the recording stale
    seamline: str
    recorded: str
    mappings: dict[str, IndexEntry]  # mapping file name (in mappings/) -> entry


def recordings_root(config: SystemConfig) -> Path:
    return config.resolve(config.spec.recordings.dir)


def seam_dir(root: Path, consumer: str, provider: str) -> Path:
    return root / f"{consumer}__{provider}"


def recorded_seams(root: Path) -> list[str]:
    """The seams with a recording under `root` (`api -> payments`, ...), sorted."""
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        consumer, sep, provider = folder.name.partition("__")
        if sep and (folder / INDEX).is_file():
            found.append(seam_name(consumer, provider))
    return found


def config_hash(config: SystemConfig, consumer: str, provider: str) -> str:
    """A hash of what the seam's two ends are declared as (a `test` or `browser` end has none)."""
    declared = {
        name: config.spec.services[name].model_dump(mode="json")
        for name in (consumer, provider)
        if name in config.spec.services
    }
    text = json.dumps(declared, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def noise_for(config: SystemConfig, provider: str, contract_document: Any = None) -> Noise:
    """The noise rules of seams into `provider`: `[recordings] ignore` and its OpenAPI."""
    return Noise.for_provider(config.spec.recordings.ignore, contract_document)


@dataclass
class SeamRecording:
    """A seam's recording, loaded and checked."""

    seam: str
    consumer: str
    provider: str
    root: Path
    index: Index
    stubs: list[StubMapping]
    files: dict[str, str]  # stub id -> its file name in mappings/

    def entry(self, stub: StubMapping) -> IndexEntry | None:
        """The index entry of `stub`; None when the index lacks it."""
        return self.index["mappings"].get(self.files.get(stub.id, ""))

    def in_order(self) -> list[StubMapping]:
        """The stubs in the order their first exchange happened (drivers send in this order)."""
        order = {name: entry["order"] for name, entry in self.index["mappings"].items()}
        return sorted(self.stubs, key=lambda stub: order.get(self.files.get(stub.id, ""), 0))


def read_index(folder: Path) -> Index | None:
    """The seam folder's index; None when it has none. InvalidRecording when unreadable."""
    path = folder / INDEX
    if not path.is_file():
        return None
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise InvalidRecording(
            f"{path}: expected the JSON index that `seamline record` writes, found invalid "
            f"JSON ({err}); fix it or record the seam again"
        ) from None
    missing = [k for k in Index.__annotations__ if not isinstance(index, dict) or k not in index]
    if missing:
        raise InvalidRecording(
            f"{path}: expected the fields {', '.join(Index.__annotations__)}, "
            f"found none for {', '.join(missing)}; record the seam again"
        )
    if index["v"] != FORMAT_VERSION:
        raise InvalidRecording(
            f"{path}: expected recording format version {FORMAT_VERSION}, found {index['v']!r}; "
            "record the seam again with this seamline"
        )
    return index  # type: ignore[no-any-return]  # checked field by field above


def load_recording(
    config: SystemConfig, consumer: str, provider: str, *, root: Path | None = None
) -> SeamRecording:
    """The recording of `consumer -> provider`, every mapping loaded.

    NoRecording when the folder (or its index) is missing, InvalidRecording when a file does
    not load, RecordingOutdated when the two services are declared otherwise than at record time.
    """
    root = root or recordings_root(config)
    seam, folder = seam_name(consumer, provider), seam_dir(root, consumer, provider)
    index = read_index(folder)
    if index is None:
        known = recorded_seams(root)
        raise NoRecording(
            f"seam {seam}: no recording: expected {folder / INDEX} (recorded seams: "
            f"{', '.join(known) or 'none'}). Record one with `seamline record {config.base_dir}` "
            "(a green run with every seam real), or switch the seam to real or stub"
        )
    stubs, files, problems = _load_mappings(folder)
    if problems:
        listed = "\n  ".join(problem.render() for problem in problems)
        raise InvalidRecording(
            f"seam {seam}: the recording in {folder} has {len(problems)} invalid mapping(s):"
            f"\n  {listed}\nfix the file(s) (WireMock mapping JSON) or record the seam again "
            f"with `seamline record {config.base_dir}`"
        )
    unindexed = sorted(name for name in set(files.values()) if name not in index["mappings"])
    if unindexed:
        raise InvalidRecording(
            f"seam {seam}: {folder / INDEX} does not list {', '.join(unindexed)}: "
            "add the file(s) to its mappings or record the seam again"
        )
    now = config_hash(config, consumer, provider)
    if index["config_hash"] != now:
        raise RecordingOutdated(
            f"seam {seam}: the recording in {folder} was made with another version of the "
            f"config (services {' and '.join(_ends(config, consumer, provider))} were declared "
            f"otherwise: hash {index['config_hash']} at {index['recorded']}, {now} in "
            f"{config.path} now). Record it again: `seamline record {config.base_dir}`"
        )
    return SeamRecording(seam, consumer, provider, folder, index, stubs, files)


def _load_mappings(
    folder: Path,
) -> tuple[list[StubMapping], dict[str, str], list[LoadProblem]]:
    stubs: list[StubMapping] = []
    files: dict[str, str] = {}
    problems: list[LoadProblem] = []
    for path in mapping_files(folder):
        loaded, found = load_file(path, files_dir(folder))
        stubs += loaded
        problems += found
        files.update((stub.id, path.name) for stub in loaded)
    return stubs, files, problems


def _ends(config: SystemConfig, consumer: str, provider: str) -> list[str]:
    return [name for name in (consumer, provider) if name in config.spec.services]


def write_index(folder: Path, index: Index) -> Path:
    path = folder / INDEX
    path.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def mapping_files(folder: Path) -> list[Path]:
    return sorted(mappings_dir(folder).glob("*.json")) if mappings_dir(folder).is_dir() else []
