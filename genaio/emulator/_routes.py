"""The route tables: which handler answers which (method, path) on each API surface.

Gemini paths are matched after `/{version}/` (upload paths get an `upload:` prefix); Vertex
paths after `/{version}/projects/{p}/locations/{l}/`. The first path segment indexes the
table, so a request tries only the few routes of its family.
"""

from __future__ import annotations

from . import (
    _auth,
    _batches,
    _caches,
    _files,
    _interactions,
    _managed,
    _media,
    _models,
    _stores,
    _tunings,
    _vertex_jobs,
)
from ._call import Call, Handler, Route
from ._http import ApiError, Response, StreamResponse

__all__ = ["gemini_routes", "vertex_routes"]

_ID = r"[^/:?]+"
_MODEL = rf"(?P<model>(?:models|tunedModels)/{_ID})"


def _model_action(call: Call) -> Response | StreamResponse:
    handler = _GEMINI_ACTIONS.get(call.params["action"])
    if handler is None:
        raise ApiError(
            404, f"Method {call.params['action']} is not found for {call.params['model']}."
        )
    return handler(call)


_GEMINI_ACTIONS: dict[str, Handler] = {
    "generateContent": _models.generate_content,
    "streamGenerateContent": _models.stream_generate_content,
    "countTokens": _models.count_tokens,
    "embedContent": _models.embed_content,
    "batchEmbedContents": _models.batch_embed_contents,
    "batchGenerateContent": _batches.batch_generate,
    "asyncBatchEmbedContent": _batches.batch_generate,
    "predict": _media.predict,
    "predictLongRunning": _media.predict_long_running,
}


def gemini_routes() -> list[Route]:
    r = Route.make
    op = r"(?P<name>{head}/{id}/(?:upload/)?operations/{id})"
    return [
        # models and tuned models
        r("POST", rf"{_MODEL}:(?P<action>\w+)", _model_action, "{action}"),
        r("GET", r"models", _models.list_models, "listModels"),
        r("GET", op.format(head="models", id=_ID), _stores.get_operation, "getOperation"),
        r("GET", rf"(?P<model>models/{_ID})", _models.get_model, "getModel"),
        r("GET", r"tunedModels", _tunings.list_tuned_models, "listTunedModels"),
        r("POST", r"tunedModels", _tunings.create_tuned_model, "createTunedModel"),
        r("GET", op.format(head="tunedModels", id=_ID), _stores.get_operation, "getOperation"),
        r("GET", rf"(?P<name>tunedModels/{_ID})", _tunings.get_tuned_model, "getTunedModel"),
        r(
            "PATCH",
            rf"(?P<name>tunedModels/{_ID})",
            _tunings.update_tuned_model,
            "updateTunedModel",
        ),
        r(
            "DELETE",
            rf"(?P<name>tunedModels/{_ID})",
            _tunings.delete_tuned_model,
            "deleteTunedModel",
        ),
        r(
            "POST",
            rf"(?P<name>tunedModels/{_ID}):cancel",
            _tunings.cancel_tuned_model,
            "cancelTunedModel",
        ),
        # files
        r("POST", r"upload:files", _files.upload_chunk_or_start, "uploadFile", auth="upload"),
        r("GET", r"files", _files.list_files, "listFiles"),
        r("POST", r"files:register", _files.register_files, "registerFiles"),
        r("GET", rf"(?P<name>files/{_ID}):download", _files.download_file, "downloadFile"),
        r("GET", rf"(?P<name>files/{_ID})", _files.get_file, "getFile"),
        r("DELETE", rf"(?P<name>files/{_ID})", _files.delete_file, "deleteFile"),
        # cached contents
        r("GET", r"cachedContents", _caches.list_caches, "listCachedContents"),
        r("POST", r"cachedContents", _caches.create_cache, "createCachedContent"),
        r("GET", rf"(?P<name>cachedContents/{_ID})", _caches.get_cache, "getCachedContent"),
        r("PATCH", rf"(?P<name>cachedContents/{_ID})", _caches.update_cache, "updateCachedContent"),
        r(
            "DELETE",
            rf"(?P<name>cachedContents/{_ID})",
            _caches.delete_cache,
            "deleteCachedContent",
        ),
        # batches
        r("GET", r"batches", _batches.list_batches, "listBatches"),
        r("GET", rf"(?P<name>batches/{_ID})", _batches.get_batch, "getBatch"),
        r("DELETE", rf"(?P<name>batches/{_ID})", _batches.delete_batch, "deleteBatch"),
        r("POST", rf"(?P<name>batches/{_ID}):cancel", _batches.cancel_batch, "cancelBatch"),
        # file search stores and documents
        r("GET", r"fileSearchStores", _stores.list_stores, "listFileSearchStores"),
        r("POST", r"fileSearchStores", _stores.create_store, "createFileSearchStore"),
        r("GET", rf"(?P<store>fileSearchStores/{_ID})", _stores.get_store, "getFileSearchStore"),
        r(
            "DELETE",
            rf"(?P<store>fileSearchStores/{_ID})",
            _stores.delete_store,
            "deleteFileSearchStore",
        ),
        r(
            "POST",
            rf"(?P<store>fileSearchStores/{_ID}):importFile",
            _stores.import_file,
            "importFile",
        ),
        r(
            "POST",
            rf"upload:(?P<store>fileSearchStores/{_ID}):uploadToFileSearchStore",
            _stores.upload_to_store,
            "uploadToFileSearchStore",
            auth="upload",
        ),
        r("GET", op.format(head="fileSearchStores", id=_ID), _stores.get_operation, "getOperation"),
        r(
            "GET",
            rf"(?P<store>fileSearchStores/{_ID})/documents",
            _stores.list_documents,
            "listDocuments",
        ),
        r(
            "GET",
            rf"(?P<store>fileSearchStores/{_ID})/documents/(?P<doc>{_ID})",
            _stores.get_document,
            "getDocument",
        ),
        r(
            "DELETE",
            rf"(?P<store>fileSearchStores/{_ID})/documents/(?P<doc>{_ID})",
            _stores.delete_document,
            "deleteDocument",
        ),
        r(
            "GET",
            rf"(?P<store>fileSearchStores/{_ID})/media/(?P<blob>{_ID})",
            _stores.download_media,
            "downloadMedia",
        ),
        # operations, auth tokens, interactions
        r("GET", rf"(?P<name>operations/{_ID})", _stores.get_operation, "getOperation"),
        r("POST", r"auth_tokens", _auth.create_auth_token, "createAuthToken"),
        r("POST", r"interactions", _interactions.create_interaction, "createInteraction"),
        r("GET", rf"interactions/(?P<id>{_ID})", _interactions.get_interaction, "getInteraction"),
        r(
            "DELETE",
            rf"interactions/(?P<id>{_ID})",
            _interactions.delete_interaction,
            "deleteInteraction",
        ),
        r(
            "POST",
            rf"interactions/(?P<id>{_ID})/cancel",
            _interactions.cancel_interaction,
            "cancelInteraction",
        ),
        # the families google-genai 3.6 added
        *(route for kind in _managed.COLLECTIONS.values() for route in _collection_routes(kind)),
        r(
            "POST",
            rf"(?P<collection>webhooks)/(?P<id>{_ID}):ping",
            _managed.ping_webhook,
            "pingWebhook",
        ),
        r(
            "POST",
            rf"(?P<collection>webhooks)/(?P<id>{_ID}):rotateSigningSecret",
            _managed.rotate_signing_secret,
            "rotateSigningSecret",
        ),
        r(
            "POST",
            rf"(?P<collection>triggers)/(?P<trigger_id>{_ID})/executions",
            _managed.run_trigger,
            "runTrigger",
        ),
        r(
            "GET",
            rf"(?P<collection>triggers)/(?P<trigger_id>{_ID})/executions",
            _managed.list_executions,
            "listTriggerExecutions",
        ),
        r("POST", r"decisions", _managed.create_decision, "createDecision"),
    ]


def _collection_routes(kind: _managed.Kind) -> list[Route]:
    """create, get, list, update and delete of one of the families 3.6 added."""
    r = Route.make
    collection = rf"(?P<collection>{kind.collection})"
    item = rf"{collection}/(?P<id>{_ID})"
    name = kind.singular
    return [
        r("GET", collection, _managed.list_, f"list{name}s"),
        r("POST", collection, _managed.create, f"create{name}"),
        r("GET", item, _managed.get, f"get{name}"),
        r("PATCH", item, _managed.update, f"update{name}"),
        r("DELETE", item, _managed.delete, f"delete{name}"),
    ]


_VERTEX_ACTIONS: dict[str, Handler] = {
    "generateContent": _models.generate_content,
    "streamGenerateContent": _models.stream_generate_content,
    "countTokens": _models.count_tokens,
    "computeTokens": _media.compute_tokens,
    "embedContent": _models.embed_content,
    "predict": _media.predict,
    "predictLongRunning": _media.predict_long_running,
    "fetchPredictOperation": _media.fetch_predict_operation,
}


def _vertex_action(call: Call) -> Response | StreamResponse:
    handler = _VERTEX_ACTIONS.get(call.params["action"])
    if handler is None:
        raise ApiError(
            404, f"Method {call.params['action']} is not found for {call.params['model']}."
        )
    return handler(call)


def _vertex_operation(call: Call) -> Response:
    call.params["name"] = call.req.path.split(f"/{call.version}/", 1)[1]
    return _stores.get_operation(call)


def vertex_routes() -> list[Route]:
    r = Route.make
    model = rf"publishers/(?P<publisher>{_ID})/models/(?P<model_id>{_ID})"
    return [
        r("POST", rf"{model}:(?P<action>\w+)", _vertex_action, "{action}"),
        r("GET", rf"{model}/operations/{_ID}", _vertex_operation, "getOperation"),
        r("GET", model, _models.get_model, "getModel"),
        r("GET", rf"operations/{_ID}", _vertex_operation, "getOperation"),
        # cached contents, batch prediction jobs and tuning jobs
        r("GET", r"cachedContents", _vertex_jobs.list_caches, "listCachedContents"),
        r("POST", r"cachedContents", _vertex_jobs.create_cache, "createCachedContent"),
        r("GET", rf"cachedContents/(?P<id>{_ID})", _vertex_jobs.get_cache, "getCachedContent"),
        r(
            "PATCH",
            rf"cachedContents/(?P<id>{_ID})",
            _vertex_jobs.update_cache,
            "updateCachedContent",
        ),
        r(
            "DELETE",
            rf"cachedContents/(?P<id>{_ID})",
            _vertex_jobs.delete_cache,
            "deleteCachedContent",
        ),
        r(
            "POST",
            r"batchPredictionJobs",
            _vertex_jobs.create_batch_job,
            "createBatchPredictionJob",
        ),
        r("POST", r"tuningJobs", _vertex_jobs.create_tuning_job, "createTuningJob"),
        *_vertex_job_routes("batchPredictionJobs", "BatchPredictionJob"),
        *_vertex_job_routes("tuningJobs", "TuningJob"),
    ]


def _vertex_job_routes(collection: str, kind: str) -> list[Route]:
    """get, list, cancel and delete of one Vertex AI job collection."""
    r = Route.make
    job = rf"(?P<collection>{collection})/(?P<id>{_ID})"
    return [
        r("GET", rf"(?P<collection>{collection})", _vertex_jobs.list_jobs, f"list{kind}s"),
        r("GET", job, _vertex_jobs.get_job, f"get{kind}"),
        r("DELETE", job, _vertex_jobs.delete_job, f"delete{kind}"),
        r("POST", rf"{job}:cancel", _vertex_jobs.cancel_job, f"cancel{kind}"),
    ]
