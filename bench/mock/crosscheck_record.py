"""Record and playback, proxying and webhooks checked against a real WireMock (by hand, not CI).

    python bench/mock/crosscheck_record.py --jar PATH/wiremock-standalone-3.13.2.jar

Against the small provider of tests/apps/provider.py, on loopback only:
1. seamline records; WireMock and seamline both play the files back: same answers?
2. WireMock records; seamline plays WireMock's files back: same answers as WireMock?
3. a proxy stub with added and removed headers: same request reaches the provider?
4. a templated webhook: the same callback reaches a local receiver?
Prints each difference, then the count of cases and of differences.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from seamline.mock import MockServer  # noqa: E402
from tests.apps.provider import HookReceiver, serve_hooks, serve_provider  # noqa: E402
from tests.mock import test_recording  # noqa: E402

Answers = list[tuple[int, bytes]]
RECORD_SPEC = {
    "captureHeaders": {"Authorization": {}},
    "extractBodyCriteria": {"textSizeThreshold": "30", "binarySizeThreshold": 0},
    "maskSecrets": False,  # WireMock does not mask: compare like with like
}


def drive(base: str) -> Answers:
    """The recording tests' calls, and a form login whose password is masked when recorded."""
    answers = test_recording.drive(base)
    form = {"user": "ann", "password": "hunter2-very-secret"}
    login = httpx.post(base + "/echo/login", data=form)
    return [*answers, (login.status_code, login.content)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def wiremock(jar: Path, root: Path) -> Iterator[str]:
    port = free_port()
    command = ["java", "-jar", str(jar), "--port", str(port), "--bind-address", "127.0.0.1"]
    command += ["--root-dir", str(root), "--disable-banner"]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as proc:
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/__admin/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)  # a tool script polling a JVM's start, not a test
            yield url
        finally:
            proc.terminate()
            proc.wait(30)


def record_with(base: str, provider: str, spec: dict[str, object]) -> Answers:
    httpx.post(base + "/__admin/recordings/start", json={"targetBaseUrl": provider, **spec})
    live = drive(base)
    httpx.post(base + "/__admin/recordings/stop")
    return live


def compare(label: str, ours: Answers, theirs: Answers) -> int:
    differences = 0
    for index, (mine, wm) in enumerate(zip(ours, theirs, strict=True)):
        if mine != wm:
            print(f"{label}, call {index}: seamline {mine!r:.120} / WireMock {wm!r:.120}")
            differences += 1
    return differences


def fresh(root: Path) -> Path:
    copy = Path(tempfile.mkdtemp(prefix="crosscheck-")) / "root"
    shutil.copytree(root, copy)
    return copy


def check_playback(jar: Path, provider: str, work: Path) -> tuple[int, int]:
    ours_root, masked_root, wm_root = work / "seamline", work / "masked", work / "wiremock"
    for root in (ours_root, masked_root, wm_root):
        root.mkdir()
    with MockServer(root_dir=ours_root) as mock:
        live = record_with(mock.url, provider, RECORD_SPEC)
    with MockServer(root_dir=masked_root) as mock:
        record_with(mock.url, provider, {**RECORD_SPEC, "maskSecrets": True})
    with wiremock(jar, wm_root) as wm:
        record_with(wm, provider, {k: v for k, v in RECORD_SPEC.items() if k != "maskSecrets"})
    differences = 0
    roots = (
        ("seamline's files", ours_root),
        ("seamline's masked files", masked_root),
        ("WireMock's files", wm_root),
    )
    for label, root in roots:
        with MockServer(root_dir=fresh(root)) as mock:
            ours = drive(mock.url)
        with wiremock(jar, fresh(root)) as wm:
            theirs = drive(wm)
        differences += compare(f"playback of {label}", ours, theirs)
        statuses = [status for status, _ in ours]
        if statuses != [status for status, _ in live]:  # both unmatched would compare equal
            print(f"playback of {label}: statuses {statuses}, live {[s for s, _ in live]}")
            differences += 1
    return len(roots) * 7, differences


def proxy_mapping(provider: str) -> dict[str, object]:
    return {
        "request": {"urlPathPattern": "/echo/.*"},
        "response": {
            "proxyBaseUrl": provider,
            "additionalProxyRequestHeaders": {"X-Added": "1"},
            # lower case: WireMock 3.13 removes only names written in lower case
            "removeProxyRequestHeaders": ["x-removed"],
        },
    }


def check_proxy(jar: Path, provider: str, work: Path) -> tuple[int, int]:
    def seen(base: str) -> Answers:
        httpx.post(base + "/__admin/mappings", json=proxy_mapping(provider))
        answer = httpx.post(
            base + "/echo/a?b=1", headers={"X-Removed": "r", "X-Kept": "k"}, content=b"hi"
        )
        echo = answer.json()
        headers = {k: v for k, v in echo["headers"].items() if k.startswith("x-") or k == "host"}
        return [(answer.status_code, json.dumps([echo["path"], echo["body"], headers]).encode())]

    with MockServer() as mock:
        ours = seen(mock.url)
    with wiremock(jar, work / "proxy") as wm:
        theirs = seen(wm)
    return 1, compare("proxy stub", ours, theirs)


def webhook_mapping(receiver: HookReceiver) -> dict[str, object]:
    url = (
        f"http://127.0.0.1:{receiver.server_port}/hooks/"
        + "{{jsonPath originalRequest.body '$.id'}}"
    )
    return {
        "request": {"method": "POST", "url": "/pay"},
        "response": {"status": 202},
        "serveEventListeners": [{"name": "webhook", "parameters": {
            "method": "PUT", "url": url, "headers": {"X-Url": "{{originalRequest.url}}"},
            "body": "paid {{jsonPath originalRequest.body '$.id'}}",
        }}],
    }  # fmt: skip


def check_webhook(jar: Path, work: Path) -> tuple[int, int]:
    def fired(base: str, receiver: HookReceiver) -> Answers:
        httpx.post(base + "/__admin/mappings", json=webhook_mapping(receiver))
        status = httpx.post(base + "/pay", json={"id": "p1"}).status_code
        [(method, path, headers, body)] = receiver.wait_for(1, 30)
        return [(status, json.dumps([method, path, headers.get("X-Url"), body.decode()]).encode())]

    with serve_hooks() as receiver, MockServer() as mock:
        ours = fired(mock.url, receiver)
    with serve_hooks() as receiver, wiremock(jar, work / "hooks") as wm:
        theirs = fired(wm, receiver)
    return 1, compare("webhook", ours, theirs)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jar", type=Path, required=True)
    jar = parser.parse_args().jar
    cases = differences = 0
    with tempfile.TemporaryDirectory() as tmp, serve_provider() as provider:
        work = Path(tmp)
        for check in (
            lambda: check_playback(jar, provider, work),
            lambda: check_proxy(jar, provider, work),
            lambda: check_webhook(jar, work),
        ):
            count, found = check()
            cases, differences = cases + count, differences + found
    print(f"{cases} cases, {differences} difference(s) from WireMock")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
