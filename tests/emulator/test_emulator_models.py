"""The models family over raw HTTP: paths, bodies, auth, outputs, errors, pagination."""

from __future__ import annotations

import json
import math

import httpx
import pytest

from genaio.emulator import EmulatorConfig

FLASH = "/v1beta/models/gemini-2.5-flash"


def user(text: str) -> dict:
    return {"contents": [{"role": "user", "parts": [{"text": text}]}]}


def sse_events(text: str) -> list[dict]:
    assert text.endswith("\r\n\r\n")
    frames = text.split("\r\n\r\n")[:-1]
    assert all(f.startswith("data: {") and "\n" not in f for f in frames), frames
    return [json.loads(f.removeprefix("data: ")) for f in frames]


@pytest.mark.parametrize("version", ["v1", "v1beta"])
async def test_generate_content_echoes_the_prompt(http: httpx.AsyncClient, version: str) -> None:
    r = await http.post(
        f"/{version}/models/gemini-2.5-flash:generateContent", json=user("Hello, world!")
    )
    assert r.status_code == 200
    body = r.json()
    candidate = body["candidates"][0]
    assert candidate["content"] == {"parts": [{"text": "You said: Hello, world!"}], "role": "model"}
    assert candidate["finishReason"] == "STOP"
    usage = body["usageMetadata"]
    assert usage["promptTokenCount"] == 4  # Hello , world !
    assert usage["candidatesTokenCount"] == 7
    assert usage["totalTokenCount"] == 11
    assert body["modelVersion"] == "gemini-2.5-flash"
    again = await http.post(
        f"/{version}/models/gemini-2.5-flash:generateContent", json=user("Hello, world!")
    )
    assert again.json() == body  # deterministic, response id included


async def test_generation_config_shapes_the_answer(http: httpx.AsyncClient) -> None:
    body = user("one two three four five")
    body["generationConfig"] = {"maxOutputTokens": 3, "candidateCount": 2}
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    assert [c["index"] for c in r["candidates"]] == [0, 1]
    assert r["candidates"][0]["content"]["parts"][0]["text"] == "You said:"
    assert r["candidates"][0]["finishReason"] == "MAX_TOKENS"
    body["generationConfig"] = {"stopSequences": ["three"]}
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    assert r["candidates"][0]["content"]["parts"][0]["text"] == "You said: one two "
    body["generation_config"] = {"thinking_config": {"include_thoughts": True}}  # snake_case
    del body["generationConfig"]
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    parts = r["candidates"][0]["content"]["parts"]
    assert parts[0]["thought"] is True and "thoughtsTokenCount" in r["usageMetadata"]


async def test_json_mode_follows_the_schema(http: httpx.AsyncClient) -> None:
    body = user("a cookie recipe")
    body["generationConfig"] = {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "OBJECT",
            "properties": {
                "name": {"type": "STRING"},
                "minutes": {"type": "INTEGER"},
                "tags": {"type": "ARRAY", "items": {"type": "STRING", "enum": ["sweet", "salty"]}},
            },
            "property_ordering": ["minutes", "name", "tags"],
        },
    }
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    text = r["candidates"][0]["content"]["parts"][0]["text"]
    assert list(json.loads(text)) == ["minutes", "name", "tags"]
    assert json.loads(text) == {"minutes": 1, "name": "name: a cookie recipe", "tags": ["sweet"]}
    body["generationConfig"] = {
        "response_mime_type": "application/json",
        "response_json_schema": {
            "type": "object",
            "$defs": {"P": {"type": ["integer", "null"]}},
            "properties": {"p": {"$ref": "#/$defs/P"}, "ok": {"type": "boolean"}},
        },
    }
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    assert json.loads(r["candidates"][0]["content"]["parts"][0]["text"]) == {"p": 1, "ok": True}


async def test_function_calls_then_text(http: httpx.AsyncClient) -> None:
    tools = [
        {
            "functionDeclarations": [
                {"name": "get_time", "parameters": {"type": "OBJECT", "properties": {}}},
                {
                    "name": "get_weather",
                    "parameters_json_schema": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            ]
        }
    ]
    body = {**user("What is get_weather in Paris?"), "tools": tools}
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    call = r["candidates"][0]["content"]["parts"][0]["functionCall"]
    assert call == {"name": "get_weather", "args": {"city": "city: What is get_weather in Paris?"}}
    body["contents"] += [
        {"role": "model", "parts": [{"functionCall": call}]},
        {
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"result": "sunny"}}}
            ],
        },
    ]
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    assert r["candidates"][0]["content"]["parts"][0]["text"] == (
        'The function get_weather returned {"result":"sunny"}.'
    )
    body = {**user("hi"), "tools": tools, "toolConfig": {"functionCallingConfig": {"mode": "NONE"}}}
    r = (await http.post(f"{FLASH}:generateContent", json=body)).json()
    assert "text" in r["candidates"][0]["content"]["parts"][0]


async def test_stream_is_crlf_sse_with_usage(http: httpx.AsyncClient) -> None:
    r = await http.post(
        "/v1/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        json=user("one two three four five six seven"),
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    events = sse_events(r.text)
    assert len(events) == 3
    text = "".join(e["candidates"][0]["content"]["parts"][0]["text"] for e in events)
    assert text == "You said: one two three four five six seven"
    assert "finishReason" not in events[0]["candidates"][0]
    assert events[-1]["candidates"][0]["finishReason"] == "STOP"
    whole = (
        await http.post(f"{FLASH}:generateContent", json=user("one two three four five six seven"))
    ).json()
    assert events[-1]["usageMetadata"] == whole["usageMetadata"]


async def test_count_tokens_agrees_with_usage(http: httpx.AsyncClient) -> None:
    body = user("The quick brown fox, again!")
    count = (await http.post(f"{FLASH}:countTokens", json=body)).json()
    usage = (await http.post(f"{FLASH}:generateContent", json=body)).json()["usageMetadata"]
    assert count["totalTokens"] == usage["promptTokenCount"] == 7
    wrapped = {"generateContentRequest": {"model": "models/gemini-2.5-flash", **body}}
    assert (await http.post(f"{FLASH}:countTokens", json=wrapped)).json()["totalTokens"] == 7


async def test_embeddings_are_seeded_unit_vectors(http: httpx.AsyncClient) -> None:
    path = "/v1beta/models/gemini-embedding-001"
    one = (
        await http.post(f"{path}:embedContent", json={"content": {"parts": [{"text": "cat"}]}})
    ).json()
    values = one["embedding"]["values"]
    assert len(values) == 3072
    assert math.isclose(sum(v * v for v in values), 1.0, rel_tol=1e-6)
    body = {
        "requests": [
            {
                "model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": t}]},
                "output_dimensionality": 16,
            }
            for t in ("cat", "dog")
        ]
    }
    batch = (await http.post(f"{path}:batchEmbedContents", json=body)).json()["embeddings"]
    assert [len(e["values"]) for e in batch] == [16, 16]
    assert batch[0] != batch[1]
    again = (await http.post(f"{path}:batchEmbedContents", json=body)).json()["embeddings"]
    assert again == batch
    small = (
        await http.post(
            "/v1beta/models/text-embedding-004:embedContent",
            json={"content": {"parts": [{"text": "cat"}]}},
        )
    ).json()
    assert len(small["embedding"]["values"]) == 768


async def test_batch_embed_limits(http: httpx.AsyncClient) -> None:
    path = "/v1beta/models/gemini-embedding-001:batchEmbedContents"
    request = {"model": "models/gemini-embedding-001", "content": {"parts": [{"text": "x"}]}}
    r = await http.post(path, json={"requests": [request] * 101})
    assert r.status_code == 400
    assert r.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert (await http.post(path, json={"requests": [request] * 100})).status_code == 200
    wrong = {**request, "model": "models/text-embedding-004"}
    assert (await http.post(path, json={"requests": [wrong]})).status_code == 400


async def test_unknown_model_and_method_are_404(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1beta/models/gemini-9:generateContent", json=user("x"))
    assert r.status_code == 404
    error = r.json()["error"]
    assert error["status"] == "NOT_FOUND"
    assert error["message"].startswith("models/gemini-9 is not found for API version v1beta")
    r = await http.post(f"{FLASH}:embedContent", json={"content": {"parts": [{"text": "x"}]}})
    assert r.status_code == 404
    assert (await http.get("/v1beta/models/gemini-9")).status_code == 404
    assert (await http.get("/v1beta/nothing-here")).status_code == 404


async def test_bad_requests_are_400(http: httpx.AsyncClient) -> None:
    r = await http.post(f"{FLASH}:generateContent", content=b"{not json")
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
    r = await http.post(f"{FLASH}:generateContent", json={"contents": []})
    assert r.status_code == 400


async def test_get_and_list_models_paginate(http: httpx.AsyncClient, emulator) -> None:
    model = (await http.get(f"{FLASH}")).json()
    assert model["name"] == "models/gemini-2.5-flash"
    assert "generateContent" in model["supportedGenerationMethods"]
    names, token = [], None
    while True:
        params = {"pageSize": 4, **({"pageToken": token} if token else {})}
        page = (await http.get("/v1/models", params=params)).json()
        assert len(page["models"]) <= 4
        names += [m["name"] for m in page["models"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert names == [f"models/{m.name}" for m in emulator.config.models]
    assert (await http.get("/v1/models", params={"pageToken": "bogus!"})).status_code == 400


async def test_missing_key_is_403(emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        r = await http.post(f"{FLASH}:generateContent", json=user("x"))
    assert r.status_code == 403
    assert r.json()["error"]["status"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("emulator_config", [EmulatorConfig(api_keys=("good",))])
async def test_configured_keys(emulator) -> None:
    async with httpx.AsyncClient(base_url=emulator.base_url) as http:
        ok = await http.post(
            f"{FLASH}:generateContent", json=user("x"), headers={"x-goog-api-key": "good"}
        )
        assert ok.status_code == 200
        assert (await http.post(f"{FLASH}:generateContent?key=good", json=user("x"))).is_success
        bad = await http.post(
            f"{FLASH}:generateContent", json=user("x"), headers={"x-goog-api-key": "bad"}
        )
        assert bad.status_code == 400
        error = bad.json()["error"]
        assert error["message"] == "API key not valid. Please pass a valid API key."
        assert error["details"][0]["reason"] == "API_KEY_INVALID"
        ephemeral = await http.post(
            f"{FLASH}:generateContent",
            json=user("x"),
            headers={"x-goog-api-key": "auth_tokens/abc"},
        )
        assert ephemeral.status_code == 401


async def test_tuned_model_needs_to_be_known(http: httpx.AsyncClient) -> None:
    r = await http.post("/v1beta/tunedModels/nope:generateContent", json=user("x"))
    assert r.status_code == 404


def test_the_default_catalogue_is_todays_and_replaceable() -> None:
    names = {m.name for m in EmulatorConfig().models}
    for name in (
        "gemini-2.5-flash",
        "gemini-2.5-pro",
        "gemini-2.5-flash-lite",
        "gemini-2.5-flash-preview-tts",
        "gemini-2.5-flash-native-audio-preview-09-2025",
        "gemini-2.0-flash",
        "gemini-embedding-001",
        "text-embedding-004",
        "imagen-4.0-generate-001",
        "veo-3.1-generate-preview",
        "gemini-3-flash-preview",
        "gemini-3.1-pro-preview",
        "gemini-3.5-flash",
        "gemini-3.8-flash",
        "gemini-pro-latest",
    ):
        assert name in names
    by_name = {m.name: m for m in EmulatorConfig().models}
    assert by_name["veo-3.1-generate-preview"].supported_methods == ("predictLongRunning",)
    assert by_name["imagen-4.0-fast-generate-001"].supported_methods == ("predict",)
    assert "generateContent" in by_name["gemini-live-2.5-flash-preview"].supported_methods
    (only,) = EmulatorConfig(models=["my-model"]).models
    assert only.name == "my-model"
