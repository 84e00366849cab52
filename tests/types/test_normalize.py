"""Argument normalization (spec §3.1)."""

import enum
import typing

import pydantic
import pytest

from genaio import types
from genaio.api._normalize import (
    coerce_config,
    t_cached_content_name,
    t_content,
    t_contents,
    t_model,
    t_part,
    t_parts,
    t_schema,
    t_speech_config,
    t_system_instruction,
    t_tools,
)


@pytest.mark.parametrize(
    ("model", "gemini", "vertex"),
    [
        (
            "gemini-2.5-flash",
            "models/gemini-2.5-flash",
            "publishers/google/models/gemini-2.5-flash",
        ),
        ("models/x", "models/x", "models/x"),
        ("tunedModels/t", "tunedModels/t", "tunedModels/t"),
        ("meta/llama", "models/meta/llama", "publishers/meta/models/llama"),
        ("publishers/a/models/b", "models/publishers/a/models/b", "publishers/a/models/b"),
        ("projects/p/locations/l/endpoints/e", None, "projects/p/locations/l/endpoints/e"),
    ],
)
def test_model_names(model, gemini, vertex):
    if gemini is not None:
        assert t_model(model, vertex=False) == gemini
    assert t_model(model, vertex=True) == vertex


@pytest.mark.parametrize("model", ["../x", "x?alt=1", "a&b", ""])
@pytest.mark.parametrize("vertex", [False, True])
def test_bad_model_names(model, vertex):
    with pytest.raises(ValueError):
        t_model(model, vertex=vertex)


def _wire(contents):
    return [c.to_wire() for c in contents]


def _user(*texts):
    return {"role": "user", "parts": [{"text": t} for t in texts]}


CALL = types.Part.from_function_call(name="f", args={})


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        ("hi", [_user("hi")]),
        (["a", "b"], [_user("a", "b")]),
        ({"text": "x"}, [_user("x")]),
        ({"parts": [{"text": "y"}]}, [{"parts": [{"text": "y"}]}]),
        (types.Content(parts=[types.Part(text="a")]), [{"parts": [{"text": "a"}]}]),
        (CALL, [{"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]}]),
        (
            ["a", CALL, "b"],
            [
                _user("a"),
                {"role": "model", "parts": [{"functionCall": {"name": "f", "args": {}}}]},
                _user("b"),
            ],
        ),
        (["a", ["b", "c"], "d"], [_user("a"), _user("b", "c"), _user("d")]),
        (
            [{"text": "a"}, {"role": "model", "parts": [{"text": "x"}]}, "c"],
            [_user("a"), {"role": "model", "parts": [{"text": "x"}]}, _user("c")],
        ),
        (
            ["a", types.Content(role="user", parts=[types.Part(text="b")]), "c"],
            [_user("a"), _user("b"), _user("c")],
        ),
        (
            types.File(uri="https://f/files/a", mime_type="video/mp4"),
            [
                {
                    "role": "user",
                    "parts": [
                        {"fileData": {"fileUri": "https://f/files/a", "mimeType": "video/mp4"}}
                    ],
                }
            ],
        ),
    ],
)
def test_contents(contents, expected):
    assert _wire(t_contents(contents)) == expected


@pytest.mark.parametrize("contents", [None, [], [[]]])
def test_empty_contents_are_rejected(contents):
    with pytest.raises(ValueError):
        t_contents(contents)


def test_bad_parts_are_rejected():
    with pytest.raises(TypeError):
        t_contents([3])
    with pytest.raises(pydantic.ValidationError):
        t_contents([{"role": "user", "parts": "x"}])
    with pytest.raises(ValueError):
        t_part(types.File(name="files/a"))


@pytest.mark.parametrize(
    ("data", "mime_type"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "audio/wav"),
        (b"%PDF-1.7", "application/pdf"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
    ],
)
def test_media_bytes_become_inline_data(data, mime_type):
    (content,) = t_contents([data])
    assert content.parts[0].inline_data == types.Blob(data=data, mime_type=mime_type)


def test_unknown_bytes_need_a_mime_type():
    with pytest.raises(ValueError, match="from_bytes"):
        t_part(b"just some bytes")


def test_content_and_parts():
    assert t_content(["a", "b"]).to_wire() == _user("a", "b")
    assert t_content(CALL).role == "model"
    assert [p.text for p in t_parts(["a", {"text": "x"}])] == ["a", "x"]
    with pytest.raises(ValueError):
        t_parts([])
    with pytest.raises(ValueError):
        t_content(None)


def test_system_instruction_is_a_user_content():
    assert t_system_instruction("be nice").to_wire() == _user("be nice")
    assert t_system_instruction(["a", "b"]).to_wire() == _user("a", "b")


def test_cached_content_names():
    assert t_cached_content_name("abc") == "cachedContents/abc"
    assert t_cached_content_name("cachedContents/abc") == "cachedContents/abc"
    parent = "projects/p/locations/l"
    assert t_cached_content_name("abc", parent=parent) == f"{parent}/cachedContents/abc"
    assert t_cached_content_name(f"{parent}/cachedContents/x", parent=parent).count("projects") == 1


def lookup(city: str, days: int = 3, units: typing.Literal["c", "f"] = "c") -> dict[str, float]:
    """Look up the weather.

    Args:
        city: where.
    """
    return {}


def test_function_becomes_a_declaration():
    (tool,) = t_tools([lookup])
    (declaration,) = tool.function_declarations
    assert declaration.name == "lookup"
    assert declaration.description.startswith("Look up the weather.\n\nArgs:")
    assert declaration.parameters_json_schema == {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer", "default": 3},
            "units": {"enum": ["c", "f"], "type": "string", "default": "c"},
        },
        "required": ["city"],
    }
    assert declaration.response_json_schema == {
        "type": "object",
        "additionalProperties": {"type": "number"},
    }


def test_function_declarations_merge_into_one_tool_placed_last():
    def other(x: int) -> None:
        pass

    explicit = types.Tool(function_declarations=[types.FunctionDeclaration(name="manual")])
    tools = t_tools([lookup, {"google_search": {}}, explicit, other, types.Tool(url_context={})])
    assert [t.to_wire() for t in tools[:-1]] == [{"googleSearch": {}}, {"urlContext": {}}]
    assert [d.name for d in tools[-1].function_declarations] == ["lookup", "manual", "other"]


def test_unannotated_parameters_and_bad_tools_are_rejected():
    def untyped(x):
        pass

    with pytest.raises(ValueError, match="annotation"):
        t_tools([untyped])
    with pytest.raises(TypeError):
        t_tools([3])


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Inner(pydantic.BaseModel):
    z: float = 1.5


class Recipe(pydantic.BaseModel):
    name: str = pydantic.Field(description="the name")
    color: Color
    inner: Inner | None = None
    tags: list[str]


def test_pydantic_class_schema():
    schema = t_schema(Recipe).to_wire()
    assert schema["type"] == "OBJECT"
    assert schema["propertyOrdering"] == ["name", "color", "inner", "tags"]
    assert schema["required"] == ["name", "color", "tags"]
    props = schema["properties"]
    assert props["name"] == {"type": "STRING", "title": "Name", "description": "the name"}
    assert props["color"] == {"type": "STRING", "title": "Color", "enum": ["red", "blue"]}
    assert props["inner"]["nullable"] is True and props["inner"]["type"] == "OBJECT"
    assert "default" not in props["inner"]
    assert props["inner"]["properties"]["z"] == {"type": "NUMBER", "title": "Z", "default": 1.5}
    assert props["tags"]["items"] == {"type": "STRING"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (int, {"type": "INTEGER"}),
        (list[int], {"type": "ARRAY", "items": {"type": "INTEGER"}}),
        (int | None, {"type": "INTEGER", "nullable": True}),
        (int | str, {"anyOf": [{"type": "INTEGER"}, {"type": "STRING"}]}),
        (typing.Literal["a", "b"], {"type": "STRING", "enum": ["a", "b"]}),
        (Color, {"type": "STRING", "title": "Color", "enum": ["red", "blue"]}),
        (
            {"type": "object", "properties": {"a": {"type": "string"}}},
            {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}},
        ),
        (types.Schema(type="STRING"), {"type": "STRING"}),
    ],
)
def test_schemas(source, expected):
    assert t_schema(source).to_wire() == expected


def test_free_form_objects_need_vertex_or_a_json_schema():
    with pytest.raises(ValueError, match="response_json_schema"):
        t_schema(dict[str, int])
    schema = t_schema(dict[str, int], vertex=True)
    assert schema.additional_properties == {"type": "integer"}


def test_recursive_models_are_refused():
    class Node(pydantic.BaseModel):
        children: list["Node"] = []

    with pytest.raises(ValueError, match="recursive"):
        t_schema(Node)


def test_speech_config_from_a_voice_name():
    assert t_speech_config("Kore").to_wire() == {
        "voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Kore"}}
    }


def test_coerce_config():
    assert coerce_config(types.GenerateContentConfig, None) == types.GenerateContentConfig()
    config = types.GenerateContentConfig(seed=1)
    assert coerce_config(types.GenerateContentConfig, config) is config
    assert coerce_config(types.GenerateContentConfig, {"seed": 1}) == config
    with pytest.raises(pydantic.ValidationError):
        coerce_config(types.GenerateContentConfig, {"sed": 1})
    with pytest.raises(TypeError):
        coerce_config(types.GenerateContentConfig, "seed=1")


def test_coerce_config_takes_the_official_sdks_objects():
    from google.genai import types as sdk_types

    theirs = sdk_types.GenerateContentConfig(
        temperature=0.5, thinking_config={"thinking_budget": 0}
    )
    ours = coerce_config(types.GenerateContentConfig, theirs)
    assert ours.temperature == 0.5 and ours.thinking_config.thinking_budget == 0
