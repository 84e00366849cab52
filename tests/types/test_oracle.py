"""Our request bodies and parsed responses against what the official SDK (3.4) builds.

Key spelling is compared in camelCase: the SDK passes some nested objects in snake_case, and
the API takes both (spec §1.7).
"""

import enum
import typing

import pydantic
import pytest

from genaio import types
from genaio.api._bodies import (
    count_tokens_body,
    embed_content_body,
    generate_content_body,
    parse_embed_response,
)


class Color(enum.Enum):
    RED = "red"


class Inner(pydantic.BaseModel):
    """Inner doc."""

    z: float = 1.5


class Recipe(pydantic.BaseModel):
    name: str = pydantic.Field(description="the name")
    color: Color
    inner: Inner
    inners: list[Inner]
    maybe: Inner | None = None
    choice: typing.Literal["x", "y"]
    either: int | str
    flag: bool
    numbers: list[int] | None = None


def weather(city: str, days: int = 3, unit: typing.Literal["c", "f"] = "c") -> dict[str, float]:
    """Weather for a city."""
    return {}


def noop(p: Inner | None = None) -> None:
    pass


CONFIGS = [
    {},
    {
        "temperature": 0.3,
        "top_p": 0.9,
        "top_k": 40,
        "candidate_count": 1,
        "seed": 7,
        "max_output_tokens": 100,
        "stop_sequences": ["END"],
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "response_logprobs": True,
        "logprobs": 3,
    },
    {"system_instruction": "be brief", "cached_content": "abc", "service_tier": "flex"},
    {"system_instruction": ["a", types.Part(text="b")]},
    {"safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}]},
    {
        "tools": [weather, {"google_search": {}}, noop, {"url_context": {}}],
        "tool_config": {
            "function_calling_config": {"mode": "ANY", "allowed_function_names": ["weather"]}
        },
        "automatic_function_calling": {"disable": True},
    },
    {
        "tools": [
            types.Tool(
                function_declarations=[
                    types.FunctionDeclaration(
                        name="f",
                        description="d",
                        parameters={"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
                    )
                ]
            )
        ]
    },
    {"response_mime_type": "application/json", "response_schema": Recipe},
    {"response_mime_type": "application/json", "response_schema": list[Recipe]},
    {"response_schema": Color},
    {"response_schema": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}},
    {"response_json_schema": {"type": "object", "properties": {"a": {"type": "string"}}}},
    {
        "thinking_config": {"thinking_budget": 128, "include_thoughts": True},
        "media_resolution": "MEDIA_RESOLUTION_LOW",
        "response_modalities": ["TEXT", "IMAGE"],
        "speech_config": "Kore",
        "image_config": {"aspect_ratio": "16:9"},
    },
    {"labels": {"team": "a"}, "http_options": {"timeout": 1000}},
]

CONTENTS = [
    "hi",
    ["a", "b"],
    ["a", types.Part.from_function_call(name="f", args={"x": 1}), "b"],
    ["a", ["b", "c"], "d"],
    [
        types.Content(role="user", parts=[types.Part(text="q")]),
        {"role": "model", "parts": [{"text": "r"}]},
        "next",
    ],
    types.Part.from_bytes(data=b"\x00\xff", mime_type="image/png"),
    [
        types.Part.from_uri(file_uri="gs://b/x.mp4", mime_type="video/mp4"),
        types.Part(text="t", thought_signature=b"\x01\xfe"),
    ],
    {"parts": [{"function_response": {"name": "f", "response": {"result": 1}}}]},
]


def _sdk_generate_body(sdk, contents, config, vertex):
    seen, _ = sdk(
        lambda aio: aio.models.generate_content(model="m", contents=contents, config=config),
        vertex=vertex,
    )
    return seen[0][2]


@pytest.mark.parametrize("vertex", [False, True])
@pytest.mark.parametrize("config", CONFIGS)
def test_generate_content_config_matches_the_sdk(sdk, camel, config, vertex):
    theirs = _sdk_generate_body(sdk, "hi", config, vertex)
    parent = "projects/p/locations/us-central1" if vertex else None
    ours = generate_content_body("hi", config, vertex=vertex, parent=parent)
    schema = theirs.get("generationConfig", {}).get("responseSchema", {})
    if schema.get("title") == "Placeholder":  # the SDK's name for a schema with no title
        del schema["title"]
    assert camel(ours) == camel(theirs)


@pytest.mark.parametrize("contents", CONTENTS)
def test_contents_match_the_sdk(sdk, camel, contents):
    theirs = _sdk_generate_body(sdk, contents, None, False)
    assert camel(generate_content_body(contents, None, vertex=False)) == camel(theirs)


@pytest.mark.parametrize("vertex", [False, True])
@pytest.mark.parametrize(
    "model", ["text-embedding-004", "gemini-embedding-001", "gemini-embedding-2-preview"]
)
@pytest.mark.parametrize("contents", ["one", ["one", "two"]])
def test_embed_bodies_match_the_sdk(sdk, camel, model, contents, vertex):
    config = {"task_type": "RETRIEVAL_DOCUMENT", "title": "t", "output_dimensionality": 8}
    if vertex:
        config["auto_truncate"] = True
    seen, _ = sdk(
        lambda aio: aio.models.embed_content(model=model, contents=contents, config=config),
        vertex=vertex,
        reply={"embeddings": []},
    )
    _, url, theirs = seen[0]
    verb, ours = embed_content_body(model, contents, config, vertex=vertex)
    assert url.endswith(f"/{model}:{verb}")
    assert camel(ours) == camel(theirs)


@pytest.mark.parametrize(
    ("model", "reply"),
    [
        (
            "text-embedding-004",
            {
                "predictions": [
                    {
                        "embeddings": {
                            "values": [1.0, 2.0],
                            "statistics": {"token_count": 3, "truncated": False},
                        }
                    }
                ],
                "metadata": {"billableCharacterCount": 5},
            },
        ),
        (
            "gemini-embedding-2-preview",
            {
                "embedding": {"values": [1.0]},
                "truncated": True,
                "usageMetadata": {"promptTokenCount": 2},
            },
        ),
    ],
)
def test_vertex_embed_responses_parse_like_the_sdk(sdk, model, reply):
    _, theirs = sdk(
        lambda aio: aio.models.embed_content(model=model, contents="one"),
        vertex=True,
        reply=reply,
    )
    verb, _ = embed_content_body(model, "one", None, vertex=True)
    ours = parse_embed_response(verb, reply)
    assert (
        ours.to_json_dict()["embeddings"]
        == theirs.model_dump(mode="json", exclude_none=True)["embeddings"]
    )
    assert (ours.metadata is None) == (theirs.metadata is None)


def test_count_tokens_on_vertex_matches_the_sdk(sdk, camel):
    config = {
        "system_instruction": "x",
        "tools": [{"google_search": {}}],
        "generation_config": {"temperature": 1.0, "thinking_config": {"thinking_budget": 1}},
    }
    seen, _ = sdk(
        lambda aio: aio.models.count_tokens(model="m", contents="hi", config=config),
        vertex=True,
        reply={"totalTokens": 1},
    )
    assert camel(count_tokens_body("hi", config, vertex=True)) == camel(seen[0][2])


RESPONSES = [
    {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [{"text": "thought", "thought": True}, {"text": "A"}, {"text": "B"}],
                },
                "finishReason": "STOP",
                "citationMetadata": {"citationSources": [{"uri": "u"}]},
            }
        ]
    },
    {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"functionCall": {"name": "f", "args": {"a": 1}}},
                        {"executableCode": {"code": "1+1", "language": "PYTHON"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "2"}},
                    ],
                }
            }
        ]
    },
    {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"totalTokenCount": 3}},
]


@pytest.mark.parametrize("reply", RESPONSES)
def test_responses_read_like_the_sdk(sdk, reply):
    _, theirs = sdk(lambda aio: aio.models.generate_content(model="m", contents="x"), reply=reply)
    ours = types.GenerateContentResponse.from_wire(reply)
    assert ours.text == theirs.text
    assert ours.executable_code == theirs.executable_code
    assert ours.code_execution_result == theirs.code_execution_result
    ours_calls = [c.to_json_dict() for c in ours.function_calls or ()]
    their_calls = [
        c.model_dump(mode="json", exclude_none=True) for c in theirs.function_calls or ()
    ]
    assert ours_calls == their_calls
    if theirs.candidates and theirs.candidates[0].citation_metadata:
        assert ours.candidates[0].citation_metadata.citations[0].uri == "u"
