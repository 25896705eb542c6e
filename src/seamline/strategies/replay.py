"""Replay: a stub server per seam that answers from the seam's recording.

    servers = ReplayServers(config, loop)
    url = servers.url_for("api", "payments", real_url)                # replay
    url = servers.url_for("api", "payments", real_url, missing=True)  # record-missing
    servers.misses()   # one message per request no recording answered, with its near misses

`record-missing` forwards what no recorded mapping matches to the real provider (the stub
engine's recording, behind every recorded stub) and, when the servers close, adds what it
recorded to the seam's recording with the same noise rules as `seamline record`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from seamline.config import SystemConfig
from seamline.mock.nearmiss import closest_stubs, diff_report
from seamline.mock.recordfiles import Recorded, mapping_file_name, write_recorded
from seamline.records.exchange import seam_name
from seamline.records.run import now_iso
from seamline.strategies.build import provider_noise
from seamline.strategies.recordings import IndexEntry, SeamRecording, load_recording, write_index

if TYPE_CHECKING:
    from seamline.http.loop import LoopThread
    from seamline.mock.server import MockServer

RECORD_MISSING_TEST = "(record-missing)"


class _Replay:
    def __init__(self, recording: SeamRecording, server: MockServer) -> None:
        self.recording, self.server = recording, server
        self.recording_missing = False


class ReplayServers:
    """The replay stub servers of one running system, one per seam, started on first use."""

    def __init__(
        self,
        config: SystemConfig,
        loop: Callable[[], LoopThread],
        current_test: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._config, self._loop, self._current_test = config, loop, current_test
        self._replays: dict[str, _Replay] = {}

    def url_for(self, consumer: str, provider: str, real_url: str, *, missing: bool = False) -> str:
        """The address of the seam's replay server. A recording that cannot be used raises
        NoRecording, RecordingOutdated or InvalidRecording (strategies/errors.py)."""
        from seamline.mock.server import MockServer

        seam = seam_name(consumer, provider)
        replay = self._replays.get(seam)
        if replay is None:
            recording = load_recording(self._config, consumer, provider)
            server = MockServer(root_dir=recording.root, loop=self._loop())
            replay = _Replay(recording, server.start())
            self._replays[seam] = replay
            test = self._current_test()
            if test is not None:
                _position_scenarios(replay, test)
        if missing and not replay.recording_missing:
            replay.server.start_recording(
                real_url, onlyMissing=True, persist=False, repeatsAsScenarios=False
            )
            replay.recording_missing = True
        elif not missing and replay.recording_missing:
            self._save_missing(replay)
        return replay.server.url

    def misses(self) -> list[str]:
        """What no recording answered since the last call, one message per request: the seam,
        the request, the closest recorded requests and why the closest one missed."""
        found = []
        for seam, replay in self._replays.items():
            stubs = replay.server.mappings()
            for request in replay.server.unmatched():
                closest = closest_stubs(request, stubs)
                names = [
                    f"{s.request.to_json().get('method', 'ANY')} "
                    f"{_url_of(s.request.to_json())} ({replay.recording.files.get(s.id, s.id)})"
                    for s, _ in closest
                ]
                message = (
                    f"seam {seam} (replay): no recorded answer for {request.method} {request.url}"
                    f"; the closest recorded requests: {'; '.join(names) or 'none'}\n"
                )
                if closest:
                    message += diff_report(request, closest[0][0])
                found.append(
                    message + "Record it: `seamline record PATH --missing`, or set the seam to "
                    "record-missing (@pytest.mark.seams(provider='record-missing'))"
                )
            replay.server.reset_requests()
        return found

    def begin_test(self, test: str) -> None:
        """Each recorded scenario where `test`'s own answers begin (a request answered
        differently over the run is one scenario across tests; a test replays its part)."""
        for replay in self._replays.values():
            _position_scenarios(replay, test)

    def reset(self) -> None:
        """Between tests: scenarios back to their start, requests forgotten."""
        for replay in self._replays.values():
            replay.server.reset_requests()
            replay.server.reset_scenarios()

    def close(self) -> None:
        for replay in self._replays.values():
            if replay.recording_missing:
                self._save_missing(replay)
            replay.server.stop()
        self._replays.clear()

    def _save_missing(self, replay: _Replay) -> None:
        """Add what record-missing fetched from the real provider to the seam's recording."""
        replay.recording_missing = False
        mappings = replay.server.stop_recording()[::-1]  # oldest first
        if not mappings:
            return
        recording = replay.recording
        noise = provider_noise(self._config, recording.provider)
        index = recording.index
        for mapping in mappings:
            noise.relax(mapping["request"])
            mapping.pop("persistent", None)
            index["mappings"][mapping_file_name(mapping)] = IndexEntry(
                tests=[RECORD_MISSING_TEST], exchanges=1, order=len(index["mappings"])
            )
        write_recorded(recording.root, Recorded(mappings, {}))
        index["recorded"] = now_iso()
        write_index(recording.root, index)


def _position_scenarios(replay: _Replay, test: str) -> None:
    recording, first_state = replay.recording, {}
    for stub in recording.in_order():  # a scenario's stubs in the order they were answered
        entry = recording.entry(stub)
        if stub.scenario is None or entry is None or stub.scenario in first_state:
            continue
        if any(same_test(test, recorded) for recorded in entry["tests"]):
            first_state[stub.scenario] = stub.required_state or "Started"
    for scenario, state in first_state.items():
        replay.server.set_scenario_state(scenario, state)


def same_test(running: str, recorded: str) -> bool:
    """Test ids as pytest wrote them from two directories (`t/a.py::x`, `shop/t/a.py::x`)."""
    return (
        running == recorded or running.endswith("/" + recorded) or recorded.endswith("/" + running)
    )


def _url_of(request: dict[str, Any]) -> str:
    for key in ("url", "urlPath", "urlPattern", "urlPathPattern"):
        if key in request:
            return str(request[key])
    return "(any url)"
