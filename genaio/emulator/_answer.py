"""Build a `GenerateContentResponse` (whole or as stream chunks) for a request body. Pure.

Shared by generateContent, streamGenerateContent, batches, interactions and Vertex.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ._generate import function_call, last_user_text, png_bytes, reply_text, schema_value
from ._http import ApiError, g
from ._script import Reply
from ._tokenizer import content_tokens, contents_tokens, split_tokens, text_tokens, truncate

__all__ = [
    "Answer",
    "answer",
    "grounding_metadata",
    "prompt_tokens",
    "stream_chunks",
    "whole_response",
]


@attrs.frozen
class Answer:
    parts: list[dict[str, Any]]
    finish_reason: str
    prompt_tokens: int
    output_tokens: int
    thought_tokens: int
    cached_tokens: int
    candidate_count: int
    model_version: str
    response_id: str
    grounding: dict[str, Any] | None = None  # on an answer grounded in Google Search


def prompt_tokens(body: Mapping[str, Any], cached: Mapping[str, Any] | None = None) -> int:
    """Input tokens: contents, system instruction and tools (plus a cache's, if used)."""
    total = contents_tokens(g(body, "contents"))
    system = g(body, "systemInstruction")
    if system:
        total += content_tokens(system)
    tools = g(body, "tools")
    if tools:
        total += text_tokens(json.dumps(tools))
    if cached:
        total += int(cached["usageMetadata"]["totalTokenCount"])
    return total


def answer(
    model: str,
    body: Mapping[str, Any],
    cached: Mapping[str, Any] | None = None,
    scripted: Reply | None = None,
) -> Answer:
    """The model's answer to a GenerateContentRequest body: the scripted reply's content when
    a rule gave some, else the deterministic default made here."""
    scripted_parts = scripted.parts() if scripted is not None else None
    if scripted is not None and scripted_parts is not None:
        return _complete(model, body, cached, scripted_parts, scripted.finish_reason, 0)
    contents = list(g(cached, "contents", ())) + list(g(body, "contents", ()))
    if not g(body, "contents"):
        raise ApiError(400, "* GenerateContentRequest.contents: contents is not specified\n")
    config = g(body, "generationConfig", {})
    tools = g(body, "tools") or g(cached, "tools")
    tool_config = g(body, "toolConfig") or g(cached, "toolConfig")
    parts: list[dict[str, Any]] = []
    finish = "STOP"
    thought_tokens = 0
    grounding = None
    call = function_call(contents, tools, tool_config)
    if call is not None:
        parts.append({"functionCall": call})
    else:
        text = _text(contents, config)
        for stop in g(config, "stopSequences", ()):
            if stop and stop in text:
                text = text[: text.index(stop)]
        text, cut = truncate(text, int(g(config, "maxOutputTokens", 0) or 0))
        if cut:
            finish = "MAX_TOKENS"
        thinking = g(config, "thinkingConfig", {})
        if g(thinking, "includeThoughts"):
            thought = f"Thinking about: {last_user_text(contents)[:80]}"
            thought_tokens = text_tokens(thought)
            parts.append({"text": thought, "thought": True})
        parts.append({"text": text})
        if _searches(tools):
            grounding = grounding_metadata(last_user_text(contents), text)
        modalities = [str(m).upper() for m in g(config, "responseModalities", ())]
        if "IMAGE" in modalities:
            data = base64.urlsafe_b64encode(png_bytes(text)).decode()
            parts.append({"inlineData": {"mimeType": "image/png", "data": data}})
    return attrs.evolve(
        _complete(model, body, cached, parts, finish, thought_tokens), grounding=grounding
    )


def _searches(tools: Sequence[Any] | None) -> bool:
    """Whether a tool is Google Search (`googleSearch`, or the older `googleSearchRetrieval`)."""
    return any(
        isinstance(t, Mapping)
        and (g(t, "googleSearch") is not None or g(t, "googleSearchRetrieval") is not None)
        for t in tools or ()
    )


def grounding_metadata(query: str, text: str) -> dict[str, Any]:
    """Deterministic grounding for an answer: the query searched, two sources from the query's
    words, the whole answer supported by both, and the search suggestion chip to show."""
    words = re.findall(r"\w+", query.lower())[:4] or ["search"]
    slug = "-".join(words)
    chunks = [
        {"web": {"uri": f"https://example.com/{slug}", "title": "example.com"}},
        {"web": {"uri": f"https://example.org/{slug}", "title": "example.org"}},
    ]
    support = {
        "segment": {"startIndex": 0, "endIndex": len(text.encode()), "text": text},
        "groundingChunkIndices": [0, 1],
        "confidenceScores": [0.9, 0.8],
    }
    search = f"https://www.google.com/search?q={slug}"
    chip = f'<div class="search-entry-point"><a href="{search}">{query[:80]}</a></div>'
    return {
        "webSearchQueries": [query],
        "searchEntryPoint": {"renderedContent": chip},
        "groundingChunks": chunks,
        "groundingSupports": [support],
    }


def _complete(
    model: str,
    body: Mapping[str, Any],
    cached: Mapping[str, Any] | None,
    parts: list[dict[str, Any]],
    finish: str,
    thought_tokens: int,
) -> Answer:
    """The `Answer` around the parts: token counts, candidate count and a stable id."""
    config = g(body, "generationConfig", {})
    output = sum(content_tokens({"parts": [p]}) for p in parts if not p.get("thought"))
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).digest()
    return Answer(
        parts=parts,
        finish_reason=finish,
        prompt_tokens=prompt_tokens(body, cached),
        output_tokens=output,
        thought_tokens=thought_tokens,
        cached_tokens=int(cached["usageMetadata"]["totalTokenCount"]) if cached else 0,
        candidate_count=max(1, int(g(config, "candidateCount", 1) or 1)),
        model_version=model.rsplit("/", 1)[-1],
        response_id=base64.urlsafe_b64encode(digest[:16]).decode().rstrip("="),
    )


def _text(contents: Sequence[Any], config: Mapping[str, Any]) -> str:
    mime = str(g(config, "responseMimeType", "text/plain")).lower()
    schema = g(config, "responseJsonSchema") or g(config, "responseSchema")
    prompt = last_user_text(contents)
    if mime == "application/json":
        value = schema_value(schema, prompt) if schema else {"response": reply_text(contents)}
        return json.dumps(value)
    if mime == "text/x.enum" and isinstance(schema, Mapping) and schema.get("enum"):
        return str(schema["enum"][0])
    return reply_text(contents)


def _usage(a: Answer, output: int, final: bool) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "promptTokenCount": a.prompt_tokens,
        "candidatesTokenCount": output * a.candidate_count,
        "totalTokenCount": a.prompt_tokens + output * a.candidate_count + a.thought_tokens,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": a.prompt_tokens}],
    }
    if a.thought_tokens and final:
        usage["thoughtsTokenCount"] = a.thought_tokens
    if a.cached_tokens:
        usage["cachedContentTokenCount"] = a.cached_tokens
    return usage


def _candidates(a: Answer, parts: list[dict[str, Any]], finish: bool) -> list[dict[str, Any]]:
    result = []
    for index in range(a.candidate_count):
        candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": index}
        if finish:
            candidate["finishReason"] = a.finish_reason
            if a.grounding is not None:
                candidate["groundingMetadata"] = a.grounding
        result.append(candidate)
    return result


def whole_response(a: Answer) -> dict[str, Any]:
    return {
        "candidates": _candidates(a, a.parts, True),
        "usageMetadata": _usage(a, a.output_tokens, True),
        "modelVersion": a.model_version,
        "responseId": a.response_id,
    }


def stream_chunks(a: Answer, words_per_chunk: int, split: bool = True) -> list[dict[str, Any]]:
    """The answer as SSE chunks: text split every `words_per_chunk` words (unless `split` is
    False: one part per chunk, as a scripted stream gives them), usage on each."""
    pieces: list[list[dict[str, Any]]] = []
    for part in a.parts:
        text = part.get("text")
        if text is None or part.get("thought") or not split:
            pieces.append([part])
            continue
        words = re.findall(r"\S+\s*", text) or [""]
        for start in range(0, len(words), max(1, words_per_chunk)):
            pieces.append([{"text": "".join(words[start : start + words_per_chunk])}])
    chunks = []
    sent = 0
    for index, parts in enumerate(pieces):
        final = index == len(pieces) - 1
        sent += sum(len(split_tokens(p.get("text", ""))) for p in parts)
        output = a.output_tokens if final else min(sent, a.output_tokens)
        chunks.append(
            {
                "candidates": _candidates(a, parts, final),
                "usageMetadata": _usage(a, output, final),
                "modelVersion": a.model_version,
                "responseId": a.response_id,
            }
        )
    return chunks
