"""Fixtures for the Live tests: a key, a client factory, and an emulator behind TLS.

The official SDK always opens `wss://` (wire spec §10), so its test needs TLS: a throwaway CA
and server certificate for 127.0.0.1 are made here with `cryptography`, hypercorn builds its
TLS context from them (`certfile`/`keyfile` in its Config), and clients trust the CA through
an explicit `ssl.SSLContext`.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import httpx
import pytest
import trio
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import genaio
from genaio.emulator import EmulatorConfig
from genaio.emulator._app import EmulatorApp
from genaio.emulator._core import Emulator
from genaio.emulator._server import _hypercorn_config

KEY = "test-key"
MODEL = "gemini-2.0-flash"


def live_settings(base_url: str, **settings: object) -> dict:
    """Set the emulator's Live settings (`POST /_emulator/live`); returns its counters."""
    answer = httpx.post(f"{base_url}/_emulator/live", json=settings, timeout=10)
    answer.raise_for_status()
    return answer.json()


def live_counters(base_url: str) -> dict:
    return httpx.get(f"{base_url}/_emulator/live", timeout=10).json()


async def wait_until(condition: Callable[[], object], limit: float = 5.0) -> object:
    """Bounded polling for state another thread or task changes (no event to wait on)."""
    with anyio.fail_after(limit):
        while not (value := condition()):  # noqa: ASYNC110 - the state has no event
            await anyio.sleep(0.01)
    return value


@pytest.fixture
def make_client(genaio_emulator):
    """`make_client(**http_options)`: a genaio Client on the emulator with the test key."""

    def make(api_key: str = KEY, **http_options: object) -> genaio.Client:
        options = {"base_url": genaio_emulator.base_url, **http_options}
        return genaio.Client(api_key=api_key, http_options=options)

    return make


# -- TLS ------------------------------------------------------------------------------------


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A CA, and a server certificate it signed for 127.0.0.1: (ca, cert, key) PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "genaio test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.OID_SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


class TlsEmulator:
    """An emulator serving HTTPS and WSS on its own trio thread, until `close()`."""

    def __init__(self, config: EmulatorConfig, certfile: Path, keyfile: Path) -> None:
        hconfig = _hypercorn_config()
        hconfig.certfile, hconfig.keyfile = str(certfile), str(keyfile)
        self._server_context = hconfig.create_ssl_context()
        self._hconfig = hconfig
        self._emu = Emulator(config)
        self.app = EmulatorApp(self._emu)
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.base_url = f"https://127.0.0.1:{self._sock.getsockname()[1]}"
        self._ready = threading.Event()
        self._token: trio.lowlevel.TrioToken | None = None
        self._scope: trio.CancelScope | None = None
        self._thread = threading.Thread(target=trio.run, args=(self._serve,), daemon=True)
        self._thread.start()
        assert self._ready.wait(30), "the TLS emulator did not start"

    async def _serve(self) -> None:
        from hypercorn.trio.tcp_server import TCPServer
        from hypercorn.trio.worker_context import WorkerContext
        from hypercorn.typing import ConnectionState
        from hypercorn.utils import wrap_app

        app = wrap_app(self.app, self._hconfig.wsgi_max_body_size, "asgi")
        context = WorkerContext(None)

        async def connection(stream: trio.SSLStream) -> None:
            await TCPServer(app, self._hconfig, context, ConnectionState({}), stream)

        listener = trio.SSLListener(
            trio.SocketListener(trio.socket.from_stdlib_socket(self._sock)),
            self._server_context,
        )
        self._token = trio.lowlevel.current_trio_token()
        with trio.CancelScope() as self._scope:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(trio.serve_listeners, connection, [listener])
                self._ready.set()

    def close(self) -> None:
        if self._token is not None and self._scope is not None:
            self._token.run_sync_soon(self._scope.cancel)
        self._thread.join(10)


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory) -> tuple[Path, Path, Path]:
    return _certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def ca_context(tls_files) -> ssl.SSLContext:
    """A client context that trusts the test CA (and verifies, as every default does)."""
    return ssl.create_default_context(cafile=str(tls_files[0]))


@pytest.fixture
def tls_emulator(tls_files) -> Iterator[TlsEmulator]:
    _, cert, key = tls_files
    server = TlsEmulator(EmulatorConfig(), cert, key)
    try:
        yield server
    finally:
        server.close()
