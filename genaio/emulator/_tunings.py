"""Tuned models on the Gemini API (spec §3.7) and the operations that create them.

`POST tunedModels` answers with an operation `tunedModels/{id}/operations/{op}`; the model is
CREATING until `lro_seconds` have passed, then ACTIVE (and usable for generateContent).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._call import Call
from ._clock import timestamp
from ._http import ApiError, Response, g, json_response
from ._models import resolve_model
from ._state import paginate

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = [
    "cancel_tuned_model",
    "create_tuned_model",
    "delete_tuned_model",
    "get_tuned_model",
    "list_tuned_models",
    "update_tuned_model",
]

_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1beta."


def create_tuned_model(call: Call) -> Response:
    emu = call.emu
    body = call.body()
    base = g(body, "baseModel")
    if not base:
        raise ApiError(400, "* TunedModel.base_model: base_model is required\n")
    info = resolve_model(call, base, "generateContent")
    model_id = call.req.query.get("tunedModelId") or emu.state.new_id()
    name = f"tunedModels/{model_id}"
    if name in emu.state.tuned_models:
        raise ApiError(409, f"Tuned model {name} already exists.", "ALREADY_EXISTS")
    now = emu.clock.now()
    task = dict(g(body, "tuningTask", {}))
    task.pop("trainingData", None)
    task.pop("training_data", None)
    task["startTime"] = timestamp(now)
    examples = g(
        g(g(g(body, "tuningTask", {}), "trainingData", {}), "examples", {}), "examples", []
    )
    steps = max(1, len(examples)) * int(g(g(task, "hyperparameters", {}), "epochCount", 5) or 5)
    record: dict[str, Any] = {
        "name": name,
        "baseModel": f"models/{info.name}",
        "displayName": g(body, "displayName", ""),
        "description": g(body, "description", ""),
        "state": "CREATING",
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
        "tuningTask": task,
        "temperature": 1,
        "topP": 0.95,
        "topK": 64,
    }
    call.model = name
    emu.state.tuned_models[name] = record
    op_name = f"{name}/operations/{emu.state.new_id()}"
    operation: dict[str, Any] = {
        "name": op_name,
        "metadata": {
            "@type": _TYPE + "CreateTunedModelMetadata",
            "tunedModel": name,
            "totalSteps": steps,
            "completedSteps": 0,
            "completedPercent": 0,
        },
    }
    emu.state.operations[op_name] = operation
    emu.state.timers.at(
        now + emu.config.lro_seconds, lambda: _finish(emu, record, operation, steps)
    )
    return json_response(operation)


def _finish(emu: Emulator, record: dict[str, Any], operation: dict[str, Any], steps: int) -> None:
    if record["state"] != "CREATING":
        return
    now = timestamp(emu.clock.now())
    record["state"] = "ACTIVE"
    record["updateTime"] = now
    record["tuningTask"]["completeTime"] = now
    operation["metadata"].update(completedSteps=steps, completedPercent=100)
    operation["done"] = True
    operation["response"] = {"@type": _TYPE + "TunedModel", **record}


def _record(call: Call) -> dict[str, Any]:
    name = call.params["name"]
    record = call.emu.state.tuned_models.get(name)
    if record is None:
        raise ApiError(404, f"Tuned model {name} does not exist.")
    call.model = name
    return record


def get_tuned_model(call: Call) -> Response:
    return json_response(_record(call))


def list_tuned_models(call: Call) -> Response:
    models = list(call.emu.state.tuned_models.values())
    return json_response(paginate(models, call.req, "tunedModels", 10, 1000))


def update_tuned_model(call: Call) -> Response:
    record = _record(call)
    body = call.body()
    for key in ("displayName", "description"):
        value = g(body, key)
        if value is not None:
            record[key] = value
    record["updateTime"] = timestamp(call.emu.clock.now())
    return json_response(record)


def delete_tuned_model(call: Call) -> Response:
    record = _record(call)
    del call.emu.state.tuned_models[record["name"]]
    return json_response({})


def cancel_tuned_model(call: Call) -> Response:
    """Stop a tuning that is still CREATING: the model ends FAILED."""
    record = _record(call)
    if record["state"] == "CREATING":
        record["state"] = "FAILED"
        record["updateTime"] = timestamp(call.emu.clock.now())
    return json_response({})
