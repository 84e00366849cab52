"""The `batches` family (spec §8): generate and embedding batches, inline or from a JSONL file.

State machine on the emulated clock: PENDING at creation, RUNNING after a quarter of
`lro_seconds`, SUCCEEDED at `lro_seconds` (results computed then). `:cancel` moves an
unfinished batch to CANCELLED.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._answer import answer, whole_response
from ._call import Call
from ._clock import timestamp
from ._config import ModelInfo
from ._files import new_file
from ._generate import embedding
from ._http import ApiError, Response, g, json_response
from ._models import resolve_model
from ._state import paginate

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = ["batch_generate", "cancel_batch", "delete_batch", "get_batch", "list_batches"]

_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main."
_DONE = {
    "BATCH_STATE_SUCCEEDED",
    "BATCH_STATE_FAILED",
    "BATCH_STATE_CANCELLED",
    "BATCH_STATE_EXPIRED",
}


def _requests(call: Call, input_config: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The batch's requests as `[{"request", "metadata"?}]`, inline or read from a JSONL file."""
    inline = g(input_config, "requests")
    file_name = g(input_config, "fileName")
    if (inline is None) == (file_name is None):
        raise ApiError(
            400, "* Batch.input_config: exactly one of requests and file_name must be set\n"
        )
    if inline is not None:
        items = g(inline, "requests", [])
        if not items:
            raise ApiError(400, "* Batch.input_config.requests: requests must not be empty\n")
        return [dict(item) for item in items]
    data = call.emu.state.file_bytes.get(file_name)
    if data is None:
        raise ApiError(400, f"The input file {file_name} does not exist.")
    items = []
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise ApiError(400, f"Line {number} of {file_name} is not JSON.") from None
        items.append({"request": g(item, "request", {}), "key": item.get("key", str(number))})
    return items


def batch_generate(call: Call) -> Response:
    """`POST models/{m}:batchGenerateContent` and `:asyncBatchEmbedContent`."""

    emu = call.emu
    embed = call.params["action"] == "asyncBatchEmbedContent"
    info = resolve_model(call, call.params["model"], call.params["action"])
    batch = g(call.body(), "batch")
    if not isinstance(batch, Mapping):
        raise ApiError(400, "* batch: batch is required\n")
    input_config = g(batch, "inputConfig")
    if not isinstance(input_config, Mapping):
        raise ApiError(400, "* Batch.input_config: input_config is required\n")
    items = _requests(call, input_config)
    emu.quota.admit(info.name, call.params["action"], 0)
    now = emu.clock.now()
    name = f"batches/{emu.state.new_id()}"
    kind = "EmbedContentBatch" if embed else "GenerateContentBatch"
    metadata: dict[str, Any] = {
        "@type": _TYPE + kind,
        "name": name,
        "model": f"models/{info.name}",
        "displayName": g(batch, "displayName", ""),
        "inputConfig": input_config,
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
        "batchStats": _stats(len(items), 0, 0),
        "state": "BATCH_STATE_PENDING",
    }
    record = {
        "name": name,
        "metadata": metadata,
        "items": items,
        "embed": embed,
        "version": call.version,
        "base": call,
    }
    emu.state.batches[name] = record
    lro = emu.config.lro_seconds
    emu.state.timers.at(now + lro / 4, lambda: _advance(emu, record, "BATCH_STATE_RUNNING"))
    emu.state.timers.at(now + lro, lambda: _complete(emu, record))
    return json_response(_operation(record))


def _stats(total: int, ok: int, failed: int) -> dict[str, str]:
    return {
        "requestCount": str(total),
        "successfulRequestCount": str(ok),
        "failedRequestCount": str(failed),
        "pendingRequestCount": str(total - ok - failed),
    }


def _advance(emu: Emulator, record: dict[str, Any], state: str) -> None:
    metadata = record["metadata"]
    if metadata["state"] in _DONE:
        return
    metadata["state"] = state
    metadata["updateTime"] = timestamp(emu.clock.now())


def _complete(emu: Emulator, record: dict[str, Any]) -> None:
    metadata = record["metadata"]
    if metadata["state"] in _DONE or emu.state.batches.get(record["name"]) is not record:
        return
    model = metadata["model"].removeprefix("models/")
    # Known: `batch_generate` resolved it (and models are fixed). Inferred as `resolve_model`
    # does for a tuned model's base, should the name ever be one the emulator was not given.
    info = emu.model_info(model) or ModelInfo.infer(model)
    results, ok = [], 0
    for item in record["items"]:
        request = g(item, "request", {})
        try:
            if record["embed"]:
                dim = int(g(request, "outputDimensionality", 0) or info.embedding_dimension)
                text = " ".join(
                    p.get("text", "") for p in g(request, "content", {}).get("parts", ())
                )
                result: dict[str, Any] = {
                    "response": {"embedding": {"values": embedding(model, text, dim)}}
                }
            else:
                result = {"response": whole_response(answer(model, request))}
            ok += 1
        except ApiError as error:
            result = {"error": error.envelope()["error"]}
        if "metadata" in item:
            result["metadata"] = item["metadata"]
        if "key" in item:
            result["key"] = item["key"]
        results.append(result)
    now = emu.clock.now()
    if "fileName" in metadata["inputConfig"] or "file_name" in metadata["inputConfig"]:
        lines = "\n".join(json.dumps(r) for r in results).encode()
        responses = new_file(record["base"], lines, "application/jsonl", source="GENERATED")
        metadata["output"] = {"responsesFile": responses["name"]}
    else:
        key = "inlinedEmbedContentResponses" if record["embed"] else "inlinedResponses"
        metadata["output"] = {key: {"inlinedResponses": results}}
    metadata["batchStats"] = _stats(len(results), ok, len(results) - ok)
    metadata["state"] = "BATCH_STATE_SUCCEEDED"
    metadata["updateTime"] = metadata["endTime"] = timestamp(now)


def _operation(record: dict[str, Any]) -> dict[str, Any]:
    metadata = record["metadata"]
    op: dict[str, Any] = {"name": record["name"], "metadata": metadata}
    if metadata["state"] in _DONE:
        op["done"] = True
        if metadata["state"] == "BATCH_STATE_SUCCEEDED":
            kind = metadata["@type"].rsplit(".", 1)[-1]
            op["response"] = {"@type": _TYPE + kind + "Output", **metadata.get("output", {})}
        else:
            op["error"] = {"code": 1, "message": "The batch was cancelled."}
    return op


def _record(call: Call) -> dict[str, Any]:
    name = call.params["name"]
    record = call.emu.state.batches.get(name)
    if record is None:
        raise ApiError(404, f"Batch {name} not found.")
    return record


def get_batch(call: Call) -> Response:
    return json_response(_operation(_record(call)))


def list_batches(call: Call) -> Response:
    ops = [_operation(r) for r in call.emu.state.batches.values()]
    return json_response(paginate(ops, call.req, "operations", 10, 1000))


def cancel_batch(call: Call) -> Response:
    record = _record(call)
    _advance(call.emu, record, "BATCH_STATE_CANCELLED")
    record["metadata"]["endTime"] = record["metadata"]["updateTime"]
    return json_response({})


def delete_batch(call: Call) -> Response:
    record = _record(call)
    del call.emu.state.batches[record["name"]]
    return json_response({})
