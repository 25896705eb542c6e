"""TLS for the stub server: a certificate made at start by a throw-away CA, or PEM files.

    tls = TlsFiles.generate(Path(run_dir))        # ca.pem, server.pem, server-key.pem
    tls = TlsFiles.given(Path("cert.pem"), Path("key.pem"), ca=Path("ca.pem"))
    context = tls.server_context()

A generated certificate is issued for `localhost`, `127.0.0.1` and `::1` by a CA made for
this server alone (`trustme`, the field's standard for test CAs). Its `ca.pem` is what a
service under test trusts: `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`, or
`ssl.create_default_context(cafile=...)`. The key never leaves the directory given.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from seamline.errors import SeamlineError
from seamline.http.message import FastHandler, Handler
from seamline.http.server import HttpServer, Limits

_HOSTS = ("localhost", "127.0.0.1", "::1")


class TlsError(SeamlineError):
    """A certificate or key that cannot be used to serve HTTPS."""


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path
    ca: Path | None

    @classmethod
    def generate(cls, directory: Path, hosts: tuple[str, ...] = _HOSTS) -> TlsFiles:
        """A new CA and a server certificate it signs, written under `directory`."""
        import trustme  # only when HTTPS is asked for: it pulls in `cryptography`

        directory.mkdir(parents=True, exist_ok=True)
        authority = trustme.CA(organization_name="seamline mock test CA")
        issued = authority.issue_cert(*hosts)
        files = cls(directory / "server.pem", directory / "server-key.pem", directory / "ca.pem")
        authority.cert_pem.write_to_path(str(files.ca))
        issued.private_key_pem.write_to_path(str(files.key))
        files.key.chmod(0o600)
        with files.cert.open("wb") as out:  # the chain: leaf first, then the CA
            for blob in issued.cert_chain_pems:
                out.write(blob.bytes())
        return files

    @classmethod
    def given(cls, cert: Path, key: Path, ca: Path | None = None) -> TlsFiles:
        for flag, path in (("--https-cert", cert), ("--https-key", key), ("--https-ca", ca)):
            if path is not None and not path.is_file():
                raise TlsError(
                    f"{flag} {path}: expected a PEM file, found nothing there; "
                    "give the path of an existing file, or leave out --https-cert and "
                    "--https-key to have a certificate made at start"
                )
        return cls(cert, key, ca)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            context.load_cert_chain(self.cert, self.key)
        except (ssl.SSLError, OSError) as exc:
            raise TlsError(
                f"cannot serve HTTPS with certificate {self.cert} and key {self.key}: {exc}; "
                "expected a PEM certificate (chain) and its unencrypted PEM private key"
            ) from exc
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this server (its CA, or the system's)."""
        return ssl.create_default_context(cafile=str(self.ca) if self.ca else None)


class HttpsListener:
    """The HTTPS side of a stub server: a second listener on the same engine."""

    def __init__(
        self,
        handler: Handler,
        fast: FastHandler,
        *,
        port: int,
        files: TlsFiles | None,
        limits: Limits | None,
    ) -> None:
        self.port_wanted = port
        self.files = files
        self._made_dir: Path | None = None
        self.http = HttpServer(handler, fast=fast, limits=limits)

    async def start(self, host: str) -> None:
        if self.files is None:  # made here, removed at close
            self._made_dir = Path(tempfile.mkdtemp(prefix="seamline-mock-tls-"))
            self.files = TlsFiles.generate(self._made_dir)
        await self.http.start(host, self.port_wanted, tls=self.files.server_context())

    async def close(self) -> None:
        await self.http.close()
        if self._made_dir is not None:
            shutil.rmtree(self._made_dir, ignore_errors=True)
            self._made_dir = None
