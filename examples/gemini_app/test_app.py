"""Tests of app.py on genaio's emulator: no network, no key, every branch reachable.

The fixtures come from genaio's pytest plugin (installed with genaio): `genai_client` is a
google-genai client on the emulator, `genaio_emulator` the emulator itself, to script
answers (`.script`) and read what the app sent (`.requests`).
"""

from __future__ import annotations

import app
import httpx2
import pytest
from google.genai import errors


def test_summary_follows_the_schema(genai_client):
    summary = app.summarize(genai_client, "Great food, slow service.")
    assert isinstance(summary, app.Summary)  # the emulator fills the schema by default


def test_negative_reviews_are_escalated(genaio_emulator, genai_client):
    genaio_emulator.script.on(prompt_contains="cold soup").reply(
        json={"title": "Cold soup", "sentiment": "negative", "key_points": ["cold"]}
    )
    assert app.triage(genai_client, "The cold soup was awful.") == "escalate"
    assert app.triage(genai_client, "Lovely evening.") == "archive"  # unscripted: default
    sent = genaio_emulator.requests.filter(method="generateContent")
    assert sent.call_count == 2
    config = sent[0].body["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert set(config["responseSchema"]["properties"]) == {"title", "sentiment", "key_points"}


def test_rate_limited_reviews_are_queued(genaio_emulator, genai_client):
    genaio_emulator.script.on(model=app.MODEL).fail(429, "Quota exceeded.", retry_delay=30)
    assert app.triage(genai_client, "Anything") == "queue"


def test_a_stream_cut_midway_raises_after_the_chunks_received(genaio_emulator, genai_client):
    genaio_emulator.script.on("streamGenerateContent").reply(
        chunks=["Once ", "upon ", "a time"], cut_after=2
    )
    received = []
    with pytest.raises(httpx2.TransportError):  # google-genai 3.6's transport is httpx2
        for text in app.stream_story(genai_client, "Tell me a story"):
            received.append(text)
    assert received == ["Once ", "upon "]


DOCUMENTS = [
    f"Note {i}: the {word} report for week {i}"
    for i, word in enumerate(["budget", "hiring", "roadmap", "security", "travel"] * 10)
]
DOCUMENTS[37] = "The Eiffel Tower is repainted every seven years"


def test_search_finds_the_document_that_shares_the_words(genai_client):
    index = app.SearchIndex(genai_client, DOCUMENTS)
    assert len(index.vectors) == 50
    assert index.search("When is the Eiffel Tower repainted?", k=1) == [DOCUMENTS[37]]


def test_the_chat_calls_the_tool_with_the_city_from_the_question(genaio_emulator, genai_client):
    genaio_emulator.script.on(prompt_contains="Paris", tools=True).reply(
        function_call={"name": "get_weather", "args": {"city": "Paris"}}
    )
    answer = app.weather_chat(genai_client, "What is the weather in Paris?")
    # The default answer to a function's result repeats it.
    assert '"forecast":"sunny"' in answer
    first, second = genaio_emulator.requests.filter(method="generateContent")
    assert first.tools == ["get_weather"]
    assert second.body["contents"][-1]["parts"][0]["functionResponse"]["name"] == "get_weather"


def test_upload_then_prompt(genaio_emulator, genai_client, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting moved to Friday.")
    assert app.ask_about_file(genai_client, notes, "When is the meeting?")
    log = genaio_emulator.requests
    assert log.filter(method="uploadFile").last.content == b"Meeting moved to Friday."
    prompt = log.last
    assert prompt.method == "generateContent" and prompt.prompt == "When is the meeting?"
    assert "fileData" in prompt.body["contents"][0]["parts"][0]


def test_a_deleted_file_fails_as_on_the_real_api(genai_client, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Draft.")
    uploaded = genai_client.files.upload(file=notes)
    genai_client.files.delete(name=uploaded.name)
    with pytest.raises(errors.ClientError) as raised:
        genai_client.models.generate_content(model=app.MODEL, contents=[uploaded, "Summarise"])
    assert raised.value.code == 403


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_async_summary(genaio_emulator, genai_async_client, anyio_backend):
    genaio_emulator.script.on().reply(text="Short.")
    assert await app.summarize_async(genai_async_client, "A long text") == "Short."
