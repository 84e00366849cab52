"""The typed models: strict with users, lenient with the server, exact on the wire."""

import base64
import datetime

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from genaio import types


def test_server_fields_unknown_to_this_version_are_kept():
    data = {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": "hi", "futurePartField": 1}]},
                "futureCandidateField": {"x": [1, 2]},
            }
        ],
        "futureTopLevel": "kept",
    }
    response = types.GenerateContentResponse.from_wire(data)
    assert response.text == "hi"
    assert response.model_extra == {"futureTopLevel": "kept"}
    assert response.to_wire() == data


@pytest.mark.parametrize(
    "build",
    [
        lambda: types.GenerateContentConfig(temprature=0.2),
        lambda: types.GenerateContentConfig(temperature="hot"),
        lambda: types.GenerateContentConfig(safety_settings=[{"categroy": "X"}]),
        lambda: types.GenerateContentConfig(system_instruction=3),
        lambda: types.GenerateContentConfig(tools=["not a tool"]),
        lambda: types.GenerateContentConfig(response_schema=3),
        lambda: types.Content(parts=[{"txt": "typo"}]),
        lambda: types.EmbedContentConfig(output_dimensionality="many"),
        lambda: types.Part(inline_data={"data": "not base64!!", "mime_type": "x"}),
    ],
)
def test_bad_user_input_is_a_validation_error(build):
    with pytest.raises(pydantic.ValidationError):
        build()


def test_users_may_write_snake_or_camel_case():
    a = types.GenerateContentConfig.model_validate({"maxOutputTokens": 5, "top_p": 0.5})
    b = types.GenerateContentConfig(max_output_tokens=5, topP=0.5)
    assert a == b
    assert a.to_wire() == {"maxOutputTokens": 5, "topP": 0.5}


def test_config_fields_take_nested_dicts():
    config = types.GenerateContentConfig(
        thinking_config={"thinking_budget": 0},
        tool_config={"function_calling_config": {"mode": "ANY", "allowed_function_names": ["f"]}},
        safety_settings=[{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "OFF"}],
        tools=[{"google_search": {}}, {"code_execution": {}}],
    )
    assert config.tool_config.function_calling_config.mode is types.FunctionCallingConfigMode.ANY
    assert config.tools[0].google_search == types.GoogleSearch()
    assert config.safety_settings[0].threshold == "OFF"


@pytest.mark.parametrize(
    "instruction",
    ["be nice", ["a", "b"], {"parts": [{"text": "x"}]}, {"text": "x"}, types.Part(text="x")],
)
def test_system_instruction_takes_what_the_sdk_takes(instruction):
    assert types.GenerateContentConfig(system_instruction=instruction).system_instruction


def test_response_schema_dict_is_read_as_schema():
    config = types.GenerateContentConfig(response_schema={"type": "object"})
    assert config.response_schema == types.Schema(type="OBJECT")


def test_loose_models_forward_new_options():
    search = types.GoogleSearch(some_new_option=True)
    assert search.to_wire() == {"some_new_option": True}


def test_inline_data_is_url_safe_base64_with_padding():
    data = b"\xfb\xff\xfe"
    part = types.Part.from_bytes(data=data, mime_type="image/png")
    assert part.to_wire() == {"inlineData": {"data": "-__-", "mimeType": "image/png"}}
    blob = types.Blob(data=b"\xff")
    assert blob.to_wire()["data"] == "_w=="


@pytest.mark.parametrize("encoded", ["+//+", "-__-", "+//+==", "-__-"])
def test_base64_is_read_in_every_variant(encoded):
    part = types.Part.from_wire({"inlineData": {"data": encoded}})
    assert part.inline_data.data == b"\xfb\xff\xfe"


def test_unpadded_base64_is_read():
    assert types.Blob.from_wire({"data": "_w"}).data == b"\xff"


@given(st.binary(max_size=64), st.text(max_size=20), st.booleans())
def test_parts_round_trip_through_the_wire(data, text, thought):
    part = types.Part(
        text=text,
        thought=thought,
        thought_signature=data,
        inline_data=types.Blob(data=data, mime_type="application/octet-stream"),
    )
    assert types.Part.from_wire(part.to_wire()) == part
    assert types.Part.model_validate_json(part.model_dump_json(by_alias=True)) == part


def test_citation_sources_become_citations():
    metadata = types.CitationMetadata.from_wire(
        {"citationSources": [{"uri": "u", "startIndex": 1}]}
    )
    assert metadata.citations[0].uri == "u"
    assert metadata.to_wire() == {"citationSources": [{"startIndex": 1, "uri": "u"}]}


def test_model_maps_supported_generation_methods():
    model = types.Model.from_wire(
        {
            "name": "models/x",
            "supportedGenerationMethods": ["generateContent"],
            "inputTokenLimit": 9,
        }
    )
    assert model.supported_actions == ["generateContent"]
    assert model.input_token_limit == 9
    assert types.Model.from_wire({"versionId": "3"}).version == "3"


def test_list_models_response_reads_tuned_models():
    page = types.ListModelsResponse.from_wire({"tunedModels": [{"name": "tunedModels/a"}]})
    assert page.models[0].name == "tunedModels/a"


def test_usage_and_feedback_parse():
    response = types.GenerateContentResponse.from_wire(
        {
            "promptFeedback": {
                "blockReason": "SAFETY",
                "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"}],
            },
            "usageMetadata": {
                "promptTokenCount": 3,
                "totalTokenCount": 4,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 3}],
            },
            "createTime": "2025-01-01T00:00:00Z",
            "modelVersion": "gemini-x",
            "responseId": "r1",
        }
    )
    assert response.prompt_feedback.block_reason is types.BlockedReason.SAFETY
    assert response.usage_metadata.prompt_tokens_details[0].modality == "TEXT"
    assert response.create_time == datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    assert response.text is None and response.parts is None and response.function_calls is None


def _response(*parts, extra_candidates=()):
    candidates = [{"content": {"role": "model", "parts": list(parts)}}, *extra_candidates]
    return types.GenerateContentResponse.from_wire({"candidates": candidates})


def test_text_joins_non_thought_text_of_the_first_candidate():
    response = _response(
        {"text": "thinking", "thought": True},
        {"text": "Hello "},
        {"functionCall": {"name": "f"}},
        {"text": "world"},
        extra_candidates=[{"content": {"parts": [{"text": "other"}]}}],
    )
    assert response.text == "Hello world"
    assert len(response.parts) == 4


def test_text_is_none_without_text_and_empty_text_counts():
    assert _response({"functionCall": {"name": "f"}}).text is None
    assert _response({"text": "t", "thought": True}).text is None
    assert _response({"text": ""}).text == ""


def test_function_calls_and_code_properties():
    response = _response(
        {"functionCall": {"name": "f", "args": {"a": 1}}},
        {"executableCode": {"code": "print(1)", "language": "PYTHON"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}},
        {"functionCall": {"name": "g"}},
    )
    assert [c.name for c in response.function_calls] == ["f", "g"]
    assert response.executable_code == "print(1)"
    assert response.code_execution_result == "1\n"
    assert _response({"text": "x"}).function_calls is None


def test_parsed_and_http_response_are_not_sent():
    response = types.GenerateContentResponse(
        parsed={"a": 1}, sdk_http_response={"headers": {"a": "b"}}
    )
    assert "parsed" not in response.to_wire()
    assert response.sdk_http_response.headers == {"a": "b"}


def test_tokens_info_bytes_are_base64():
    info = types.ComputeTokensResponse.from_wire(
        {"tokensInfo": [{"tokens": [base64.b64encode(b"hi").decode()], "tokenIds": ["7"]}]}
    )
    assert info.tokens_info[0].tokens == [b"hi"]
    assert info.tokens_info[0].token_ids == [7]


def test_int64_strings_from_the_server_become_ints():
    assert types.File.from_wire({"sizeBytes": "1024"}).size_bytes == 1024
