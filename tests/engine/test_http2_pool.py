"""HTTP/2 on genaio's pool, against hypercorn serving the emulator over TLS on loopback (a
throwaway self-signed certificate made here), and against small h2 servers that misbehave."""

import datetime
import ipaddress
import json
import ssl
from functools import partial
from pathlib import Path

import h2.config
import h2.connection
import h2.errors
import h2.events
import httpx
import hyperframe.frame
import pytest
import trio
import trio.testing
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve

import genaio
from genaio.emulator import EmulatorConfig
from genaio.emulator._app import EmulatorApp
from genaio.emulator._core import Emulator
from genaio.engine._http11 import DEFAULT_HEADERS, split_url
from genaio.engine._pool import PooledTransport

MODEL = "gemini-2.0-flash"
BODY = json.dumps({"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}).encode()
HEADERS = (*DEFAULT_HEADERS, (b"content-type", b"application/json"), (b"x-goog-api-key", b"k"))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key: (cert, key) PEM files."""
    now = datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path_factory.mktemp("h2tls")
    paths = directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


@pytest.fixture
def client_context(certificate) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


async def serve_emulator(nursery, certificate, alpn=("h2", "http/1.1"), **settings) -> str:
    """The emulator behind hypercorn over TLS, offering `alpn`; returns its base URL."""
    config = HypercornConfig()
    config.bind = ["127.0.0.1:0"]
    config.certfile, config.keyfile = str(certificate[0]), str(certificate[1])
    config.alpn_protocols = list(alpn)
    config.accesslog = config.errorlog = None
    app = EmulatorApp(Emulator(EmulatorConfig(**settings)))
    binds = await nursery.start(serve, app, config)
    return binds[0]


def generate(url: str) -> tuple:
    return split_url(f"{url}/v1beta/models/{MODEL}:generateContent")


async def call(pool: PooledTransport, url: str) -> dict:
    response = await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=10)
    body = b"".join([chunk async for chunk in response.aiter_bytes()])
    assert response.status_code == 200, body
    return json.loads(body)


async def test_concurrent_calls_share_one_connection(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        async with trio.open_nursery() as calls:
            for _ in range(50):
                calls.start_soon(call, pool, url)
        stats = pool.statistics()
        assert (stats.opened, stats.open, stats.streams) == (1, 1, 0)
        assert stats.idle == 1 and stats.busy == 0
        await call(pool, url)  # the connection serves on
        assert pool.statistics().opened == 1
        await pool.aclose()
    assert pool.statistics().open == 0


async def test_fallback_to_http11_when_the_server_chooses_it(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate, alpn=("http/1.1",))
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        answer = await call(pool, url)
        assert answer["candidates"]
        response = await pool.exchange("POST", generate(url), HEADERS, BODY)
        assert response.http_version == b"HTTP/1.1"
        await response.aclose()
        assert pool.statistics().streams == 0
        await pool.aclose()


async def test_a_cancelled_caller_leaves_the_others_and_the_connection(
    nursery, certificate, client_context
):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        await call(pool, url)
        done = []

        async def one() -> None:
            done.append(await call(pool, url))

        async with trio.open_nursery() as calls:
            for _ in range(20):
                calls.start_soon(one)
            with trio.CancelScope() as doomed:
                doomed.cancel()  # cancelled at its first checkpoint, mid-exchange
                await call(pool, url)
            for _ in range(5):  # and some cancelled a little later
                with trio.move_on_after(0.001):
                    await call(pool, url)
        assert len(done) == 20
        await call(pool, url)
        stats = pool.statistics()
        assert (stats.opened, stats.open, stats.streams) == (1, 1, 0)
        await pool.aclose()


async def test_a_response_left_half_read_resets_only_its_stream(
    nursery, certificate, client_context
):
    url = await serve_emulator(nursery, certificate)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(20):
        response = await pool.exchange("POST", generate(url), HEADERS, BODY)
        assert response.http_version == b"HTTP/2"
        await response.aclose()  # unread: its stream is reset
        await call(pool, url)
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_the_client_streams_over_http2(nursery, certificate, client_context):
    url = await serve_emulator(nursery, certificate)
    options = {"base_url": url, "async_client_args": {"http2": True, "verify": client_context}}
    client = genaio.Client(api_key="k", http_options=options)
    with trio.fail_after(20):
        texts = []
        async for chunk in await client.aio.models.generate_content_stream(
            model=MODEL, contents="tell me a long story"
        ):
            texts.append(chunk.text)
        assert len(texts) > 1
        async with trio.open_nursery() as calls:
            for _ in range(10):
                calls.start_soon(
                    partial(client.aio.models.generate_content, model=MODEL, contents="hi")
                )
        pool = client.aio.statistics()["pool"]
        assert pool.opened == 1 and pool.streams == 0
        await client.aio.aclose()


# Servers that misbehave: an h2 server written here, on trio, answering each stream as
# `answer(conn, stream_id, number)` says (number counts the streams opened on all connections).


async def serve_h2(nursery, certificate, answer) -> str:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    context.set_alpn_protocols(["h2"])
    streams = []

    async def connection(stream: trio.SSLStream) -> None:
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        conn.initiate_connection()
        await stream.send_all(conn.data_to_send())
        try:
            while data := await stream.receive_some(65536):
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        streams.append(event.stream_id)
                        await stream.send_all(answer(conn, event.stream_id, len(streams)) or b"")
                    elif isinstance(event, h2.events.DataReceived):
                        conn.acknowledge_received_data(
                            event.flow_controlled_length, event.stream_id
                        )
                await stream.send_all(conn.data_to_send())
        except (trio.BrokenResourceError, h2.exceptions.ProtocolError):
            pass

    listeners = await nursery.start(trio.serve_ssl_over_tcp, connection, 0, context)
    port = listeners[0].transport_listener.socket.getsockname()[1]
    return f"https://127.0.0.1:{port}"


def ok(conn, stream_id: int) -> None:
    conn.send_headers(stream_id, [(":status", "200"), ("content-length", "2")])
    conn.send_data(stream_id, b"{}", end_stream=True)


async def exchange(pool, url):
    response = await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=5)
    return response.status_code, b"".join([c async for c in response.aiter_raw()])


async def test_a_reset_stream_fails_alone(nursery, certificate, client_context):
    def answer(conn, stream_id, number):
        if number == 2:
            conn.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
        else:
            ok(conn, stream_id)

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")
        with pytest.raises(httpx.RemoteProtocolError, match="INTERNAL_ERROR"):
            await exchange(pool, url)
        assert await exchange(pool, url) == (200, b"{}")
        assert pool.statistics().opened == 1
        await pool.aclose()


async def test_refused_and_goaway_streams_are_sent_again(nursery, certificate, client_context):
    held = []

    def answer(conn, stream_id, number):
        if number == 1:
            conn.reset_stream(stream_id, h2.errors.ErrorCodes.REFUSED_STREAM)
        elif number == 3:
            held.append(stream_id)  # answered after the GOAWAY, which lets it finish
        elif number == 4:  # a GOAWAY (written here: h2 sends nothing after one), then the held
            ok(conn, held[0])
            return hyperframe.frame.GoAwayFrame(0, last_stream_id=held[0]).serialize()
        else:
            ok(conn, stream_id)
        return None

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        assert await exchange(pool, url) == (200, b"{}")  # refused once, then sent again
        async with trio.open_nursery() as calls:

            async def below_the_goaway() -> None:
                assert await exchange(pool, url) == (200, b"{}")

            calls.start_soon(below_the_goaway)
            await trio.testing.wait_all_tasks_blocked()
            assert await exchange(pool, url) == (200, b"{}")  # above it: on a new connection
        stats = pool.statistics()
        assert (stats.opened, stats.open) == (2, 1)  # the first closed once its last ended
        await pool.aclose()


async def test_a_silent_stream_times_out_alone(nursery, certificate, client_context):
    def answer(conn, stream_id, number):
        if number != 1:  # the first stream gets no answer
            ok(conn, stream_id)

    url = await serve_h2(nursery, certificate, answer)
    pool = PooledTransport(ssl_context=client_context, http2=True)
    with trio.fail_after(10):
        async with trio.open_nursery() as calls:

            async def silent() -> None:
                with pytest.raises(httpx.ReadTimeout):
                    await pool.exchange("POST", generate(url), HEADERS, BODY, read_timeout=0.5)

            calls.start_soon(silent)
            await trio.testing.wait_all_tasks_blocked()
            for _ in range(3):
                assert await exchange(pool, url) == (200, b"{}")
        assert await exchange(pool, url) == (200, b"{}")
        assert pool.statistics().opened == 1
        await pool.aclose()
