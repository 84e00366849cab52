"""The `models` family on the Gemini API: generate, stream, embed, count, get and list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._answer import answer, prompt_tokens, stream_chunks, whole_response
from ._call import Call
from ._config import ModelInfo
from ._files import check_file_references
from ._generate import embedding_json
from ._http import ApiError, Response, StreamResponse, dumps, g, json_response
from ._state import paginate
from ._tokenizer import content_tokens, text_tokens, truncate

__all__ = [
    "batch_embed_contents",
    "count_tokens",
    "embed_content",
    "generate_content",
    "get_model",
    "list_models",
    "model_json",
    "resolve_model",
    "stream_generate_content",
]


def resolve_model(call: Call, name: str, method: str) -> ModelInfo:
    """The model named in the path, or the real API's 404 when it is unknown or can't `method`."""
    emu = call.emu
    if name.startswith("tunedModels/"):
        tuned = emu.state.tuned_models.get(name)
        if tuned is not None and method in (
            "generateContent",
            "streamGenerateContent",
            "countTokens",
            "batchGenerateContent",
        ):
            call.model = name
            if tuned["state"] != "ACTIVE":
                raise ApiError(400, f"Tuned model {name} is not ready yet.", "FAILED_PRECONDITION")
            base = emu.model_info(tuned["baseModel"])
            return base or ModelInfo.infer(tuned["baseModel"])
    else:
        info = emu.model_info(name)
        if info is not None and method in info.supported_methods:
            call.model = info.name
            return info
    raise ApiError(
        404,
        f"{name} is not found for API version {call.version}, or is not supported for {method}. "
        "Call ListModels to see the list of available models and their supported methods.",
    )


def model_json(info: ModelInfo) -> dict[str, Any]:
    model: dict[str, Any] = {
        "name": f"models/{info.name}",
        "version": "001",
        "displayName": info.display_name,
        "description": f"{info.display_name} (served by the genaio emulator)",
        "inputTokenLimit": info.input_token_limit,
        "outputTokenLimit": info.output_token_limit,
        "supportedGenerationMethods": list(info.supported_methods),
    }
    if not info.embedding_dimension and "generateContent" in info.supported_methods:
        model.update(temperature=1, topP=0.95, topK=64, maxTemperature=2, thinking=True)
    return model


def _cached(call: Call, body: Mapping[str, Any]) -> dict[str, Any] | None:
    name = g(body, "cachedContent")
    if not name:
        return None
    cached = call.emu.state.caches.get(name)
    if cached is None:
        raise ApiError(
            403, f"CachedContent not found (or permission denied): {name}", "PERMISSION_DENIED"
        )
    return cached


def _prepare(call: Call, method: str) -> tuple[ModelInfo, dict[str, Any], dict[str, Any] | None]:
    info = resolve_model(call, call.params["model"], method)
    body = call.body()
    if not g(body, "contents"):
        raise ApiError(400, "* GenerateContentRequest.contents: contents is not specified\n")
    check_file_references(call, g(body, "contents"))
    cached = _cached(call, body)
    tokens = prompt_tokens(body, cached)
    if tokens > info.input_token_limit:
        raise ApiError(
            400,
            f"The input token count ({tokens}) exceeds the maximum number of "
            f"tokens allowed ({info.input_token_limit}).",
        )
    call.emu.quota.admit(call.model or info.name, method, tokens)
    return info, body, cached


def generate_content(call: Call) -> Response:
    info, body, cached = _prepare(call, "generateContent")
    result = answer(info.name, body, cached, call.scripted)
    call.emu.stats.tokens(
        call.endpoint,
        call.model,
        result.prompt_tokens,
        result.output_tokens * result.candidate_count,
    )
    return json_response(whole_response(result))


def stream_generate_content(call: Call) -> StreamResponse:
    info, body, cached = _prepare(call, "streamGenerateContent")
    result = answer(info.name, body, cached, call.scripted)
    call.emu.stats.tokens(
        call.endpoint,
        call.model,
        result.prompt_tokens,
        result.output_tokens * result.candidate_count,
    )
    split = call.scripted is None or call.scripted.chunks is None
    return StreamResponse(stream_chunks(result, call.emu.config.stream_chunk_words, split))


def count_tokens(call: Call) -> Response:
    info = resolve_model(call, call.params["model"], "countTokens")
    body = call.body()
    request = g(body, "generateContentRequest")
    if request is not None:
        source = request
    else:
        if call.surface == "gemini" and (g(body, "systemInstruction") or g(body, "tools")):
            raise ApiError(400, 'Invalid JSON payload received. Unknown name "systemInstruction"')
        source = body
    check_file_references(call, g(source, "contents"))
    cached = _cached(call, source)
    total = prompt_tokens(source, cached)
    if call.scripted is not None and call.scripted.total_tokens is not None:
        total = call.scripted.total_tokens
    call.emu.quota.admit(info.name, "countTokens", 0)
    result: dict[str, Any] = {
        "totalTokens": total,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}],
    }
    if cached:
        result["cachedContentTokenCount"] = cached["usageMetadata"]["totalTokenCount"]
    return json_response(result)


def embed_input(info: ModelInfo, text: str, auto_truncate: Any) -> tuple[str, bool]:
    """The text an embedding model reads, and whether it was cut: at most the model's input
    limit (2,048 tokens for the embedding models). Beyond it the real API truncates, unless
    Vertex's `autoTruncate` is false: then it answers 400."""
    limit = info.input_token_limit
    kept, cut = truncate(text, limit)
    if cut and auto_truncate is False:
        raise ApiError(
            400,
            f"Unable to submit request because the input token count is {text_tokens(text)} "
            f"but the model supports up to {limit}. Reduce the input token count and try again.",
        )
    return kept, cut


def _embed_one(
    call: Call, info: ModelInfo, request: Mapping[str, Any], index: int
) -> tuple[bytes, int]:
    """`{"values":[...]}` as JSON bytes (rendered directly: it is the hot path) and tokens."""
    config = g(request, "embedContentConfig")
    if config:  # Vertex: {"content", "embedContentConfig"}
        request = {**request, **config}
    content = g(request, "content")
    if not isinstance(content, Mapping):
        raise ApiError(400, "* EmbedContentRequest.content: content is not specified\n")
    text = " ".join(p.get("text", "") for p in content.get("parts") or () if isinstance(p, dict))
    text, cut = embed_input(info, text, g(request, "autoTruncate"))
    tokens = info.input_token_limit if cut else content_tokens(content)
    scripted = call.scripted.embeddings if call.scripted is not None else None
    if scripted:
        vector = scripted[index % len(scripted)]
        return b'{"values":' + dumps(list(vector)) + b"}", tokens
    dimension = int(g(request, "outputDimensionality", 0) or info.embedding_dimension)
    if not 0 < dimension <= info.embedding_dimension:
        raise ApiError(
            400,
            f"* EmbedContentRequest.output_dimensionality: must be between 1 and "
            f"{info.embedding_dimension}\n",
        )
    values = embedding_json(info.name, text, dimension)
    return b'{"values":' + values + b"}", tokens


def embed_content(call: Call) -> Response:
    info = resolve_model(call, call.params["model"], "embedContent")
    body = call.body()
    values, tokens = _embed_one(call, info, body, 0)
    call.emu.quota.admit(info.name, "embedContent", tokens)
    call.emu.stats.tokens(call.endpoint, call.model, tokens)
    return Response(200, b'{"embedding":' + values + b"}")


def batch_embed_contents(call: Call) -> Response:
    info = resolve_model(call, call.params["model"], "batchEmbedContents")
    requests = g(call.body(), "requests")
    if not requests:
        raise ApiError(400, "* BatchEmbedContentsRequest.requests: requests is not specified\n")
    limit = call.emu.config.max_batch_embed_requests
    if len(requests) > limit:
        raise ApiError(
            400,
            f"* BatchEmbedContentsRequest.requests: at most {limit} requests can be in one batch\n",
        )
    path_model = f"models/{info.name}"
    results, tokens = [], 0
    for index, request in enumerate(requests):
        model = g(request, "model")
        if model and model != path_model:
            raise ApiError(
                400,
                f"* BatchEmbedContentsRequest.requests[{index}].model: the model "
                f"({model}) must match the model in the path ({path_model}).\n",
            )
        values, count = _embed_one(call, info, request, index)
        results.append(values)
        tokens += count
    call.emu.quota.admit(info.name, "batchEmbedContents", tokens)
    call.emu.stats.tokens(call.endpoint, call.model, tokens)
    return Response(200, b'{"embeddings":[' + b",".join(results) + b"]}")


def get_model(call: Call) -> Response:
    name = call.params["model"]
    info = call.emu.model_info(name)
    if info is None:
        raise ApiError(404, f"Model is not found: {name} for api version {call.version}")
    call.model = info.name
    return json_response(model_json(info))


def list_models(call: Call) -> Response:
    models = [model_json(m) for m in call.emu.config.models]
    return json_response(paginate(models, call.req, "models", call.emu.config.default_page_size))
