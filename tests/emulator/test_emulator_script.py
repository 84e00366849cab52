"""Scripted answers and the request log, seen through the official SDK (google-genai).

The rules come from Python (`genaio_emulator.script`), from the config (`script=[...]`) and
over HTTP (`/_emulator/script`); every point of the issue's list has a case here.
"""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from genaio.emulator import EmulatorConfig, run_emulator_in_thread

genai = pytest.importorskip("google.genai")
from google.genai import errors, types  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

WEATHER = types.Tool(
    function_declarations=[
        types.FunctionDeclaration(
            name="get_weather",
            description="The weather in a city.",
            parameters_json_schema={
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        )
    ]
)
NO_AFC = types.AutomaticFunctionCallingConfig(disable=True)


def test_text_and_json_replies_match_by_prompt_and_fall_back(genaio_emulator, genai_client):
    genaio_emulator.script.on(prompt_contains="terrible").reply(text="negative")
    genaio_emulator.script.on(model="gemini-2.5-pro").reply(json={"label": "positive"})
    models = genai_client.models
    assert models.generate_content(model="gemini-2.5-flash", contents="A terrible day").text == (
        "negative"
    )
    pro = models.generate_content(model="gemini-2.5-pro", contents="Lovely")
    assert pro.parsed is None and pro.text == '{"label": "positive"}'
    # Unmatched: the deterministic default.
    assert models.generate_content(model="gemini-2.5-flash", contents="Hi").text == "You said: Hi"


def test_function_call_once_then_the_default_answers_the_function_response(
    genaio_emulator, genai_client
):
    paris = {"name": "get_weather", "args": {"city": "Paris"}}
    genaio_emulator.script.on(prompt_contains="weather", tools=True, times=1).reply(
        function_call=paris
    )
    chat = genai_client.chats.create(
        model="gemini-2.5-flash",
        config=types.GenerateContentConfig(tools=[WEATHER], automatic_function_calling=NO_AFC),
    )
    first = chat.send_message("What is the weather like?")
    call = first.function_calls[0]
    assert (call.name, call.args) == ("get_weather", {"city": "Paris"})
    reply = chat.send_message(
        types.Part.from_function_response(name="get_weather", response={"sky": "clear"})
    )
    assert reply.text == 'The function get_weather returned {"sky":"clear"}.'
    rules = genaio_emulator.script.rules()
    assert rules[0]["used"] == 1 and rules[0]["times"] == 1


def test_rules_answer_in_order_and_times_runs_out(genaio_emulator, genai_client):
    genaio_emulator.script.on(times=2).reply(text="first")
    genaio_emulator.script.on().reply(text="always")
    answers = [
        genai_client.models.generate_content(model="gemini-2.5-flash", contents="x").text
        for _ in range(4)
    ]
    assert answers == ["first", "first", "always", "always"]


def test_predicate_and_method_match(genaio_emulator, genai_client):
    genaio_emulator.script.on(
        "generateContent",
        predicate=lambda r: r.body.get("generationConfig", {}).get("temperature") == 0,
    ).reply(text="cold")
    cold = types.GenerateContentConfig(temperature=0)
    models = genai_client.models
    assert models.generate_content(model="gemini-2.5-flash", contents="x", config=cold).text == (
        "cold"
    )
    assert models.generate_content(model="gemini-2.5-flash", contents="x").text == "You said: x"


def test_scripted_error_with_retry_delay(genaio_emulator):
    genaio_emulator.script.on(model="gemini-2.5-flash").fail(429, "Slow down.", retry_delay=2.5)
    response = httpx.post(
        f"{genaio_emulator.base_url}/v1beta/models/gemini-2.5-flash:generateContent",
        headers={"x-goog-api-key": "k"},
        json={"contents": [{"parts": [{"text": "x"}]}]},
    )
    error = response.json()["error"]
    assert (response.status_code, error["status"], error["message"]) == (
        429,
        "RESOURCE_EXHAUSTED",
        "Slow down.",
    )
    assert error["details"][0]["retryDelay"] == "2.500s"
    assert genaio_emulator.stats()["prompt_tokens"] == 0  # the handler never ran


def test_a_503_costs_the_fixture_client_milliseconds(genaio_emulator, genai_client):
    genaio_emulator.script.on(times=2).fail(503, "The model is overloaded.")
    started = time.monotonic()
    response = genai_client.models.generate_content(model="gemini-2.5-flash", contents="x")
    assert response.text == "You said: x"
    assert time.monotonic() - started < 2
    assert genaio_emulator.requests.filter(status=503).call_count == 2
    genaio_emulator.script.on().fail(503, "Still overloaded.")
    with pytest.raises(errors.ServerError):
        genai_client.models.generate_content(model="gemini-2.5-flash", contents="x")


def test_stream_of_chunks_cut_after_n(genaio_emulator, genai_client):
    script = genaio_emulator.script
    script.on("streamGenerateContent", prompt_contains="whole").reply(chunks=["a", "b", "c"])
    script.on("streamGenerateContent", prompt_contains="cut").reply(
        chunks=["one ", "two ", "three"], cut_after=2
    )
    stream = genai_client.models.generate_content_stream
    assert [c.text for c in stream(model="gemini-2.5-flash", contents="whole")] == ["a", "b", "c"]
    received = []
    with pytest.raises(Exception) as raised:  # the transport's error: the SDK does not wrap it
        for chunk in stream(model="gemini-2.5-flash", contents="cut"):
            received.append(chunk.text)
    assert received == ["one ", "two "]
    assert not isinstance(raised.value, errors.APIError)


def test_latency(genaio_emulator, genai_client):
    genaio_emulator.script.on().reply(text="late", latency=0.3)
    started = time.monotonic()
    assert genai_client.models.generate_content(model="gemini-2.5-flash", contents="x").text
    assert time.monotonic() - started >= 0.3


def test_embeddings_and_count_tokens(genaio_emulator, genai_client):
    script = genaio_emulator.script
    script.on("embedContent").reply(embedding=[1.0, 0.0])
    script.on("batchEmbedContents").reply(embeddings=[[0.0, 1.0], [1.0, 1.0]])
    script.on("countTokens").reply(total_tokens=1234)
    models = genai_client.models
    # google-genai sends one text as batchEmbedContents too: call the REST method directly.
    one = httpx.post(
        f"{genaio_emulator.base_url}/v1beta/models/text-embedding-004:embedContent",
        headers={"x-goog-api-key": "k"},
        json={"content": {"parts": [{"text": "x"}]}},
    ).json()
    assert one == {"embedding": {"values": [1.0, 0.0]}}
    batch = models.embed_content(model="text-embedding-004", contents=["a", "b", "c"])
    assert [e.values for e in batch.embeddings] == [[0.0, 1.0], [1.0, 1.0], [0.0, 1.0]]
    count = models.count_tokens(model="gemini-2.5-flash", contents="x")
    assert count.total_tokens == 1234


def test_request_log(genaio_emulator, genai_client):
    genai_client.models.generate_content(
        model="gemini-2.5-flash",
        contents="Summarise this",
        config=types.GenerateContentConfig(tools=[WEATHER], automatic_function_calling=NO_AFC),
    )
    genai_client.models.embed_content(model="text-embedding-004", contents=["a"])
    log = genaio_emulator.requests
    assert log.call_count == 2 and log.called
    generate = log.filter(method="generateContent").last
    assert (generate.http_method, generate.model, generate.status) == (
        "POST",
        "gemini-2.5-flash",
        200,
    )
    assert generate.path.endswith("/models/gemini-2.5-flash:generateContent")
    assert generate.prompt == "Summarise this" and generate.tools == ["get_weather"]
    assert generate.body["contents"][0]["parts"][0]["text"] == "Summarise this"
    assert generate.headers["x-goog-api-key"] == "<redacted>"
    assert "test-key" not in repr(list(log))
    assert log.last.method == "batchEmbedContents"
    assert log.filter(model="models/text-embedding-004").call_count == 1
    assert log.filter(path=":generateContent")[0] is not None


def test_each_test_starts_with_an_empty_log_and_no_rules(genaio_emulator):
    assert genaio_emulator.requests.call_count == 0
    assert genaio_emulator.script.rules() == []


def test_rules_from_the_config_file_and_over_http(tmp_path):
    path = tmp_path / "emulator.toml"
    path.write_text(
        "[[script]]\n"
        'match = { model = "gemini-2.5-flash", prompt_contains = "ping" }\n'
        'reply = { text = "pong" }\n'
        "[[script]]\n"
        'match = { model = "gemini-2.5-pro" }\n'
        'reply = { error = { code = 403, message = "No.", status = "PERMISSION_DENIED" } }\n'
    )
    config = EmulatorConfig.from_file(path)
    assert EmulatorConfig.from_dict(config.to_dict()) == config
    with run_emulator_in_thread(config) as emulator:
        base, key = emulator.base_url, {"x-goog-api-key": "k"}
        body = {"contents": [{"parts": [{"text": "ping"}]}]}

        def generate(model: str) -> httpx.Response:
            return httpx.post(
                f"{base}/v1beta/models/{model}:generateContent", json=body, headers=key
            )

        assert generate("gemini-2.5-flash").json()["candidates"][0]["content"]["parts"] == [
            {"text": "pong"}
        ]
        assert generate("gemini-2.5-pro").status_code == 403
        # Over HTTP: add a rule (it comes after the config's), read them, reset.
        rule: dict[str, Any] = {"match": {"model": "gemini-2.0-flash"}, "reply": {"text": "http"}}
        added = httpx.post(f"{base}/_emulator/script", json={"rules": [rule]}).json()
        assert [r["used"] for r in added["rules"]] == [1, 1, 0]
        assert generate("gemini-2.0-flash").json()["candidates"][0]["content"]["parts"] == [
            {"text": "http"}
        ]
        log = httpx.get(f"{base}/_emulator/requests").json()["requests"]
        assert [r["status"] for r in log] == [200, 403, 200]
        assert log[0]["headers"]["x-goog-api-key"] == "<redacted>"
        emulator.reset()
        assert [r["used"] for r in emulator.script.rules()] == [0, 0]  # config rules stay


def test_the_log_keeps_the_newest_requests_within_its_bounds(monkeypatch):
    from genaio.emulator import _requests
    from genaio.emulator._http import Request

    def request(body: bytes) -> Request:
        return Request("POST", "/v1beta/files", b"", {}, body, "http://x")

    recorder = _requests.RequestRecorder(3)
    for index in range(5):
        recorder.record(request(b"%d" % index), "uploadFile", None, 200)
    assert [r.content for r in recorder.log()] == [b"2", b"3", b"4"]
    monkeypatch.setattr(_requests, "_MAX_BYTES", 10)
    recorder = _requests.RequestRecorder(0)
    for size in (4, 4, 4, 20):
        recorder.record(request(b"x" * size), "uploadFile", None, 200)
    assert [len(r.content) for r in recorder.log()] == [20]  # the newest always stays


def test_a_config_with_a_python_predicate_still_reads_as_json():
    import json

    from genaio.emulator import Match, Reply, Rule

    rule = Rule(Match(predicate=lambda r: True), Reply(text="x"), times=1)
    data = json.loads(json.dumps(EmulatorConfig(script=[rule]).to_dict()))
    assert data["script"][0]["reply"]["text"] == "x" and "predicate" not in data["script"][0]
