"""Types closed last against the SDK's surface, each read from the server's JSON or written to
it: Vertex batch outputs, JSON Schema documents, reference images' configs, Claude file
listings, the resource scope of a base URL, parameters objects and replay files."""

from __future__ import annotations

import pytest

from genaio import types


def test_a_vertex_batch_reads_its_output_info_and_dataset_destination() -> None:
    job = types.BatchJob.from_api(
        {
            "name": "projects/p/locations/l/batchPredictionJobs/1",
            "state": "JOB_STATE_SUCCEEDED",
            "outputConfig": {
                "vertexMultimodalDatasetDestination": {
                    "bigqueryDestination": "bq://p.d.t",
                    "displayName": "out",
                }
            },
            "outputInfo": {"vertexMultimodalDatasetName": "datasets/9"},
        },
        vertex=True,
    )
    assert job.dest is not None and job.dest.vertex_dataset is not None
    assert job.dest.vertex_dataset.bigquery_destination == "bq://p.d.t"
    assert job.output_info == types.BatchJobOutputInfo(vertex_multimodal_dataset_name="datasets/9")


def test_a_json_schema_keeps_its_own_keywords() -> None:
    wire = {
        "type": ["object", "null"],
        "properties": {"a": {"$ref": "#/$defs/A"}},
        "$defs": {"A": {"type": "string", "minLength": 1}},
        "anyOf": [{"type": "integer"}],
    }
    schema = types.JSONSchema.model_validate(wire)
    assert schema.type == [types.JSONSchemaType.OBJECT, types.JSONSchemaType.NULL]
    assert schema.properties is not None and schema.properties["a"].ref == "#/$defs/A"
    assert schema.defs is not None and schema.defs["A"].min_length == 1
    assert schema.to_wire() == wire
    assert types.JSONSchema(ref="#/x").to_wire() == {"$ref": "#/x"}


@pytest.mark.parametrize(
    ("kind", "config", "name"),
    [
        (types.MaskReferenceImage, types.MaskReferenceConfig(mask_dilation=0.1), "mask"),
        (types.ControlReferenceImage, types.ControlReferenceConfig(), "control"),
        (types.StyleReferenceImage, types.StyleReferenceConfig(), "style"),
        (types.SubjectReferenceImage, types.SubjectReferenceConfig(), "subject"),
    ],
)
def test_a_reference_images_config_reads_under_its_wire_name(kind, config, name) -> None:
    image = kind(reference_id=1, config=config)
    assert getattr(image, f"{name}_image_config") is config
    assert image.to_wire()[f"{name}ImageConfig"] == config.to_wire()


def test_a_claude_file_listing_is_typed() -> None:
    page = types.ListFilesResponse.from_wire(
        {
            "data": [{"id": "file_1", "type": "file", "sizeBytes": "10", "downloadable": False}],
            "nextPage": "p2",
        }
    )
    assert page.next_page == "p2" and page.data is not None
    assert page.data[0].size_bytes == 10
    deleted = types.DeleteFileResponse.from_wire({"id": "file_1", "type": "file_deleted"})
    assert (deleted.id, deleted.type) == ("file_1", "file_deleted")


def test_the_resource_scope_is_an_enum_equal_to_its_string() -> None:
    options = types.HttpOptions(base_url="https://x/v1", base_url_resource_scope="collection")
    assert options.base_url_resource_scope is types.ResourceScope.COLLECTION
    assert options.base_url_resource_scope == "COLLECTION"


def test_the_generation_output_config_is_typed() -> None:
    config = types.GenerateContentConfig(generation_output_config={"output_uri_prefix": "gs://b"})
    assert config.generation_output_config == types.GenerationOutputConfig(
        output_uri_prefix="gs://b"
    )
    thinking = types.GenerationConfigThinkingConfig(thinking_budget=0)
    assert types.GenerateContentConfig(thinking_config=thinking).thinking_config is thinking


def test_parameters_objects_and_local_results() -> None:
    params = types.EmbedContentParameters(model="m", contents="hi", config={"task_type": "X"})
    assert params.to_wire() == {"model": "m", "contents": "hi", "config": {"taskType": "X"}}
    assert types.UpscaleImageParameters(upscale_factor="x2").upscale_factor == "x2"
    assert types.CountTokensResult(total_tokens=3).total_tokens == 3
    assert types.EmbeddingApiType("embed_content") is types.EmbeddingApiType.EMBED_CONTENT


def test_a_replay_file_reads_its_exchanges() -> None:
    replay = types.ReplayFile.model_validate(
        {
            "replay_id": "r",
            "interactions": [
                {
                    "request": {"method": "post", "url": "{MLDEV_URL_PREFIX}/m:x"},
                    "response": {"status_code": 200, "body_segments": [{"a": 1}]},
                }
            ],
        }
    )
    assert replay.interactions is not None
    response = replay.interactions[0].response
    assert response is not None and response.body_segments == [{"a": 1}]


def test_a_schema_as_json_schema_and_back() -> None:
    schema = types.Schema(
        type="OBJECT",
        nullable=True,
        properties={"a": types.Schema(type="STRING", enum=["x", "y"])},
        required=["a"],
        example={"a": "x"},
        property_ordering=["a"],
    )
    assert schema.json_schema.to_wire() == {
        "type": ["null", "object"],
        "properties": {"a": {"type": "string", "enum": ["x", "y"]}},
        "required": ["a"],
    }
    back = types.Schema.from_json_schema(schema.json_schema)
    assert back.to_wire() == {
        "type": "OBJECT",
        "nullable": True,
        "properties": {"a": {"type": "STRING", "enum": ["x", "y"]}},
        "required": ["a"],
    }


def test_the_sdks_keywords_of_from_json_schema() -> None:
    free_form = {"type": "object", "additionalProperties": {"type": "string"}}
    with pytest.raises(ValueError, match="Vertex AI"):
        types.Schema.from_json_schema(json_schema=free_form)
    vertex = types.Schema.from_json_schema(json_schema=free_form, api_option="VERTEX_AI")
    assert vertex.additional_properties == {"type": "string"}
    assert types.Schema.from_json_schema({"type": "string", "x-ui": 1}).to_wire() == {
        "type": "STRING"
    }
    with pytest.raises(ValueError, match="x-ui"):
        types.Schema.from_json_schema(
            {"type": "string", "x-ui": 1}, raise_error_on_unsupported_field=True
        )


def test_a_function_response_from_an_mcp_tool_result() -> None:
    mcp = pytest.importorskip("mcp.types")
    result = mcp.CallToolResult(
        content=[
            mcp.TextContent(type="text", text="42"),
            mcp.ImageContent(type="image", data="aGk=", mimeType="image/png"),
        ],
        isError=False,
    )
    response = types.FunctionResponse.from_mcp_response(name="answer", response=result)
    assert response.to_wire() == {
        "name": "answer",
        "response": {
            "result": [
                {"type": "text", "text": "42"},
                {"type": "image", "data": "aGk=", "mimeType": "image/png"},
            ]
        },
    }
    failed = mcp.CallToolResult(content=[mcp.TextContent(type="text", text="no")], isError=True)
    assert types.FunctionResponse.from_mcp_response(name="f", response=failed).response == {
        "error": [{"type": "text", "text": "no"}]
    }


def test_an_operation_from_an_api_response_under_the_sdks_name() -> None:
    answer = {"name": "operations/1", "done": True, "response": {"documentName": "d"}}
    operation = types.ImportFileOperation.from_api_response(answer, is_vertex_ai=False)
    assert operation == types.ImportFileOperation.from_api(answer, vertex=False)
    assert operation.done is True


def test_the_initial_prompt_token_count_is_the_prompts() -> None:
    answer = types.GenerateContentResponse.from_wire(
        {"usageMetadata": {"promptTokenCount": 7, "totalTokenCount": 9}}
    )
    assert answer.initial_prompt_token_count == 7
    assert types.GenerateContentResponse().initial_prompt_token_count is None
