"""`:predict` (images; Vertex text embeddings), `:predictLongRunning` (videos) with its
operation and `:fetchPredictOperation`, and Vertex's `:computeTokens`.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

from ._call import Call
from ._config import ModelInfo
from ._files import new_file
from ._generate import embedding, png_bytes, video_bytes
from ._http import ApiError, Response, g, json_response
from ._models import embed_input, resolve_model
from ._tokenizer import split_tokens, text_tokens

__all__ = ["compute_tokens", "fetch_predict_operation", "predict", "predict_long_running"]

_VIDEO_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"


def predict(call: Call) -> Response:
    """Images from a prompt (`imagen-*`), or Vertex `text-embedding-*` embeddings (spec §14)."""

    model_id = call.params["model"]
    info = call.emu.model_info(model_id)
    if info is not None and info.embedding_dimension and call.surface == "vertex":
        call.model = info.name
        return _predict_embeddings(call, info)
    info = resolve_model(call, model_id, "predict")
    body = call.body()
    instances = g(body, "instances", [])
    if not instances:
        raise ApiError(400, "* instances: at least one instance is required\n")
    count = int(g(g(body, "parameters", {}), "sampleCount", 1) or 1)
    call.emu.quota.admit(info.name, "predict", 0)
    prompt = str(g(instances[0], "prompt", ""))
    predictions = [
        {
            "bytesBase64Encoded": base64.b64encode(png_bytes(f"{prompt}#{i}")).decode(),
            "mimeType": "image/png",
        }
        for i in range(count)
    ]
    return json_response({"predictions": predictions})


def _predict_embeddings(call: Call, info: ModelInfo) -> Response:
    body = call.body()
    parameters = g(body, "parameters", {})
    model, full = info.name, info.embedding_dimension
    dimension = int(g(parameters, "outputDimensionality", 0) or full)
    predictions, tokens = [], 0
    for instance in g(body, "instances", []):
        text, cut = embed_input(
            info, str(g(instance, "content", "")), g(parameters, "autoTruncate")
        )
        count = text_tokens(text)
        tokens += count
        predictions.append(
            {
                "embeddings": {
                    "values": embedding(model, text, min(dimension, full)),
                    "statistics": {"token_count": count, "truncated": cut},
                }
            }
        )
    call.emu.quota.admit(model, "embedContent", tokens)
    call.emu.stats.tokens(call.endpoint, call.model, tokens)
    return json_response(
        {
            "predictions": predictions,
            "metadata": {
                "billableCharacterCount": sum(
                    len(str(g(i, "content", ""))) for i in g(body, "instances", [])
                )
            },
        }
    )


def predict_long_running(call: Call) -> Response:
    """A video generation operation; done after `lro_seconds` with one small MP4 per sample."""
    emu = call.emu
    info = resolve_model(call, call.params["model"], "predictLongRunning")
    body = call.body()
    instances = g(body, "instances", [])
    if not instances:
        raise ApiError(400, "* instances: at least one instance is required\n")
    prompt = str(g(instances[0], "prompt", ""))
    count = int(g(g(body, "parameters", {}), "sampleCount", 1) or 1)
    emu.quota.admit(info.name, "predictLongRunning", 0)
    prefix = call.req.path.split(f"/{call.version}/", 1)[1].split(":", 1)[0]
    name = f"{prefix}/operations/{emu.state.new_id()}"
    operation: dict[str, Any] = {"name": name}
    emu.state.operations[name] = operation
    vertex = call.surface == "vertex"

    def finish() -> None:
        blobs = [video_bytes(f"{prompt}#{i}") for i in range(count)]
        if vertex:
            videos = [
                {"bytesBase64Encoded": base64.b64encode(b).decode(), "mimeType": "video/mp4"}
                for b in blobs
            ]
            result: dict[str, Any] = {
                "@type": "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse",
                "videos": videos,
            }
        else:
            samples = []
            for blob in blobs:
                file = new_file(call, blob, "video/mp4", source="GENERATED")
                samples.append({"video": {"uri": file["downloadUri"]}})
            result = {"@type": _VIDEO_TYPE, "generateVideoResponse": {"generatedSamples": samples}}
        operation.update(done=True, response=result)

    emu.state.timers.at(emu.clock.now() + emu.config.lro_seconds, finish)
    return json_response(operation)


def fetch_predict_operation(call: Call) -> Response:
    """Vertex: `POST {model}:fetchPredictOperation {"operationName"}`."""
    name = str(g(call.body(), "operationName", ""))
    operation = call.emu.state.operations.get(name)
    if operation is None:
        raise ApiError(404, f"Operation {name} not found.")
    return json_response(operation)


def compute_tokens(call: Call) -> Response:
    """Vertex `:computeTokens`: the tokenizer's tokens and (crc32-derived) ids per content."""

    resolve_model(call, call.params["model"], "countTokens")
    infos = []
    for content in g(call.body(), "contents", []):
        tokens = [t for p in content.get("parts", ()) for t in split_tokens(p.get("text", ""))]
        infos.append(
            {
                "tokens": [base64.b64encode(t.encode()).decode() for t in tokens],
                "tokenIds": [str(zlib.crc32(t.encode()) % 256_000) for t in tokens],
                "role": content.get("role", "user"),
            }
        )
    return json_response({"tokensInfo": infos})
