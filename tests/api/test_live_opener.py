"""The Live opener names and authenticates a resource as the REST path does (one place)."""

from __future__ import annotations

import trio

from genaio.actors import Runtime
from genaio.api._options import resolve
from genaio.api._resource import Backend
from genaio.api.live import _Opener
from genaio.engine import ApiKeyAuth, EngineConfig
from genaio.engine._urls import build_url
from genaio.types import LiveConnectConfig


def opener(config: EngineConfig, model: str, **options: object) -> _Opener:
    backend = Backend(config, ApiKeyAuth("key"), Runtime(lambda: None), None)  # type: ignore[arg-type,return-value]
    return _Opener(backend, model, LiveConnectConfig(http_options=options or None))


def vertex(**kwargs: object) -> EngineConfig:
    config, _ = resolve(
        api_key=None,
        vertexai=True,
        project="p",
        location="us-central1",
        credentials=object(),
        http_options=kwargs or None,  # type: ignore[arg-type]
    )
    return config


def test_a_vertex_session_names_its_model_as_a_rest_call_does() -> None:
    config = vertex()
    for model in ("gemini-live", "google/gemini-live", "publishers/google/models/gemini-live"):
        setup = opener(config, model).setup
        url = build_url(
            config, "publishers/google/models/gemini-live:generateContent", method="POST"
        )
        assert (
            setup["model"]
            == "projects/p/locations/us-central1/publishers/google/models/gemini-live"
        )
        assert url.endswith("/" + setup["model"] + ":generateContent")
    # A model of another publisher keeps its publisher (it was google's before).
    assert opener(config, "meta/llama").setup["model"].endswith("publishers/meta/models/llama")


def test_an_express_mode_session_names_no_project() -> None:
    config, _ = resolve(
        api_key="k",
        vertexai=True,
        project=None,
        location=None,
        credentials=None,
        http_options=None,
    )
    assert opener(config, "gemini-live").setup["model"] == "publishers/google/models/gemini-live"


def test_the_url_and_headers_follow_the_call_options() -> None:
    config, _ = resolve(
        api_key="k",
        vertexai=False,
        project=None,
        location=None,
        credentials=None,
        http_options={"base_url": "http://127.0.0.1:9", "headers": {"x-a": "1"}},
    )
    live = opener(config, "m", api_version="v1alpha", headers={"x-goog-api-key": "auth_tokens/t"})

    async def main() -> tuple[str, dict[str, str]]:
        return await live._url_and_headers()

    url, headers = trio.run(main)
    assert url == (
        "ws://127.0.0.1:9/ws/google.ai.generativelanguage.v1alpha."
        "GenerativeService.BidiGenerateContentConstrained"
    )
    # The call's own headers win over the credentials, as on a REST call.
    assert headers["x-a"] == "1" and headers["authorization"] == "Token auth_tokens/t"
