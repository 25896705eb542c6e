"""Check the response-templating cases against a real WireMock (not run in CI).

Starts WireMock's standalone jar on a free loopback port, posts each case of
tests/mock/compat_templating_cases.py to its admin API, sends the case's request and
compares the answer with tests/mock/compat_templating_expected.json. With `--record`
it writes WireMock's answers into that file instead.

    npm install --prefix bench/.peers wiremock@3.13.2      # the jar; Java 17 runs it
    python bench/mock/crosscheck_templating.py [--jar PATH] [--record]
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "mock"))
from compat_templating_cases import CASES, FILE_CASES, FILES, TemplateCase  # noqa: E402

EXPECTED = ROOT / "tests" / "mock" / "compat_templating_expected.json"
DEFAULT_JAR = ROOT / "bench/.peers/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar"


def answer(base: str, case: TemplateCase) -> dict[str, Any]:
    """WireMock's (or seamline's) answer to one case, with the port made neutral."""
    httpx.delete(base + "/__admin/mappings")
    created = httpx.post(base + "/__admin/mappings", json=case.mapping())
    if created.status_code != 201:
        return {"refused": created.status_code}
    reply = httpx.request(case.method, base + case.url, headers=case.headers, content=case.body)
    port = base.rsplit(":", 1)[1]
    body = reply.text.replace(port, "{port}")
    if reply.status_code == 500:  # keep the reason of Jetty's error page, not its stack trace
        title = re.search(r"<title>(.*?)</title>", body, re.DOTALL)
        body = re.sub(r"@[0-9a-f]{6,}", "@", title.group(1) if title else body)
    return {
        "status": reply.status_code,
        "body": body,
        "headers": {k: v for k, v in reply.headers.items() if k.lower().startswith("x-")},
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_wiremock(jar: Path, root: Path) -> tuple[subprocess.Popen[bytes], str]:
    for name, text in FILES.items():
        (root / "__files" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "__files" / name).write_text(text)
    (root / "mappings").mkdir(exist_ok=True)
    port = free_port()
    command = ["java", "-jar", str(jar), "--port", str(port), "--bind-address", "127.0.0.1"]
    command += ["--root-dir", str(root)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/__admin/mappings", timeout=1).status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)  # the JVM is still starting; nothing to wait on but the port
    process.kill()
    raise SystemExit(f"WireMock did not answer on {base} within 60 s")


def check(base: str, record: bool, with_files: bool) -> int:
    expected: dict[str, Any] = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    version = httpx.get(base + "/__admin/version").json().get("version", "?")
    differences = 0
    cases = [*CASES, *FILE_CASES] if with_files else CASES
    if not with_files:
        print(f"--url: the {len(FILE_CASES)} bodyFileName cases need the jar started here")
    for case in cases:
        got = answer(base, case)
        if case.pattern is not None and not re.fullmatch(case.pattern, got.get("body", "")):
            print(f"{case.id}: WireMock's answer {got!r} does not match {case.pattern!r}")
            differences += 1
        if record:
            expected[case.id] = got
        elif case.pattern is None and expected.get(case.id) != got:
            print(f"{case.id}: recorded {expected.get(case.id)!r}\n    WireMock answers {got!r}")
            differences += 1
    if record:
        kept = {c.id: expected[c.id] for c in [*CASES, *FILE_CASES] if c.id in expected}
        EXPECTED.write_text(json.dumps({"wiremock": version, **kept}, indent=1) + "\n")
    print(f"WireMock {version}: {len(cases)} cases, {differences} difference(s)")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jar", type=Path, default=DEFAULT_JAR)
    parser.add_argument("--url", help="an already running WireMock instead of starting the jar")
    parser.add_argument("--record", action="store_true", help="write WireMock's answers")
    args = parser.parse_args()
    if args.url:
        return check(args.url.rstrip("/"), args.record, with_files=False)
    with tempfile.TemporaryDirectory(prefix="wiremock-root-") as root:
        process, base = start_wiremock(args.jar, Path(root))
        try:
            return check(base, args.record, with_files=True)
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
