"""The facade's fast paths give what the slow ones gave: answers parsed without the user check,
headers wrapped without validation, calls without functions sent without the calling loop."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from genaio.api import _bodies
from genaio.engine._http11 import ResponseHeaders
from genaio.errors import UnknownApiResponseError
from genaio.types import (
    Candidate,
    EmbedContentResponse,
    GenerateContentConfig,
    GenerateContentResponse,
    HttpResponse,
    ListModelsResponse,
)
from genaio.types._base import WIRE_CONTEXT

#: Answers with fields this version does not know, at the top and nested (a LooseModel's too).
ANSWERS = [
    (
        GenerateContentResponse,
        {
            "candidates": [
                {
                    "content": {"parts": [{"text": "a", "newPartField": 1}], "role": "model"},
                    "finishReason": "STOP",
                    "newCandidateField": {"x": [1]},
                    "groundingMetadata": {"webSearchQueries": ["q"], "newGrounding": True},
                    "citationMetadata": {"citationSources": [{"uri": "u", "new": 2}]},
                }
            ],
            "usageMetadata": {"promptTokenCount": 3, "promptTokensDetails": [{"tokenCount": 3}]},
            "modelVersion": "m",
            "newTopField": "kept",
        },
    ),
    (GenerateContentResponse, {}),
    (EmbedContentResponse, {"embedding": {"values": [0.5], "newField": 1}}),
    (ListModelsResponse, {"models": [{"name": "models/m", "newField": {}}], "nextPageToken": "t"}),
]


def _state(model):
    """Everything an instance holds, nested models included, for exact comparison."""
    if isinstance(model, list):
        return [_state(item) for item in model]
    if not hasattr(model, "__pydantic_fields_set__"):
        return model
    return (
        type(model),
        {name: _state(value) for name, value in model.__dict__.items()},
        model.__pydantic_fields_set__,
        model.__pydantic_extra__,
        model.__pydantic_private__,
    )


@pytest.mark.parametrize(("cls", "data"), ANSWERS)
def test_answers_parse_as_with_the_wire_context(cls, data):
    parsed = cls.from_wire(data)
    assert _state(parsed) == _state(cls.model_validate(data, context=WIRE_CONTEXT))
    assert parsed.to_wire() == cls.model_validate(data, context=WIRE_CONTEXT).to_wire()


def test_answers_keep_what_they_do_not_know_at_every_level():
    response = GenerateContentResponse.from_wire(ANSWERS[0][1])
    candidate = response.candidates[0]
    assert response.model_extra == {"newTopField": "kept"}
    assert candidate.model_extra == {"newCandidateField": {"x": [1]}}
    assert candidate.content.parts[0].model_extra == {"newPartField": 1}
    assert candidate.grounding_metadata.model_extra == {"newGrounding": True}


def test_users_unknown_fields_are_still_refused_after_answers_were_parsed():
    GenerateContentResponse.from_wire(ANSWERS[0][1])  # builds the wire validator
    with pytest.raises(ValidationError, match="unknown field"):
        Candidate(content={"parts": [{"txt": "a typo"}]})
    with pytest.raises(ValidationError, match="unknown field"):
        GenerateContentResponse.model_validate({"candidates": [{"finish_reasn": "STOP"}]})
    with pytest.raises(ValidationError, match="unknown field"):
        GenerateContentConfig(temperature=0.5, safety_settings=[{"categry": "x"}])


def test_a_malformed_answer_is_the_servers_fault_and_named():
    with pytest.raises(UnknownApiResponseError, match="not a valid GenerateContentResponse") as e:
        GenerateContentResponse.from_wire({"candidates": [{"index": "first"}]})
    assert "1 validation error for GenerateContentResponse" in str(e.value)
    assert "candidates.0.index" in str(e.value)


@pytest.mark.parametrize(
    "headers",
    [
        ResponseHeaders.of([(b"Content-Type", b"text/plain"), (b"x-a", b"1"), (b"x-a", b"2")]),
        httpx.Headers([("Content-Type", "application/json"), ("x-a", "1"), ("x-a", "2")]),
        {"content-type": "application/json"},
        {},
    ],
)
def test_http_response_of_is_what_validation_builds(headers):
    built, validated = HttpResponse.of(headers), HttpResponse(headers=dict(headers.items()))
    assert _state(built) == _state(validated)
    assert type(built.headers) is dict
    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_copy(deep=True) == validated
    response = GenerateContentResponse(sdk_http_response=built)
    assert response.sdk_http_response.headers == dict(headers.items())
    assert response.to_wire() == GenerateContentResponse(sdk_http_response=validated).to_wire()


def _answer(text):
    return GenerateContentResponse.from_wire(
        {"candidates": [{"content": {"parts": [{"text": text}]}}]}
    )


@pytest.mark.parametrize(
    "config",
    [
        {"response_schema": {"type": "OBJECT"}},
        {"responseSchema": {"type": "OBJECT"}},
        {"response_json_schema": {"type": "object"}},
        {"responseJsonSchema": {"type": "object"}},
        {"temperature": 0.1, "response_mime_type": "application/json", "response_schema": dict},
        GenerateContentConfig(response_json_schema={"type": "object"}),
    ],
)
def test_a_config_that_asks_for_structured_output_gets_it_parsed(config):
    assert _bodies.attach_parsed(_answer('{"a": 1}'), config).parsed == {"a": 1}


@pytest.mark.parametrize(
    "config", [None, {}, {"temperature": 0.1}, GenerateContentConfig(temperature=0.1)]
)
def test_a_config_without_a_schema_leaves_parsed_unset(config):
    assert _bodies.attach_parsed(_answer('{"a": 1}'), config).parsed is None
