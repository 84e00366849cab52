"""TLS verification is on by default; the emulator listens on loopback and wants a key;
answers are validated: an oversized or malformed body is one clear error, not a crash or
memory exhaustion."""

import ssl

import httpx
import pytest
import trio

import genaio
from genaio.emulator import EmulatorConfig
from genaio.engine import _transport
from genaio.errors import UnknownApiResponseError
from tests.helpers import json_response, mock_client


def pool_ssl_context(client: genaio.Client) -> ssl.SSLContext:
    transport = client.aio._runtime.current().transport.client._transport
    return transport._tls_context()  # made at the first TLS connection


@pytest.mark.parametrize(
    "env",
    [{}, {"PYTHONHTTPSVERIFY": "0", "CURL_CA_BUNDLE": "", "REQUESTS_CA_BUNDLE": ""}],
)
async def test_tls_verification_is_on_by_default(monkeypatch, env):
    """Environment variables that switch it off in other tools do not here; only an explicit
    `async_client_args={"verify": False}` does."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    async with (client := genaio.Client(api_key="k")).aio:
        context = pool_ssl_context(client)
        assert context.verify_mode is ssl.CERT_REQUIRED and context.check_hostname
    options = {"async_client_args": {"verify": False}}
    async with (client := genaio.Client(api_key="k", http_options=options)).aio:
        assert pool_ssl_context(client).verify_mode is ssl.CERT_NONE


def test_the_emulator_binds_to_loopback_and_wants_a_key(genaio_emulator):
    assert EmulatorConfig().host == "127.0.0.1"
    assert genaio_emulator.base_url.startswith("http://127.0.0.1:")
    url = f"{genaio_emulator.base_url}/v1beta/models/gemini-2.0-flash:generateContent"
    body = {"contents": [{"parts": [{"text": "Hi"}]}]}
    assert httpx.post(url, json=body).status_code == 403
    assert httpx.post(url, json=body, headers={"x-goog-api-key": ""}).status_code == 403


def test_a_configured_emulator_refuses_other_keys():
    from genaio.emulator import run_emulator_in_thread

    with run_emulator_in_thread(EmulatorConfig(api_keys=("right",))) as emulator:
        url = f"{emulator.base_url}/v1beta/models/gemini-2.0-flash:generateContent"
        body = {"contents": [{"parts": [{"text": "Hi"}]}]}
        assert httpx.post(url, json=body, headers={"x-goog-api-key": "wrong"}).status_code == 400
        assert httpx.post(url, json=body, headers={"x-goog-api-key": "right"}).status_code == 200


async def test_an_endless_body_is_refused_as_it_arrives(monkeypatch):
    monkeypatch.setattr(_transport, "MAX_BODY_BYTES", 1 << 20)
    sent = []

    async def endless():
        while True:
            sent.append(1)
            yield b"x" * 65536

    client = mock_client(lambda request: httpx.Response(200, content=endless()))
    with trio.fail_after(10), pytest.raises(UnknownApiResponseError, match="larger than"):
        await client.aio.models.generate_content(model="m", contents="Hi")
    assert len(sent) <= 17  # it stopped reading just past the limit
    await client.aio.aclose()


async def test_a_declared_oversized_body_is_refused_before_reading(monkeypatch):
    monkeypatch.setattr(_transport, "MAX_BODY_BYTES", 1000)
    client = mock_client(
        lambda request: httpx.Response(200, headers={"content-length": "2000"}, content=b"{}")
    )
    with pytest.raises(UnknownApiResponseError, match="larger than"):
        await client.aio.models.generate_content(model="m", contents="Hi")
    await client.aio.aclose()


@pytest.mark.parametrize(
    "body", [b"{not json", b"[]", b'{"candidates": 5}', b'{"usageMetadata": "x"}']
)
async def test_a_malformed_answer_is_one_clear_error(body):
    client = mock_client(lambda request: httpx.Response(200, content=body))
    with pytest.raises(UnknownApiResponseError):
        await client.aio.models.generate_content(model="m", contents="Hi")
    await client.aio.aclose()


async def test_a_malformed_error_body_is_still_the_typed_error():
    client = mock_client(lambda request: json_response(404, ["not", "an", "error"]))
    with pytest.raises(genaio.errors.NotFoundError):
        await client.aio.models.generate_content(model="m", contents="Hi")
    await client.aio.aclose()
