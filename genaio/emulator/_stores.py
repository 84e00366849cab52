"""File search stores, their documents and media (spec §3.9), and `GET` of any operation.

Importing a file or finishing an upload adds a STATE_PENDING document and an operation; both
complete after `lro_seconds` (the document becomes STATE_ACTIVE).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._call import Call
from ._clock import timestamp
from ._files import Blob, file_record, require_resumable_start, upload_chunk, upload_start
from ._http import ApiError, Response, g, json_response
from ._state import paginate

if TYPE_CHECKING:  # annotations only: the core imports every family
    from ._core import Emulator

__all__ = [
    "create_store",
    "delete_document",
    "delete_store",
    "download_media",
    "get_document",
    "get_operation",
    "get_store",
    "get_store_record",
    "import_file",
    "list_documents",
    "list_stores",
    "upload_to_store",
]

_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main."


def get_store_record(emu: Emulator, name: str) -> dict[str, Any]:
    record = emu.state.stores.get(name)
    if record is None:
        raise ApiError(
            403, f"FileSearchStore {name} not found (or permission denied).", "PERMISSION_DENIED"
        )
    return record


def _documents(emu: Emulator, store: str) -> list[dict[str, Any]]:
    prefix = store + "/documents/"
    return [d for n, d in emu.state.documents.items() if n.startswith(prefix)]


def _store_json(emu: Emulator, record: dict[str, Any]) -> dict[str, Any]:
    docs = _documents(emu, record["name"])
    counts = {"STATE_ACTIVE": 0, "STATE_PENDING": 0, "STATE_FAILED": 0}
    for doc in docs:
        counts[doc["state"]] += 1
    return {
        **record,
        "activeDocumentsCount": str(counts["STATE_ACTIVE"]),
        "pendingDocumentsCount": str(counts["STATE_PENDING"]),
        "failedDocumentsCount": str(counts["STATE_FAILED"]),
        "sizeBytes": str(sum(int(d["sizeBytes"]) for d in docs)),
    }


def create_store(call: Call) -> Response:
    emu = call.emu
    body = call.body()
    now = timestamp(emu.clock.now())
    name = f"fileSearchStores/{emu.state.new_id()}"
    record: dict[str, Any] = {"name": name, "createTime": now, "updateTime": now}
    if g(body, "displayName"):
        record["displayName"] = g(body, "displayName")
    record["embeddingModel"] = g(body, "embeddingModel", "models/gemini-embedding-001")
    emu.state.stores[name] = record
    return json_response(_store_json(emu, record))


def get_store(call: Call) -> Response:
    return json_response(_store_json(call.emu, get_store_record(call.emu, call.params["store"])))


def list_stores(call: Call) -> Response:
    stores = [_store_json(call.emu, r) for r in call.emu.state.stores.values()]
    return json_response(paginate(stores, call.req, "fileSearchStores", 10, 20))


def delete_store(call: Call) -> Response:
    emu = call.emu
    record = get_store_record(emu, call.params["store"])
    docs = _documents(emu, record["name"])
    if docs and not call.req.flag("force"):
        raise ApiError(
            400,
            f"FileSearchStore {record['name']} is not empty; delete it with force=true.",
            "FAILED_PRECONDITION",
        )
    for doc in docs:
        _drop_document(emu, doc["name"])
    del emu.state.stores[record["name"]]
    return json_response({})


def _new_document(
    call: Call,
    store: str,
    body: dict[str, Any],
    data: Blob,
    mime: str,
    display: str | None,
    upload: bool,
) -> dict[str, Any]:
    """A pending document plus the operation that activates it; returns the operation."""
    emu = call.emu
    now = emu.clock.now()
    doc_id = emu.state.new_id()
    name = f"{store}/documents/{doc_id}"
    document: dict[str, Any] = {
        "name": name,
        "displayName": display or doc_id,
        "state": "STATE_PENDING",
        "sizeBytes": str(data.size),
        "mimeType": mime,
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
    }
    if g(body, "customMetadata"):
        document["customMetadata"] = g(body, "customMetadata")
    emu.state.documents[name] = document
    if data.data is not None:
        emu.state.media[f"{store}/media/{doc_id}"] = data.data
    kind = "upload/operations" if upload else "operations"
    op_name = f"{store}/{kind}/{emu.state.new_id()}"
    response: dict[str, Any] = {"parent": store, "documentName": name}
    if upload:
        response.update(mimeType=mime, sizeBytes=str(data.size))
    what = "UploadToFileSearchStore" if upload else "ImportFile"
    operation: dict[str, Any] = {"name": op_name}
    emu.state.operations[op_name] = operation

    def finish() -> None:
        if emu.state.documents.get(name) is document:
            document.update(state="STATE_ACTIVE", updateTime=timestamp(emu.clock.now()))
        operation.update(done=True, response={"@type": _TYPE + what + "Response", **response})

    emu.state.timers.at(now + emu.config.lro_seconds, finish)
    return operation


def upload_to_store(call: Call) -> Response:
    """`POST upload/{v}/{store}:uploadToFileSearchStore`: a resumable upload (`?upload_id=`
    carries its chunks) whose finalize chunk answers the new document's operation."""
    if "upload_id" in call.req.query:
        return upload_chunk(call)
    require_resumable_start(call)
    store = get_store_record(call.emu, call.params["store"])["name"]
    body = call.body()
    mime = call.req.headers.get("x-goog-upload-header-content-type") or g(
        body, "mimeType", "application/octet-stream"
    )
    display = g(body, "displayName")

    def finish(data: Blob) -> dict[str, Any]:
        return _new_document(call, store, body, data, mime, display, upload=True)

    return upload_start(call, mime, finish)


def import_file(call: Call) -> Response:
    emu = call.emu
    store = get_store_record(emu, call.params["store"])["name"]
    body = call.body()
    file_name = g(body, "fileName")
    if not file_name:
        raise ApiError(400, "* ImportFileRequest.file_name: file_name is required\n")
    file = file_record(emu, file_name)
    data = Blob(int(file["sizeBytes"]), file["sha256Hash"], emu.state.file_bytes.get(file_name))
    operation = _new_document(
        call,
        store,
        body,
        data,
        file["mimeType"],
        file.get("displayName") or file_name,
        upload=False,
    )
    return json_response(operation)


def _document(call: Call) -> dict[str, Any]:
    name = f"{call.params['store']}/documents/{call.params['doc']}"
    document = call.emu.state.documents.get(name)
    if document is None:
        raise ApiError(404, f"Document {name} not found.")
    return document


def get_document(call: Call) -> Response:
    return json_response(_document(call))


def list_documents(call: Call) -> Response:
    store = get_store_record(call.emu, call.params["store"])["name"]
    docs = _documents(call.emu, store)
    return json_response(paginate(docs, call.req, "documents", 10, 20))


def _drop_document(emu: Emulator, name: str) -> None:
    emu.state.documents.pop(name, None)
    store, _, doc_id = name.partition("/documents/")
    emu.state.media.pop(f"{store}/media/{doc_id}", None)


def delete_document(call: Call) -> Response:
    _drop_document(call.emu, _document(call)["name"])
    return json_response({})


def download_media(call: Call) -> Response:
    name = f"{call.params['store']}/media/{call.params['blob']}"
    data = call.emu.state.media.get(name)
    if data is None:
        raise ApiError(404, f"Media {name} not found.")
    return Response(200, data, ((b"content-type", b"application/octet-stream"),))


def get_operation(call: Call) -> Response:
    """`GET {v}/{operation name}` for every kind of operation the emulator has started."""
    name = call.params["name"]
    operation = call.emu.state.operations.get(name)
    if operation is None:
        raise ApiError(404, f"Operation {name} not found.")
    return json_response(operation)
