"""The `files` family and the resumable upload protocol (spec §6), which file search stores share.

A start request opens an upload session and answers with an absolute `X-Goog-Upload-URL`;
chunks must arrive at the offset already received; the finalize chunk creates the resource.

An upload's bytes are counted and hashed as they arrive, and kept only up to `KEPT_BYTES`: a
larger file (a benchmark's gigabyte) keeps its metadata (size, hash) but not its bytes, so the
emulator's memory stays flat whatever the size. Downloading such a file is refused.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._call import Call
from ._clock import timestamp
from ._http import ApiError, Response, dumps, g, json_response
from ._state import paginate

if TYPE_CHECKING:  # annotations only: the core imports every family
    from hashlib import _Hash

    from ._core import Emulator

__all__ = [
    "KEPT_BYTES",
    "Blob",
    "delete_file",
    "download_file",
    "get_file",
    "list_files",
    "new_file",
    "register_files",
    "require_resumable_start",
    "upload_chunk",
    "upload_chunk_or_start",
    "upload_start",
]

_CHUNK_GRANULARITY = b"8388608"
_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?")
#: The largest upload whose bytes the emulator keeps (to download, to read as a batch's input,
#: to import into a store); a larger one keeps its size and hash only.
KEPT_BYTES = 64 * 1024 * 1024


@attrs.frozen
class Blob:
    """A file's bytes as the emulator keeps them: their size and hash always, the bytes
    themselves (`data`) only up to `KEPT_BYTES`."""

    size: int
    sha256: str  # as the File's `sha256Hash` says it
    data: bytes | None

    @classmethod
    def of(cls, data: bytes) -> Blob:
        return cls(len(data), _sha256_hash(hashlib.sha256(data)), data)


def _sha256_hash(digest: _Hash) -> str:
    """`sha256Hash` as the emulator has always said it: its hex digest, base64-encoded."""
    return base64.b64encode(digest.hexdigest().encode()).decode()


@attrs.define
class Upload:
    """One resumable upload session; `finish` turns its `Blob` into the answer body.

    The bytes are hashed as they arrive and kept only while they fit in `KEPT_BYTES` (an
    announced size past it keeps none from the start): `data` is None once they do not.
    """

    size: int | None
    mime_type: str
    finish: Callable[[Blob], dict[str, Any]]
    received: int = 0
    data: bytearray | None = attrs.field()
    digest: _Hash = attrs.Factory(hashlib.sha256)

    @data.default
    def _kept_from_the_start(self) -> bytearray | None:
        return bytearray() if self.size is None or self.size <= KEPT_BYTES else None

    def add(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self.digest.update(chunk)
        if self.data is not None:
            if self.received > KEPT_BYTES:
                self.data = None  # past the bound: counted and hashed, not kept
            else:
                self.data += chunk

    def blob(self) -> Blob:
        data = None if self.data is None else bytes(self.data)
        return Blob(self.received, _sha256_hash(self.digest), data)


def _status(value: str) -> tuple[bytes, bytes]:
    return (b"x-goog-upload-status", value.encode())


def upload_chunk_or_start(call: Call) -> Response:
    """`POST upload/{v}/files`: a start request opens a session, `?upload_id=` carries its
    chunks."""
    if "upload_id" in call.req.query:
        return upload_chunk(call)
    require_resumable_start(call)
    meta = g(call.body(), "file", {})
    mime = call.req.headers.get("x-goog-upload-header-content-type") or g(
        meta, "mimeType", "application/octet-stream"
    )
    name = _file_name(call.emu, g(meta, "name"))
    display = g(meta, "displayName")
    return upload_start(
        call, mime, lambda data: {"file": new_file(call, data, mime, name, display)}
    )


def require_resumable_start(call: Call) -> None:
    """Refuse a start request of another upload protocol than the resumable one."""
    headers = call.req.headers
    if (
        headers.get("x-goog-upload-protocol", "").lower() != "resumable"
        or headers.get("x-goog-upload-command", "").lower() != "start"
    ):
        raise ApiError(
            400,
            "Only the resumable upload protocol (X-Goog-Upload-Protocol: "
            "resumable, X-Goog-Upload-Command: start) is supported by the emulator.",
        )


def upload_start(call: Call, mime: str, finish: Callable[[Blob], dict[str, Any]]) -> Response:
    """Open an upload session whose finalize chunk answers `finish(blob)`: the files family's
    and the file search stores' (`uploadToFileSearchStore`). Its start request has passed
    `require_resumable_start`."""
    req = call.req
    length = req.headers.get("x-goog-upload-header-content-length")
    upload_id = call.emu.state.new_id(24)
    call.emu.state.uploads[upload_id] = Upload(int(length) if length else None, mime, finish)
    url = f"{_public(call)}{req.path}?upload_id={upload_id}&upload_protocol=resumable"
    headers = (
        (b"x-goog-upload-url", url.encode()),
        (b"x-goog-upload-control-url", url.encode()),
        (b"x-goog-upload-chunk-granularity", _CHUNK_GRANULARITY),
        _status("active"),
    )
    return Response(200, b"", headers)


def _public(call: Call) -> str:
    return call.emu.config.public_url.rstrip("/") or call.req.base_url


def _file_name(emu: Emulator, requested: str | None) -> str:
    if requested:
        bare = requested.removeprefix("files/")
        if not _NAME.fullmatch(bare):
            raise ApiError(
                400,
                "* File.name: the file id must contain only lowercase "
                "alphanumeric characters or dashes, and be at most 40 characters.\n",
            )
        if f"files/{bare}" in emu.state.files:
            raise ApiError(409, f"File files/{bare} already exists.", "ALREADY_EXISTS")
        return f"files/{bare}"
    return f"files/{emu.state.new_id()}"


def upload_chunk(call: Call) -> Response:
    req = call.req
    upload_id = req.query["upload_id"]
    session = call.emu.state.uploads.get(upload_id)
    if session is None:
        raise ApiError(404, "The upload session is unknown or has ended.")
    commands = {c.strip() for c in req.headers.get("x-goog-upload-command", "").lower().split(",")}
    received = session.received
    if "query" in commands:
        return Response(
            200, b"", (_status("active"), (b"x-goog-upload-size-received", str(received).encode()))
        )
    if "cancel" in commands:
        del call.emu.state.uploads[upload_id]
        return Response(200, b"", (_status("cancelled"),))
    if "upload" in commands:
        offset = int(req.headers.get("x-goog-upload-offset", received))
        if offset != received:
            raise ApiError(
                400,
                f"Invalid upload offset {offset}: {received} bytes were received so far.",
                headers=(_status("active"),),
            )
        session.add(req.body)
    if "finalize" not in commands:
        return Response(200, b"", (_status("active"),))
    del call.emu.state.uploads[upload_id]
    if session.size is not None and session.received != session.size:
        raise ApiError(
            400,
            f"The upload has {session.received} bytes but {session.size} were announced.",
            headers=(_status("final"),),
        )
    answer = session.finish(session.blob())
    return Response(
        200,
        dumps(answer),
        ((b"content-type", b"application/json; charset=UTF-8"), _status("final")),
    )


def new_file(
    call: Call,
    data: bytes | Blob,
    mime: str,
    name: str | None = None,
    display_name: str | None = None,
    source: str = "UPLOADED",
) -> dict[str, Any]:
    """Store `data` as a File resource and return its JSON."""
    blob = data if isinstance(data, Blob) else Blob.of(data)
    emu = call.emu
    name = name or f"files/{emu.state.new_id()}"
    now = emu.clock.now()
    base = f"{_public(call)}/{call.version}/{name}"
    record: dict[str, Any] = {
        "name": name,
        "mimeType": mime,
        "sizeBytes": str(blob.size),
        "createTime": timestamp(now),
        "updateTime": timestamp(now),
        "expirationTime": timestamp(now + emu.config.file_ttl_seconds),
        "sha256Hash": blob.sha256,
        "uri": base,
        "downloadUri": f"{base}:download?alt=media",
        "state": "ACTIVE",
        "source": source,
    }
    if display_name:
        record["displayName"] = display_name
    if mime.startswith("video/") and source == "UPLOADED":
        record["state"] = "PROCESSING"
        emu.state.timers.at(now + emu.config.lro_seconds, lambda: record.update(state="ACTIVE"))
    emu.state.files[name] = record
    if blob.data is not None:
        emu.state.file_bytes[name] = blob.data
    emu.state.timers.at(now + emu.config.file_ttl_seconds, lambda: _expire(emu, name, record))
    return record


def _expire(emu: Emulator, name: str, record: dict[str, Any]) -> None:
    if emu.state.files.get(name) is record:
        del emu.state.files[name]
        emu.state.file_bytes.pop(name, None)


def file_record(emu: Emulator, name: str) -> dict[str, Any]:
    record = emu.state.files.get(name)
    if record is None:
        raise ApiError(
            403,
            f"You do not have permission to access the File {name.split('/')[-1]}"
            " or it may not exist.",
            "PERMISSION_DENIED",
        )
    return record


_FILE_URI = re.compile(r"(?:^|/)(files/[a-z0-9-]+)\Z")


def check_file_references(call: Call, contents: Any) -> None:
    """Refuse, as the real API does, contents that name a Files API file that is gone (deleted,
    expired, never uploaded: 403) or not ACTIVE yet (a video still processing: 400)."""
    if call.surface != "gemini":
        return
    for content in contents or ():
        for part in g(content, "parts", ()) if isinstance(content, Mapping) else ():
            uri = g(g(part, "fileData"), "fileUri") if isinstance(part, Mapping) else None
            if not isinstance(uri, str) or not uri.startswith(("files/", "http://", "https://")):
                continue
            found = _FILE_URI.search(uri)
            if found is None:
                continue
            record = file_record(call.emu, found[1])
            if record["state"] != "ACTIVE":
                raise ApiError(
                    400,
                    f"The File {found[1].split('/')[-1]} is not in an ACTIVE state and usage "
                    "is not allowed.",
                    "FAILED_PRECONDITION",
                )


def get_file(call: Call) -> Response:
    return json_response(file_record(call.emu, call.params["name"]))


def delete_file(call: Call) -> Response:
    name = call.params["name"]
    file_record(call.emu, name)
    del call.emu.state.files[name]
    call.emu.state.file_bytes.pop(name, None)
    return json_response({})


def list_files(call: Call) -> Response:
    files = list(call.emu.state.files.values())
    return json_response(paginate(files, call.req, "files", 10, 100))


def download_file(call: Call) -> Response:
    name = call.params["name"]
    file_record(call.emu, name)
    if call.req.query.get("alt") != "media":
        raise ApiError(400, "Downloads need ?alt=media.")
    data = call.emu.state.file_bytes.get(name)
    if data is None:
        raise ApiError(
            400,
            f"The emulator kept only the size and hash of {name}: it keeps the bytes of files "
            f"up to {KEPT_BYTES} bytes.",
            "FAILED_PRECONDITION",
        )
    mime = call.emu.state.files[name]["mimeType"]
    return Response(200, data, ((b"content-type", mime.encode()),))


def register_files(call: Call) -> Response:
    """`POST files:register {"uris": [gs://...]}`: REGISTERED files (needs OAuth, spec §3.4)."""
    if not call.req.headers.get("authorization", "").lower().startswith("bearer "):
        raise ApiError(
            401,
            "Registering files needs OAuth credentials (Authorization: Bearer).",
            "UNAUTHENTICATED",
        )
    uris = g(call.body(), "uris", [])
    if not uris or not all(isinstance(u, str) and u.startswith("gs://") for u in uris):
        raise ApiError(400, "* RegisterFilesRequest.uris: every uri must be a gs:// uri\n")
    files = []
    for uri in uris:
        mime = "application/pdf" if uri.endswith(".pdf") else "application/octet-stream"
        record = new_file(call, b"", mime, source="REGISTERED")
        record["displayName"] = uri.rsplit("/", 1)[-1]
        record["uri"] = uri
        files.append(record)
    return json_response({"files": files})
