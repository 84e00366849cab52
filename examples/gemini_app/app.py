"""A small Gemini application, written against google-genai as most are.

Its tests (test_app.py) run it on genaio's emulator: see docs/testing-your-app.md.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import pydantic
from google import genai
from google.genai import errors, types

MODEL = "gemini-2.5-flash"
EMBEDDER = "gemini-embedding-001"


class Summary(pydantic.BaseModel):
    title: str
    sentiment: Literal["positive", "negative", "neutral"]
    key_points: list[str]


def summarize(client: genai.Client, text: str) -> Summary:
    """A structured summary, as JSON that follows the `Summary` schema."""
    response = client.models.generate_content(
        model=MODEL,
        contents=f"Summarise this review:\n{text}",
        config=types.GenerateContentConfig(
            response_mime_type="application/json", response_schema=Summary
        ),
    )
    return Summary.model_validate_json(response.text or "")


def triage(client: genai.Client, review: str) -> str:
    """Where a review goes: negative ones to a person, the rest to the archive; when the
    model is rate limited, to a queue for later."""
    try:
        summary = summarize(client, review)
    except errors.ClientError as error:
        if error.code == 429:
            return "queue"
        raise
    return "escalate" if summary.sentiment == "negative" else "archive"


def stream_story(client: genai.Client, prompt: str) -> Iterator[str]:
    """The story's text as it arrives."""
    for chunk in client.models.generate_content_stream(model=MODEL, contents=prompt):
        if chunk.text:
            yield chunk.text


class SearchIndex:
    """Semantic search over a few documents: embed them once, rank by cosine similarity."""

    def __init__(self, client: genai.Client, documents: Sequence[str]) -> None:
        self.client = client
        self.documents = list(documents)
        self.vectors = self._embed(self.documents, "RETRIEVAL_DOCUMENT")

    def _embed(self, texts: Sequence[str], task: str) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), 100):  # at most 100 texts per request
            response = self.client.models.embed_content(
                model=EMBEDDER,
                contents=list(texts[start : start + 100]),
                config=types.EmbedContentConfig(task_type=task),
            )
            vectors.extend(e.values or [] for e in response.embeddings or [])
        return vectors

    def search(self, query: str, k: int = 3) -> list[str]:
        (q,) = self._embed([query], "RETRIEVAL_QUERY")
        scores = [_cosine(q, v) for v in self.vectors]
        ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
        return [self.documents[i] for i in ranked[:k]]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def get_weather(city: str) -> dict[str, str]:
    """The weather in a city (a stand-in for a real weather service)."""
    return {"city": city, "forecast": "sunny"}


def weather_chat(client: genai.Client, question: str) -> str:
    """A chat whose model may call `get_weather` (google-genai runs the call itself)."""
    chat = client.chats.create(model=MODEL, config=types.GenerateContentConfig(tools=[get_weather]))
    return chat.send_message(question).text or ""


def ask_about_file(client: genai.Client, path: Path, question: str) -> str:
    """Upload a file, then ask about it."""
    uploaded = client.files.upload(file=path)
    response = client.models.generate_content(model=MODEL, contents=[uploaded, question])
    return response.text or ""


async def summarize_async(aio: genai.client.AsyncClient, text: str) -> str:
    """The same model, on asyncio (`client.aio`)."""
    response = await aio.models.generate_content(model=MODEL, contents=f"Summarise: {text}")
    return response.text or ""
