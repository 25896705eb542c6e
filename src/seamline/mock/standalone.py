"""`seamline mock`: the stub server as a process of its own, a drop-in for
`java -jar wiremock-standalone.jar --port 8080 --root-dir DIR`.

Runs in the foreground until SIGINT/SIGTERM or `POST /__admin/shutdown`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import signal
import ssl
import sys
from pathlib import Path

from seamline.errors import SeamlineError
from seamline.http.loop import new_event_loop
from seamline.mock.journal import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES
from seamline.mock.recordings import add_record_arguments, start_cli_recording, stop_cli_recording
from seamline.mock.server import MockServer
from seamline.mock.tls import TlsFiles

# WireMock options that change nothing here, accepted so existing scripts keep working.
_ACCEPTED_NO_OPS = (
    "--disable-banner",
    "--async-response-enabled",
    "--no-request-journal-gzip",
    "--disable-gzip",
    "--local-response-templating",
    "--disable-request-logging",
)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="seamline mock",
        description="A WireMock-compatible stub server "
        "(mappings in ROOT/mappings, files in ROOT/__files).",
    )
    p.add_argument("--port", type=int, default=8080, help="port to listen on (0: any free port)")
    p.add_argument(
        "--bind-address", default="127.0.0.1", help="address to bind (default 127.0.0.1)"
    )
    p.add_argument("--root-dir", type=Path, default=Path("."), help="WireMock root directory")
    p.add_argument("--verbose", action="store_true", help="log every request and how it matched")
    p.add_argument(
        "--global-response-templating",
        action="store_true",
        help="render every response as a template (not only those with the transformer)",
    )
    p.add_argument(
        "--enable-stub-cors",
        action="store_true",
        help="answer CORS preflights and add Access-Control-* headers to stub replies",
    )
    p.add_argument(
        "--max-request-journal-entries",
        type=int,
        default=DEFAULT_MAX_ENTRIES,
        metavar="N",
        help=f"keep the newest N requests (default {DEFAULT_MAX_ENTRIES}; -1: no bound)",
    )
    p.add_argument(
        "--max-request-journal-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"keep requests holding at most ~N bytes (default {DEFAULT_MAX_BYTES}; -1: no bound)",
    )
    p.add_argument("--no-request-journal", action="store_true", help="keep no requests")
    p.add_argument(
        "--https-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also serve HTTPS on PORT (0: any free port)",
    )
    p.add_argument(
        "--https-cert",
        type=Path,
        default=None,
        metavar="PEM",
        help="certificate (chain) for HTTPS; default: one made at start",
    )
    p.add_argument(
        "--https-key",
        type=Path,
        default=None,
        metavar="PEM",
        help="the private key of --https-cert",
    )
    p.add_argument(
        "--https-ca",
        type=Path,
        default=None,
        metavar="PEM",
        help="the CA of --https-cert, printed for clients to trust",
    )
    p.add_argument(
        "--trust-all-proxy-targets",
        action="store_true",
        help="do not verify the certificates of https:// proxy targets",
    )
    add_record_arguments(p)
    for flag in _ACCEPTED_NO_OPS:
        p.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if not args.root_dir.is_dir():
        print(
            f"seamline mock: --root-dir {args.root_dir} is not a directory; expected a WireMock "
            "root holding mappings/ (and optionally __files/)",
            file=sys.stderr,
        )
        return 2
    limit = 0 if args.no_request_journal else _bound(args.max_request_journal_entries)
    try:
        tls = _tls_files(args)
        server = MockServer(
            host=args.bind_address,
            port=args.port,
            root_dir=args.root_dir,
            journal_limit=limit,
            journal_bytes=_bound(args.max_request_journal_bytes),
            global_templating=args.global_response_templating,
            verbose=args.verbose,
            stub_cors=args.enable_stub_cors,
            https_port=args.https_port,
            tls=tls,
            upstream_tls=_trust_all() if args.trust_all_proxy_targets else None,
        )
        start_cli_recording(server.engine, args)
    except SeamlineError as exc:
        print(f"seamline mock: {exc}", file=sys.stderr)
        return 2
    loop = new_event_loop()
    try:
        return loop.run_until_complete(_serve(server))
    except OSError as exc:
        print(
            f"seamline mock: cannot listen on {args.bind_address}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 1
    finally:
        loop.close()


def _bound(value: int) -> int | None:
    return None if value < 0 else value


async def _serve(server: MockServer) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def shutdown_soon() -> None:  # after the admin call's own answer has gone out
        loop.call_later(0.05, stop.set)

    server.engine.admin.shutdown_hook = shutdown_soon
    await server.start_async()
    # A process of its own: keep what was loaded out of the collector's sight and collect
    # young objects less often, so a full collection does not stall a request (p99).
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)
    for problem in server.load_problems:
        print(f"seamline mock: skipped {problem.render()}", file=sys.stderr)
    count = len(server.engine.stubs)
    print(f"seamline mock: {count} stub mapping(s) loaded; listening on {server.url}", flush=True)
    if server.https_url is not None:
        print(f"seamline mock: HTTPS on {server.https_url}; CA: {server.ca_path}", flush=True)
    await stop.wait()
    stop_cli_recording(server.engine)
    await server.stop_async()
    return 0


def _trust_all() -> ssl.SSLContext:
    """WireMock's --trust-all-proxy-targets: any certificate, any name."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _tls_files(args: argparse.Namespace) -> TlsFiles | None:
    if args.https_cert is None and args.https_key is None:
        return None
    if args.https_cert is None or args.https_key is None:
        raise SeamlineError(
            "--https-cert and --https-key go together: give both PEM files, or neither to "
            "have a certificate made at start"
        )
    return TlsFiles.given(args.https_cert, args.https_key, args.https_ca)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
