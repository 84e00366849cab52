"""Request bodies and response shapes of the `models` family, as the official SDK sends them.

Pure functions from normalized arguments to wire JSON (camelCase keys) and back; no I/O. They
reject fields the chosen backend does not have, so a Vertex-only option used on the Gemini
API is a ValueError here rather than a 400 after a round trip.
"""

from __future__ import annotations

import enum
import functools
import json
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from genaio import types
from genaio.api._normalize import (
    coerce_config,
    t_cached_content_name,
    t_content,
    t_content_wire,
    t_contents,
    t_model,
    t_schema,
    t_speech_config,
    t_system_instruction,
    t_tools,
    text_contents_wire,
)

__all__ = [
    "attach_parsed",
    "compute_tokens_body",
    "count_tokens_body",
    "embed_content_body",
    "generate_content_body",
    "list_models_path",
    "list_models_query",
    "parse_embed_response",
    "reject_vertex_only",
    "update_model_body",
]

# GenerateContentConfig fields that stay on the client.
_CLIENT_ONLY = frozenset(
    {
        "http_options",
        "should_return_http_response",
        "automatic_function_calling",
        "automatic_continuation",
    }
)
# GenerateContentConfig fields (by wire name) that go to the top level of the body, not
# under generationConfig; `generationOutputConfig` is called `outputConfig` there.
_TOP_LEVEL = (
    "safetySettings",
    "toolConfig",
    "labels",
    "serviceTier",
    "continuationToken",
    "store",
    "modelArmorConfig",
    "generationOutputConfig",
)
_RENAMED = {"generationOutputConfig": "outputConfig"}
# Fields converted one by one rather than dumped.
_CONVERTED = frozenset(
    {"system_instruction", "tools", "cached_content", "response_schema", "speech_config"}
)
_GEMINI_ONLY = frozenset({"store"})


def generate_content_body(
    contents: Any, config: Any, *, vertex: bool, parent: str | None = None
) -> dict[str, Any]:
    """The body of `:generateContent` / `:streamGenerateContent`.

    `config` is a `GenerateContentConfig`, a dict or None. As in the official SDK, any config
    but None or `{}` brings a `generationConfig` (possibly `{}`), so pass the caller's config
    as given rather than a coerced default. `parent` (`projects/p/locations/l`) qualifies a short
    `cached_content` name on Vertex AI.
    """
    wire = text_contents_wire(contents)
    if wire is None:
        normalized = t_contents(contents)
        if not vertex:
            reject_vertex_only(normalized)
        wire = [c.to_wire() for c in normalized]
    body: dict[str, Any] = {"contents": wire}
    if not config:
        return body
    config = coerce_config(types.GenerateContentConfig, config)
    _check_backend(config, vertex)
    generation = config.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude=_CLIENT_ONLY | _CONVERTED
    )
    if config.system_instruction is not None:
        body["systemInstruction"] = t_system_instruction(config.system_instruction).to_wire()
    for key in _TOP_LEVEL:
        if key in generation:
            body[_RENAMED.get(key, key)] = generation.pop(key)
    if config.tools is not None:
        body["tools"] = [tool.to_wire() for tool in t_tools(config.tools)]
    if config.cached_content is not None:
        body["cachedContent"] = t_cached_content_name(
            config.cached_content, parent=parent if vertex else None
        )
    if config.response_schema is not None:
        generation["responseSchema"] = t_schema(config.response_schema, vertex=vertex).to_wire()
    if config.speech_config is not None:
        generation["speechConfig"] = t_speech_config(config.speech_config).to_wire()
    body["generationConfig"] = generation
    return body


def embed_content_body(
    model: str, contents: Any, config: Any, *, vertex: bool
) -> tuple[str, dict[str, Any]]:
    """The method verb and body of `embed_content`.

    Gemini API: `batchEmbedContents`, one request per input (inputs of multimodal Gemini
    embedding models are grouped as `contents` are). Vertex AI: `predict` for the older text
    models, otherwise `embedContent` for one input or `batchEmbedContents` for several.
    """
    options = _embed_options(config, vertex=vertex)
    model_id = model.rsplit("/", 1)[-1]
    multimodal = "gemini" in model_id and not model_id.startswith(
        ("gemini-embedding-001", "gemini-embedding-exp")
    )
    if not vertex:
        name = t_model(model, vertex=False)
        items = _grouped_wire(contents) if multimodal else _each_content_wire(contents)
        requests = [{"model": name, "content": c, **options} for c in items]
        return "batchEmbedContents", {"requests": requests}
    if "gemini" in model_id or "maas" in model_id:
        items = (
            _grouped_wire(contents)
            if multimodal or "maas" in model_id
            else _each_content_wire(contents)
        )
        extra = {"embedContentConfig": options} if options else {}
        if len(items) == 1:
            return "embedContent", {"content": items[0], **extra}
        if "maas" in model_id:
            raise ValueError(f"{model_id} embeds one content per call")
        return "batchEmbedContents", {"requests": [{"content": c, **extra} for c in items]}
    config = coerce_config(types.EmbedContentConfig, config)
    return "predict", _predict_body(_each_content(contents), config)


def parse_embed_response(verb: str, data: dict[str, Any]) -> types.EmbedContentResponse:
    """An `EmbedContentResponse` from the body of the call `embed_content_body` chose."""
    if verb == "predict":
        shaped = {k: v for k, v in data.items() if k != "predictions"}
        shaped["embeddings"] = [p.get("embeddings", {}) for p in data.get("predictions", ())]
        return types.EmbedContentResponse.from_wire(shaped)
    if verb == "embedContent" and "embedding" in data:
        shaped = {k: v for k, v in data.items() if k != "embedding"}
        embedding = dict(data["embedding"])
        usage = data.get("usageMetadata") or {}
        statistics = {
            "tokenCount": usage.get("promptTokenCount"),
            "tokensDetails": usage.get("promptTokensDetails"),
            "truncated": data.get("truncated") or None,
        }
        embedding["statistics"] = {k: v for k, v in statistics.items() if v is not None}
        shaped["embeddings"] = [embedding]
        return types.EmbedContentResponse.from_wire(shaped)
    return types.EmbedContentResponse.from_wire(data)


def count_tokens_body(contents: Any, config: Any, *, vertex: bool) -> dict[str, Any]:
    """The body of `:countTokens`. The Gemini API counts `contents` only."""
    config = coerce_config(types.CountTokensConfig, config)
    body: dict[str, Any] = {"contents": [c.to_wire() for c in t_contents(contents)]}
    extras = ("system_instruction", "tools", "generation_config")
    if not vertex:
        for name in extras:
            if getattr(config, name) is not None:
                raise ValueError(_only_on("Vertex AI", name, "the Gemini Developer API"))
        return body
    if config.system_instruction is not None:
        body["systemInstruction"] = t_system_instruction(config.system_instruction).to_wire()
    if config.tools is not None:
        body["tools"] = [tool.to_wire() for tool in t_tools(config.tools)]
    if config.generation_config is not None:
        body["generationConfig"] = config.generation_config.to_wire()
    return body


def compute_tokens_body(contents: Any, *, vertex: bool) -> dict[str, Any]:
    """The body of `:computeTokens`, which only Vertex AI has."""
    if not vertex:
        raise ValueError("compute_tokens is only available on Vertex AI")
    return {"contents": [c.to_wire() for c in t_contents(contents)]}


def update_model_body(config: Any) -> dict[str, Any]:
    """The body of `PATCH {model}`: the fields to change, with no `updateMask` (the server
    takes the fields present as the mask, as the official SDK relies on)."""
    parsed = coerce_config(types.UpdateModelConfig, config)
    return parsed.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude={"http_options"}
    )


def list_models_path(config: Any, *, vertex: bool) -> tuple[str, str]:
    """The collection path of `models.list` and the key of the list in each page.

    Base models are `models` (Gemini API) or `publishers/google/models` (Vertex AI, a path not
    under the project); `query_base=False` lists tuned models: `tunedModels`, or the project's
    `models` on Vertex AI (see `list_models_query` for the filter that needs).
    """
    base = coerce_config(types.ListModelsConfig, config).query_base is not False
    if not vertex:
        return ("models", "models") if base else ("tunedModels", "tunedModels")
    return ("publishers/google/models", "publisherModels") if base else ("models", "models")


def list_models_query(config: Any, *, vertex: bool) -> dict[str, Any]:
    """The query of one `models.list` page; Vertex AI tuned models are the ones labelled with
    a tune type."""
    config = coerce_config(types.ListModelsConfig, config)
    query = {"pageSize": config.page_size, "pageToken": config.page_token, "filter": config.filter}
    if vertex and config.query_base is False:
        query["filter"] = "labels.tune-type:*"
    return {k: v for k, v in query.items() if v is not None}


#: The keys of a config dict that ask for structured output, by name and by alias.
_STRUCTURED = frozenset(
    {"response_schema", "responseSchema", "response_json_schema", "responseJsonSchema"}
)


def attach_parsed(
    response: types.GenerateContentResponse, config: Any
) -> types.GenerateContentResponse:
    """Set `response.parsed` from its text when the config asked for structured output.

    A pydantic class validates the JSON text, an enum takes the text as its value, other types
    go through a TypeAdapter, and a `Schema`, dict or `response_json_schema` gives plain JSON.
    Text that does not parse leaves `parsed` None, as in the official SDK.
    """
    if config is None or (isinstance(config, dict) and not _STRUCTURED.intersection(config)):
        return response  # a dict without a schema is not validated again (5 µs) to say so
    config = coerce_config(types.GenerateContentConfig, config)
    schema = config.response_schema
    if schema is None and config.response_json_schema is None:
        return response
    text = response.text
    if text is None:
        return response
    try:
        if isinstance(schema, type) and issubclass(schema, BaseModel):
            response.parsed = schema.model_validate_json(text)
        elif isinstance(schema, type) and issubclass(schema, enum.Enum):
            response.parsed = schema(text.strip().strip('"'))
        elif schema is not None and not isinstance(schema, types.Schema):
            response.parsed = TypeAdapter(schema).validate_json(text)
        else:
            response.parsed = json.loads(text)
    except (ValidationError, ValueError):
        response.parsed = None
    return response


#: Value types that alone decide what validating them gives.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _embed_options(config: Any, *, vertex: bool) -> dict[str, Any]:
    """The config's wire fields, checked against the backend (no config has none).

    A dict of plain values, the usual `config={"output_dimensionality": 64}` repeated on
    every call of a loop, is validated once and remembered (a copy is returned: it goes into
    a body); anything else is validated each time.
    """
    if config is None:
        return {}
    if type(config) is dict and all(type(v) in _SCALARS for v in config.values()):
        key = tuple((name, type(value), value) for name, value in config.items())
        return dict(_remembered_embed_options(key, vertex))
    return _validated_embed_options(config, vertex)


@functools.lru_cache(maxsize=64)
def _remembered_embed_options(
    key: tuple[tuple[str, type, Any], ...], vertex: bool
) -> dict[str, Any]:
    return _validated_embed_options({name: value for name, _, value in key}, vertex)


def _validated_embed_options(config: Any, vertex: bool) -> dict[str, Any]:
    parsed = coerce_config(types.EmbedContentConfig, config)
    _check_backend(parsed, vertex)
    return parsed.model_dump(
        mode="json", by_alias=True, exclude_none=True, exclude={"http_options"}
    )


def _inputs(contents: Any) -> list[Any]:
    """The inputs of an embedding call: each element of a list is an input of its own."""
    if contents is None or (isinstance(contents, list) and not contents):
        raise ValueError("contents are required")
    return contents if isinstance(contents, list) else [contents]


def _each_content(contents: Any) -> list[types.Content]:
    """One `Content` per input."""
    return [t_content(c) for c in _inputs(contents)]


def _each_content_wire(contents: Any) -> list[dict[str, Any]]:
    """One content per input, as wire JSON."""
    return [t_content_wire(c) for c in _inputs(contents)]


def _grouped_wire(contents: Any) -> list[dict[str, Any]]:
    """The inputs grouped into turns as `contents` are (multimodal embedding models)."""
    wire = text_contents_wire(contents)
    return wire if wire is not None else [c.to_wire() for c in t_contents(contents)]


def _predict_body(items: list[types.Content], config: types.EmbedContentConfig) -> dict[str, Any]:
    """Vertex AI's `:predict` embedding body: one text instance per text part."""
    per_instance = {
        "task_type": config.task_type,
        "title": config.title,
        "mimeType": config.mime_type,
    }
    per_instance = {k: v for k, v in per_instance.items() if v is not None}
    texts = [p.text for c in items for p in c.parts or () if p.text]
    parameters = {
        "outputDimensionality": config.output_dimensionality,
        "autoTruncate": config.auto_truncate,
    }
    body: dict[str, Any] = {"instances": [{"content": t, **per_instance} for t in texts]}
    parameters = {k: v for k, v in parameters.items() if v is not None}
    if parameters:
        body["parameters"] = parameters
    return body


def _check_backend(config: types.WireModel, vertex: bool) -> None:
    if not vertex:
        reject_vertex_only(config)
        return
    for name in _GEMINI_ONLY & config.model_fields_set:
        if getattr(config, name) is not None:
            raise ValueError(_only_on("the Gemini Developer API", name, "Vertex AI"))


def reject_vertex_only(value: Any) -> None:
    """Raise for any Vertex-only field set anywhere in `value` (models and lists of them)."""
    if isinstance(value, list):
        for item in value:
            reject_vertex_only(item)
    elif isinstance(value, types.WireModel):
        for name in getattr(type(value), "_vertex_only", ()):
            if getattr(value, name, None) is not None:
                raise ValueError(_only_on("Vertex AI", name, "the Gemini Developer API"))
        for name in value.model_fields_set:
            field = getattr(value, name, None)
            if isinstance(field, types.WireModel | list):
                reject_vertex_only(field)


def _only_on(backend: str, name: str, other: str) -> str:
    return f"{name} is only available on {backend}; it cannot be used with {other}"
