"""Request bodies of the models family (spec §3.2, §14) and the shapes read back."""

import enum

import pydantic
import pytest

from genaio import types
from genaio.api._bodies import (
    attach_parsed,
    compute_tokens_body,
    count_tokens_body,
    embed_content_body,
    generate_content_body,
    list_models_path,
    list_models_query,
    parse_embed_response,
)

HI = [{"role": "user", "parts": [{"text": "hi"}]}]


def test_no_config_sends_contents_only():
    assert generate_content_body("hi", None, vertex=False) == {"contents": HI}
    assert generate_content_body("hi", {}, vertex=False) == {"contents": HI}


def test_a_config_always_brings_generation_config():
    expected = {"contents": HI, "generationConfig": {}}
    assert generate_content_body("hi", types.GenerateContentConfig(), vertex=False) == expected
    assert generate_content_body("hi", {"http_options": {}}, vertex=False) == expected


def test_fields_go_to_top_level_or_generation_config():
    config = types.GenerateContentConfig(
        system_instruction="be nice",
        safety_settings=[{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        tools=[{"code_execution": {}}],
        tool_config={"function_calling_config": {"mode": "NONE"}},
        cached_content="abc",
        service_tier="flex",
        labels={"team": "a"},
        temperature=0.1,
        max_output_tokens=9,
        response_modalities=["TEXT"],
        thinking_config={"thinking_level": "LOW"},
        http_options={"timeout": 5},
        automatic_function_calling={"disable": True},
        should_return_http_response=True,
    )
    assert generate_content_body("hi", config, vertex=False) == {
        "contents": HI,
        "systemInstruction": {"role": "user", "parts": [{"text": "be nice"}]},
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}],
        "tools": [{"codeExecution": {}}],
        "toolConfig": {"functionCallingConfig": {"mode": "NONE"}},
        "cachedContent": "cachedContents/abc",
        "serviceTier": "flex",
        "labels": {"team": "a"},
        "generationConfig": {
            "temperature": 0.1,
            "maxOutputTokens": 9,
            "responseModalities": ["TEXT"],
            "thinkingConfig": {"thinkingLevel": "LOW"},
        },
    }


def test_schemas_and_speech_are_converted():
    class Answer(pydantic.BaseModel):
        value: int

    body = generate_content_body(
        "hi",
        {
            "response_schema": Answer,
            "response_json_schema": {"type": "object"},
            "speech_config": "Puck",
        },
        vertex=False,
    )
    generation = body["generationConfig"]
    assert generation["responseSchema"]["properties"] == {
        "value": {"type": "INTEGER", "title": "Value"}
    }
    assert generation["responseJsonSchema"] == {"type": "object"}
    assert generation["speechConfig"]["voiceConfig"] == {
        "prebuiltVoiceConfig": {"voiceName": "Puck"}
    }


@pytest.mark.parametrize(
    "config",
    [
        {"routing_config": {"auto_mode": {}}},
        {"model_selection_config": {}},
        {"audio_timestamp": True},
        {"model_armor_config": {}},
        {"generation_output_config": {}},
        {"safety_settings": [{"category": "HARM_CATEGORY_HARASSMENT", "method": "SEVERITY"}]},
        {"tools": [{"retrieval": {}}]},
        {"tools": [{"enterprise_web_search": {}}]},
        {"tools": [{"google_search": {"exclude_domains": ["a.com"]}}]},
        {"tool_config": {"function_calling_config": {"stream_function_call_arguments": True}}},
        {"image_config": {"output_mime_type": "image/png"}},
    ],
)
def test_vertex_only_fields_are_refused_on_gemini(config):
    with pytest.raises(ValueError, match="only available on Vertex AI"):
        generate_content_body("hi", config, vertex=False)
    assert generate_content_body("hi", config, vertex=True)["contents"] == HI


def test_vertex_only_part_fields_are_refused_on_gemini():
    call = {"role": "model", "parts": [{"function_call": {"name": "f", "will_continue": True}}]}
    with pytest.raises(ValueError, match="will_continue"):
        generate_content_body([call], None, vertex=False)


def test_vertex_places_its_fields_and_refuses_store():
    body = generate_content_body(
        "hi",
        {
            "model_armor_config": {"prompt_template_name": "t"},
            "generation_output_config": {},
            "cached_content": "c1",
        },
        vertex=True,
        parent="projects/p/locations/l",
    )
    assert body["modelArmorConfig"] == {"promptTemplateName": "t"}
    assert body["outputConfig"] == {}
    assert body["cachedContent"] == "projects/p/locations/l/cachedContents/c1"
    with pytest.raises(ValueError, match="Gemini Developer API"):
        generate_content_body("hi", {"store": True}, vertex=True)
    assert generate_content_body("hi", {"store": False}, vertex=False)["store"] is False


def test_bad_config_is_a_validation_error_before_any_body():
    with pytest.raises(pydantic.ValidationError):
        generate_content_body("hi", {"temprature": 1}, vertex=False)


def test_embed_on_gemini_sends_one_request_per_element():
    verb, body = embed_content_body(
        "text-embedding-004",
        ["a", types.Content(parts=[types.Part(text="b")])],
        {"task_type": "RETRIEVAL_DOCUMENT", "title": "t", "output_dimensionality": 8},
        vertex=False,
    )
    assert verb == "batchEmbedContents"
    options = {"taskType": "RETRIEVAL_DOCUMENT", "title": "t", "outputDimensionality": 8}
    assert body == {
        "requests": [
            {
                "model": "models/text-embedding-004",
                "content": HI[0] | {"parts": [{"text": "a"}]},
                **options,
            },
            {
                "model": "models/text-embedding-004",
                "content": {"parts": [{"text": "b"}]},
                **options,
            },
        ]
    }


def test_embed_with_multimodal_gemini_models_groups_parts():
    verb, body = embed_content_body("models/gemini-embedding-2", ["a", "b"], None, vertex=False)
    assert verb == "batchEmbedContents"
    assert body["requests"] == [
        {
            "model": "models/gemini-embedding-2",
            "content": {"role": "user", "parts": [{"text": "a"}, {"text": "b"}]},
        }
    ]


def test_embed_refuses_vertex_options_on_gemini():
    with pytest.raises(ValueError, match="auto_truncate"):
        embed_content_body("text-embedding-004", "a", {"auto_truncate": True}, vertex=False)


def test_embed_on_vertex():
    verb, body = embed_content_body(
        "text-embedding-005",
        ["a", "b"],
        {"task_type": "CLUSTERING", "output_dimensionality": 4, "auto_truncate": False},
        vertex=True,
    )
    assert verb == "predict"
    assert body == {
        "instances": [
            {"content": "a", "task_type": "CLUSTERING"},
            {"content": "b", "task_type": "CLUSTERING"},
        ],
        "parameters": {"outputDimensionality": 4, "autoTruncate": False},
    }
    verb, body = embed_content_body("gemini-embedding-2", "a", {"title": "t"}, vertex=True)
    assert (verb, body) == (
        "embedContent",
        {"content": HI[0] | {"parts": [{"text": "a"}]}, "embedContentConfig": {"title": "t"}},
    )
    verb, body = embed_content_body("gemini-embedding-001", ["a", "b"], None, vertex=True)
    assert verb == "batchEmbedContents"
    assert [r["content"]["parts"][0]["text"] for r in body["requests"]] == ["a", "b"]


def test_parse_embed_responses():
    gemini = parse_embed_response("batchEmbedContents", {"embeddings": [{"values": [0.5]}]})
    assert gemini.embeddings[0].values == [0.5]
    predict = parse_embed_response(
        "predict",
        {
            "predictions": [
                {
                    "embeddings": {
                        "values": [1.0],
                        "statistics": {"token_count": 3, "truncated": False},
                    }
                }
            ],
            "metadata": {"billableCharacterCount": 5},
        },
    )
    assert predict.embeddings[0].statistics.token_count == 3
    assert predict.embeddings[0].statistics.truncated is False
    assert predict.metadata.billable_character_count == 5
    single = parse_embed_response(
        "embedContent",
        {
            "embedding": {"values": [2.0]},
            "usageMetadata": {"promptTokenCount": 4},
            "truncated": True,
        },
    )
    assert single.embeddings[0].values == [2.0]
    assert single.embeddings[0].statistics.token_count == 4
    assert single.embeddings[0].statistics.truncated is True


def test_count_tokens():
    assert count_tokens_body("hi", None, vertex=False) == {"contents": HI}
    with pytest.raises(ValueError, match="system_instruction"):
        count_tokens_body("hi", {"system_instruction": "x"}, vertex=False)
    body = count_tokens_body(
        "hi",
        {
            "system_instruction": "x",
            "tools": [{"google_search": {}}],
            "generation_config": {"temperature": 1.0},
        },
        vertex=True,
    )
    assert body == {
        "contents": HI,
        "systemInstruction": {"role": "user", "parts": [{"text": "x"}]},
        "tools": [{"googleSearch": {}}],
        "generationConfig": {"temperature": 1.0},
    }


def test_compute_tokens_is_vertex_only():
    assert compute_tokens_body("hi", vertex=True) == {"contents": HI}
    with pytest.raises(ValueError):
        compute_tokens_body("hi", vertex=False)


def test_list_models():
    assert list_models_path(None, vertex=False) == ("models", "models")
    assert list_models_path({"query_base": False}, vertex=False) == ("tunedModels", "tunedModels")
    assert list_models_path(None, vertex=True) == ("publishers/google/models", "publisherModels")
    assert list_models_path({"query_base": False}, vertex=True) == ("models", "models")
    config = {"page_size": 5, "page_token": "t", "filter": "f"}
    assert list_models_query(config, vertex=False) == {
        "pageSize": 5,
        "pageToken": "t",
        "filter": "f",
    }
    assert list_models_query({"query_base": False}, vertex=True) == {"filter": "labels.tune-type:*"}


def _text_response(text):
    return types.GenerateContentResponse.from_wire(
        {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}}]}
    )


class Answer(pydantic.BaseModel):
    value: int


class Mood(enum.Enum):
    HAPPY = "happy"


@pytest.mark.parametrize(
    ("schema_field", "schema", "text", "expected"),
    [
        ("response_schema", Answer, '{"value": 3}', Answer(value=3)),
        ("response_schema", Answer, '{"value": "x"}', None),
        ("response_schema", Mood, '"happy"', Mood.HAPPY),
        ("response_schema", Mood, "sad", None),
        ("response_schema", list[int], "[1, 2]", [1, 2]),
        ("response_schema", {"type": "OBJECT"}, '{"a": 1}', {"a": 1}),
        ("response_json_schema", {"type": "object"}, '{"a": 1}', {"a": 1}),
        ("response_json_schema", {"type": "object"}, "not json", None),
    ],
)
def test_attach_parsed(schema_field, schema, text, expected):
    response = attach_parsed(_text_response(text), {schema_field: schema})
    assert response.parsed == expected


def test_attach_parsed_needs_a_schema():
    assert attach_parsed(_text_response("{}"), None).parsed is None
    assert attach_parsed(_text_response("{}"), {"temperature": 1}).parsed is None
