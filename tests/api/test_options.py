"""Client arguments and environment variables, resolved as the official SDK resolves them."""

import httpx
import pytest
import trio
from google.oauth2.credentials import Credentials

import genaio
from genaio.api._options import resolve
from tests.helpers import GENERATE_OK, json_response, mock_client

ENV = [
    "GOOGLE_API_KEY",
    "GEMINI_API_KEY",
    "GOOGLE_GENAI_USE_VERTEXAI",
    "GOOGLE_GENAI_USE_ENTERPRISE",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_LOCATION",
    "GOOGLE_GEMINI_BASE_URL",
    "GOOGLE_VERTEX_BASE_URL",
    "GOOGLE_GENAI_API_VERSION",
    "GOOGLE_APPLICATION_CREDENTIALS",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def resolved(**kwargs):
    args = dict(
        api_key=None,
        vertexai=None,
        project=None,
        location=None,
        credentials=None,
        http_options=None,
    )
    args.update(kwargs)
    return resolve(**args)


def test_no_key_is_a_clear_error_at_construction():
    with pytest.raises(ValueError, match="GOOGLE_API_KEY"):
        genaio.Client()


def test_key_precedence(monkeypatch):
    monkeypatch.setenv("GEMINI_API_KEY", "gemini")
    assert resolved()[1]._headers["x-goog-api-key"] == "gemini"
    monkeypatch.setenv("GOOGLE_API_KEY", "google")
    assert resolved()[1]._headers["x-goog-api-key"] == "google"
    assert resolved(api_key=" explicit ")[1]._headers["x-goog-api-key"] == "explicit"


def test_gemini_defaults_and_overrides(monkeypatch):
    config, _ = resolved(api_key="k")
    assert (config.base_url, config.api_version, config.vertex) == (
        "https://generativelanguage.googleapis.com/",
        "v1",
        False,
    )
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:9/")
    assert resolved(api_key="k")[0].base_url == "http://127.0.0.1:9/"
    options = {"base_url": "http://h/", "api_version": "v1beta", "timeout": 2500}
    config = resolved(api_key="k", http_options=options)[0]
    assert (config.base_url, config.api_version, config.timeout) == ("http://h/", "v1beta", 2.5)
    monkeypatch.setenv("GOOGLE_GENAI_API_VERSION", "beta")
    assert resolved(api_key="k")[0].api_version == "v1beta"


def test_project_without_vertex_and_conflicting_credentials_are_refused():
    with pytest.raises(ValueError, match="vertexai=True"):
        resolved(api_key="k", project="p")
    with pytest.raises(ValueError, match="mutually exclusive"):
        resolved(api_key="k", credentials=Credentials("t"))
    with pytest.raises(ValueError, match="mutually exclusive"):
        resolved(vertexai=True, api_key="k", project="p")


def test_vertex_from_the_environment(monkeypatch):
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", "proj")
    monkeypatch.setenv("GOOGLE_CLOUD_LOCATION", "us-central1")
    monkeypatch.setenv("GOOGLE_API_KEY", "ignored-for-project-mode")
    config, auth = resolved(credentials=Credentials("tok"))
    assert (config.vertex, config.project, config.location, config.api_version) == (
        True,
        "proj",
        "us-central1",
        "v1beta1",
    )
    assert config.base_url == "https://us-central1-aiplatform.googleapis.com/"
    assert "Bearer" in repr(auth) or "token=<hidden>" in repr(auth)


@pytest.mark.parametrize(
    ("location", "base_url"),
    [
        ("global", "https://aiplatform.googleapis.com/"),
        ("us", "https://aiplatform.us.rep.googleapis.com/"),
        ("europe-west4", "https://europe-west4-aiplatform.googleapis.com/"),
    ],
)
def test_vertex_base_urls(location, base_url):
    config, _ = resolved(
        vertexai=True, project="p", location=location, credentials=Credentials("t")
    )
    assert config.base_url == base_url


def test_vertex_express_mode_with_a_key():
    config, _ = resolved(vertexai=True, api_key="k")
    assert (config.express, config.base_url) == (True, "https://aiplatform.googleapis.com/")


def vertex_capture(**client_kwargs):
    seen = []

    def handler(request):
        seen.append(request)
        return json_response(200, GENERATE_OK)

    http_options = {"httpx_async_client": httpx.AsyncClient(transport=httpx.MockTransport(handler))}
    client = genaio.Client(vertexai=True, http_options=http_options, **client_kwargs)

    async def main():
        await client.aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
        await client.aio.aclose()

    trio.run(main)
    return seen[0]


def test_vertex_urls_and_bearer_auth():
    request = vertex_capture(project="p", location="us-central1", credentials=Credentials("tok"))
    assert str(request.url) == (
        "https://us-central1-aiplatform.googleapis.com/v1beta1/projects/p/locations/us-central1/"
        "publishers/google/models/gemini-2.0-flash:generateContent"
    )
    assert request.headers["authorization"] == "Bearer tok"
    assert "x-goog-api-key" not in request.headers


def test_vertex_express_urls():
    request = vertex_capture(api_key="k")
    assert str(request.url) == (
        "https://aiplatform.googleapis.com/v1beta1/publishers/google/models/"
        "gemini-2.0-flash:generateContent"
    )
    assert request.headers["x-goog-api-key"] == "k"


def test_headers_merge_and_server_timeout():
    seen = []

    def handler(request):
        seen.append(request)
        return json_response(200, GENERATE_OK)

    client = genaio.Client(
        api_key="k",
        http_options={
            "headers": {"X-Custom": "1", "user-agent": "myapp/2"},
            "timeout": 1500,
            "httpx_async_client": httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        },
    )

    async def main():
        await client.aio.models.generate_content(model="m", contents="Hi")
        await client.aio.aclose()

    trio.run(main)
    headers = seen[0].headers
    assert headers["x-custom"] == "1"
    assert headers["user-agent"].startswith("genaio/") and headers["user-agent"].endswith("myapp/2")
    assert headers["x-server-timeout"] == "2"
    assert headers["content-type"] == "application/json"


def test_pool_size_from_a_plain_dict_as_the_reference_writes_it():
    from genaio.engine._httpx_adapter import client_args as _client_args

    args = _client_args({"limits": {"max_connections": 100, "max_keepalive_connections": 20}}, 7)
    assert (args["limits"].max_connections, args["limits"].max_keepalive_connections) == (100, 20)
    assert _client_args({}, 300)["limits"].max_connections == 300
    assert "ssl" not in _client_args({"ssl": object()}, 1)


def test_the_key_never_shows_in_a_repr():
    client = genaio.Client(api_key="sekret-key-123")
    assert "sekret" not in repr(client) + repr(client.aio) + repr(client.aio._runtime)


def test_per_call_http_options_of_the_official_sdks_configs():
    from google.genai import types as sdk_types

    seen = []
    client = mock_client(lambda request: seen.append(request) or json_response(200, GENERATE_OK))
    per_call = sdk_types.HttpOptions(headers={"X-Per-Call": "1"})

    async def main():
        async with client.aio as aio:
            await aio.models.generate_content(
                model="m",
                contents="Hi",
                config=sdk_types.GenerateContentConfig(http_options=per_call),
            )
            await aio.models.count_tokens(
                model="m", contents="Hi", config=sdk_types.CountTokensConfig(http_options=per_call)
            )

    trio.run(main)
    assert [r.headers.get("x-per-call") for r in seen] == ["1", "1"]
