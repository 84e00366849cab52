"""The API key and bearer tokens never show in a log line, an exception, a repr or a URL."""

import logging
import traceback

import google.oauth2.credentials
import httpx
import pytest
import trio

import genaio
from genaio.errors import GenaioError
from tests.helpers import GENERATE_OK, error_json, json_response, retry_info

KEY = "AIzaSECRET-key-0123456789"
TOKEN = "ya29.SECRET-token-0123456789"
RETRY = {"attempts": 2, "initial_delay": 0.001, "max_delay": 0.01, "jitter": 0.001}


class Server:
    """Answers in turn: a retried 503, a 400 that names the request, a reset, then 200."""

    def __init__(self):
        self.urls: list[str] = []
        self.headers: list[httpx.Headers] = []

    def __call__(self, request):
        self.urls.append(str(request.url))
        self.headers.append(request.headers)
        turn = len(self.urls) % 4
        if turn == 1:
            return json_response(503, error_json(503, "UNAVAILABLE", details=retry_info(0.001)))
        if turn == 2:
            return json_response(400, error_json(400, "INVALID_ARGUMENT", "API key not valid"))
        if turn == 3:
            raise httpx.ReadError("connection reset by peer", request=request)
        return json_response(200, GENERATE_OK)


def everything_said(exceptions, *objects):
    """Every string a user might see or log about these exceptions and objects."""
    said = [repr(o) for o in objects] + [str(o) for o in objects]
    for exc in exceptions:
        said += traceback.format_exception(exc)
        said += [repr(exc), str(exc), repr(getattr(exc, "details", ""))]
    return "\n".join(said)


async def exercise(client):
    exceptions = []
    for _ in range(6):
        try:
            await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
        except GenaioError as exc:
            exceptions.append(exc)
    for _ in range(4):
        try:
            stream = await client.aio.models.generate_content_stream(model="m", contents="x")
            async with stream:
                [c async for c in stream]
        except GenaioError as exc:
            exceptions.append(exc)
    return exceptions


@pytest.mark.parametrize("vertex", [False, True])
async def test_secrets_stay_secret(caplog, vertex):
    caplog.set_level(logging.DEBUG)
    server = Server()
    options = {
        "httpx_async_client": httpx.AsyncClient(transport=httpx.MockTransport(server)),
        "retry_options": RETRY,
    }
    if vertex:
        credentials = google.oauth2.credentials.Credentials(TOKEN)
        client = genaio.Client(
            vertexai=True, project="p", location="l", credentials=credentials, http_options=options
        )
        header, secret = "authorization", TOKEN
    else:
        client = genaio.Client(api_key=KEY, http_options=options)
        header, secret = "x-goog-api-key", KEY
    with trio.fail_after(10):
        exceptions = await exercise(client)
    assert exceptions and all(secret in h.get(header, "") for h in server.headers)
    connection = client.aio._runtime.current()
    said = everything_said(exceptions, client, client.aio, connection.transport._auth)
    said += repr(connection.transport.config) + caplog.text + "\n".join(server.urls)
    assert secret not in said
    assert "SECRET" not in said
    await client.aio.aclose()
