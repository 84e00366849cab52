"""Vertex AI's `cachedContents`, `batchPredictionJobs` and `tuningJobs` (spec §14).

Resources are named under the request's `projects/{p}/locations/{l}`. Caches share the Gemini
family's store (so `generateContent` can use them) and its expiry rules. Batch prediction and
tuning jobs cannot read Cloud Storage or BigQuery here: they are PENDING, RUNNING after a quarter
of `lro_seconds` and SUCCEEDED at `lro_seconds`, with an empty result; `:cancel` ends them
CANCELLED. States are `JOB_STATE_*`, as Vertex AI sends them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _caches
from ._answer import prompt_tokens
from ._call import Call
from ._clock import timestamp
from ._http import ApiError, Response, g, json_response
from ._models import resolve_model
from ._state import paginate

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = [
    "cancel_job",
    "create_batch_job",
    "create_cache",
    "create_tuning_job",
    "delete_cache",
    "delete_job",
    "get_cache",
    "get_job",
    "list_caches",
    "list_jobs",
    "update_cache",
]

_TERMINAL = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"}
_COLLECTIONS = {"batchPredictionJobs": "batch_jobs", "tuningJobs": "tuning_jobs"}


def _parent(call: Call) -> str:
    """`projects/{p}/locations/{l}` of the request path."""
    rest = call.req.path.split(f"/{call.version}/", 1)[1].split("/")
    if rest[0] != "projects" or len(rest) < 4:
        raise ApiError(400, "Vertex AI resources live under projects/{p}/locations/{l}.")
    return "/".join(rest[:4])


def _base_model(call: Call, model: str, method: str) -> str:
    """The short model id of `publishers/google/models/x` (optionally under the parent)."""

    short = model.rsplit("/", 1)[-1]
    return resolve_model(call, f"models/{short}", method).name


# -- cachedContents -----------------------------------------------------------------------


def create_cache(call: Call) -> Response:
    """Vertex requires the model's full name: `projects/p/locations/l/publishers/.../models/x`."""
    emu, body, parent = call.emu, call.body(), _parent(call)
    model = str(g(body, "model", ""))
    if not model.startswith("projects/") or "/models/" not in model:
        raise ApiError(
            400, "CachedContent.model must be projects/{p}/locations/{l}/publishers/*/models/*"
        )
    _base_model(call, model, "createCachedContent")
    now = emu.clock.now()
    expire_at = _caches._expiry(emu, body, now + _caches._DEFAULT_TTL)
    assert expire_at is not None
    if expire_at <= now:
        raise ApiError(400, "expire_time must be in the future.")
    name = f"{parent}/cachedContents/{emu.state.new_id(19)}"
    usage = {"totalTokenCount": prompt_tokens(body), "textCount": 1}
    record: dict[str, Any] = {
        "name": name,
        "model": model,
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
        "expireTime": timestamp(expire_at),
        "usageMetadata": usage,
    }
    for key in ("displayName", "contents", "systemInstruction", "tools", "toolConfig"):
        if g(body, key) is not None:
            record[key] = g(body, key)
    emu.state.caches[name] = record
    _caches._schedule_expiry(emu, record, expire_at)
    return json_response(_caches._public(record))


def _with_cache_name(call: Call) -> Call:
    call.params["name"] = f"{_parent(call)}/cachedContents/{call.params['id']}"
    return call


def get_cache(call: Call) -> Response:
    return _caches.get_cache(_with_cache_name(call))


def update_cache(call: Call) -> Response:
    return _caches.update_cache(_with_cache_name(call))


def delete_cache(call: Call) -> Response:
    return _caches.delete_cache(_with_cache_name(call))


def list_caches(call: Call) -> Response:
    prefix = _parent(call) + "/"
    caches = [_caches._public(c) for n, c in call.emu.state.caches.items() if n.startswith(prefix)]
    return json_response(paginate(caches, call.req, "cachedContents", 10, 1000))


# -- batchPredictionJobs and tuningJobs --------------------------------------------------------


def _jobs(emu: Emulator, collection: str) -> dict[str, dict[str, Any]]:
    """The emulator's jobs of one collection, kept on its `State` so that a reset forgets them."""
    attribute = "vertex_" + _COLLECTIONS[collection]
    if not hasattr(emu.state, attribute):
        setattr(emu.state, attribute, {})
    jobs: dict[str, dict[str, Any]] = getattr(emu.state, attribute)
    return jobs


def _new_job(call: Call, collection: str, fields: dict[str, Any]) -> Response:
    emu = call.emu
    now = emu.clock.now()
    job_id = str(int.from_bytes(emu.state.new_id(8).encode(), "big") % 10**18)
    job = {
        "name": f"{_parent(call)}/{collection}/{job_id}",
        **fields,
        "state": "JOB_STATE_PENDING",
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
    }
    _jobs(emu, collection)[job["name"]] = job
    lro = emu.config.lro_seconds
    emu.state.timers.at(now + lro / 4, lambda: _move(emu, job, "JOB_STATE_RUNNING"))
    emu.state.timers.at(now + lro, lambda: _move(emu, job, "JOB_STATE_SUCCEEDED"))
    return json_response(_public(job))


def _move(emu: Emulator, job: dict[str, Any], state: str) -> None:
    if job["state"] in _TERMINAL:
        return
    now = timestamp(emu.clock.now())
    job.update(state=state, updateTime=now)
    if state == "JOB_STATE_RUNNING":
        job["startTime"] = now
    if state in _TERMINAL:
        job["endTime"] = now
        result = job.pop("_on_success", {})
        if state == "JOB_STATE_SUCCEEDED":
            job.update(result)


def create_batch_job(call: Call) -> Response:
    body = call.body()
    model = str(g(body, "model", ""))
    if not model:
        raise ApiError(400, "BatchPredictionJob.model is required.")
    call.model = _base_model(call, model, "batchGenerateContent")
    source, output = g(body, "inputConfig"), g(body, "outputConfig")
    if not source or not (g(source, "gcsSource") or g(source, "bigquerySource")):
        raise ApiError(
            400, "BatchPredictionJob.input_config needs a gcs_source or bigquery_source."
        )
    if not output:
        raise ApiError(400, "BatchPredictionJob.output_config is required.")
    fields = {
        "displayName": g(body, "displayName", ""),
        "model": model,
        "inputConfig": source,
        "outputConfig": output,
        "_on_success": {
            "completionStats": {"successfulCount": "0", "failedCount": "0", "incompleteCount": "0"}
        },
    }
    return _new_job(call, "batchPredictionJobs", fields)


_SPECS = (
    "supervisedTuningSpec",
    "preferenceOptimizationSpec",
    "distillationSpec",
    "reinforcementTuningSpec",
)


def create_tuning_job(call: Call) -> Response:
    body = call.body()
    base = g(body, "baseModel")
    pre_tuned = g(body, "preTunedModel")
    if not base and not pre_tuned:
        raise ApiError(400, "TuningJob needs a base_model or a pre_tuned_model.")
    if base:
        call.model = _base_model(call, str(base), "generateContent")
    specs = [key for key in _SPECS if g(body, key)]
    if len(specs) != 1 or not (
        g(g(body, specs[0]), "trainingDatasetUri") or g(g(body, specs[0]), "promptDatasetUri")
    ):
        raise ApiError(400, "TuningJob needs one tuning spec with a training dataset.")
    parent = _parent(call)
    model_id = call.emu.state.new_id(8)
    fields = {k: v for k, v in body.items() if v is not None}
    fields["_on_success"] = {
        "tunedModel": {
            "model": f"{parent}/models/{model_id}",
            "endpoint": f"{parent}/endpoints/{model_id}",
        }
    }
    return _new_job(call, "tuningJobs", fields)


def _job(call: Call) -> dict[str, Any]:
    collection = call.params["collection"]
    name = f"{_parent(call)}/{collection}/{call.params['id']}"
    job = _jobs(call.emu, collection).get(name)
    if job is None:
        raise ApiError(404, f"The {collection} resource {name} was not found.")
    return job


def _public(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if not k.startswith("_")}


def get_job(call: Call) -> Response:
    return json_response(_public(_job(call)))


def list_jobs(call: Call) -> Response:
    collection = call.params["collection"]
    prefix = _parent(call) + "/"
    jobs = [_public(j) for n, j in _jobs(call.emu, collection).items() if n.startswith(prefix)]
    return json_response(paginate(jobs, call.req, collection, 10, 1000))


def cancel_job(call: Call) -> Response:
    job = _job(call)
    if job["state"] in _TERMINAL:
        raise ApiError(400, f"{job['name']} has already ended.", "FAILED_PRECONDITION")
    _move(call.emu, job, "JOB_STATE_CANCELLED")
    return json_response({})


def delete_job(call: Call) -> Response:
    """Deleting answers with a finished delete operation, as Vertex AI does."""
    job = _job(call)
    del _jobs(call.emu, call.params["collection"])[job["name"]]
    name = f"{_parent(call)}/operations/{call.emu.state.new_id(8)}"
    operation = {
        "name": name,
        "metadata": {
            "@type": "type.googleapis.com/google.cloud.aiplatform.v1.DeleteOperationMetadata"
        },
        "done": True,
        "response": {"@type": "type.googleapis.com/google.protobuf.Empty"},
    }
    call.emu.state.operations[name] = operation
    return json_response(operation)
