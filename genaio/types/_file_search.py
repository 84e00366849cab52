"""Types of the file search family (stores, documents, their operations), and the files
family's responses."""

from __future__ import annotations

import datetime
from typing import Any

from genaio.types._base import WireModel
from genaio.types._enums import WireEnum
from genaio.types._files import File
from genaio.types._http import HttpOptions
from genaio.types._operations import Operation
from genaio.types._responses import HttpResponse

__all__ = [
    "ChunkingConfig",
    "ChunkingConfigDict",
    "ClaudeFile",
    "CreateFileConfig",
    "CreateFileResponse",
    "CreateFileSearchStoreConfig",
    "CreateFileSearchStoreConfigDict",
    "CustomMetadata",
    "CustomMetadataDict",
    "DeleteDocumentConfig",
    "DeleteDocumentConfigDict",
    "DeleteFileResponse",
    "DeleteFileSearchStoreConfig",
    "DeleteFileSearchStoreConfigDict",
    "Document",
    "DocumentState",
    "DownloadMediaConfig",
    "DownloadMediaConfigDict",
    "FileSearchStore",
    "GetDocumentConfig",
    "GetDocumentConfigDict",
    "GetFileSearchStoreConfig",
    "GetFileSearchStoreConfigDict",
    "ImportFileConfig",
    "ImportFileConfigDict",
    "ImportFileOperation",
    "ImportFileResponse",
    "ListDocumentsConfig",
    "ListDocumentsConfigDict",
    "ListDocumentsResponse",
    "ListFileSearchStoresConfig",
    "ListFileSearchStoresConfigDict",
    "ListFileSearchStoresResponse",
    "ListFilesResponse",
    "RegisterFilesResponse",
    "StringList",
    "StringListDict",
    "UploadToFileSearchStoreConfig",
    "UploadToFileSearchStoreConfigDict",
    "UploadToFileSearchStoreOperation",
    "UploadToFileSearchStoreResponse",
    "UploadToFileSearchStoreResumableResponse",
    "WhiteSpaceConfig",
    "WhiteSpaceConfigDict",
]


# -- the files family's responses ------------------------------------------------------------


class ClaudeFile(WireModel):
    """A file as the Files API of Anthropic's models on Vertex AI lists it (`type` is
    `file`)."""

    created_at: datetime.datetime | None = None
    downloadable: bool | None = None
    expires_at: datetime.datetime | None = None
    filename: str | None = None
    id: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None
    type: str | None = None


class DeleteFileResponse(WireModel):
    """Empty from the Gemini API; the deleted file's `id` and `type` from a Claude files
    API."""

    sdk_http_response: HttpResponse | None = None
    id: str | None = None
    type: str | None = None


class ListFilesResponse(WireModel):
    """A page of files: `files` and `next_page_token` (Gemini API), or `data` and `next_page`
    (a Claude files API)."""

    sdk_http_response: HttpResponse | None = None
    next_page_token: str | None = None
    files: list[File] | None = None
    data: list[ClaudeFile] | None = None
    next_page: str | None = None


class CreateFileConfig(WireModel):
    """Options of the files family's `create` (the first request of an upload).
    `should_return_http_response` asks for the HTTP answer (its headers carry the upload
    URL) rather than a parsed file."""

    http_options: HttpOptions | None = None
    should_return_http_response: bool | None = None


class CreateFileResponse(WireModel):
    """The HTTP answer to `create`, whose headers say where to upload the bytes."""

    sdk_http_response: HttpResponse | None = None


class RegisterFilesResponse(WireModel):
    """The files registered from Cloud Storage URIs."""

    sdk_http_response: HttpResponse | None = None
    files: list[File] | None = None


# -- stores and documents --------------------------------------------------------------------


class DocumentState(WireEnum):
    """A document is pending until it has been chunked and embedded."""

    STATE_UNSPECIFIED = "STATE_UNSPECIFIED"
    STATE_PENDING = "STATE_PENDING"
    STATE_ACTIVE = "STATE_ACTIVE"
    STATE_FAILED = "STATE_FAILED"


class StringList(WireModel):
    values: list[str] | None = None


class CustomMetadata(WireModel):
    """A key with one value: a string, a number or a list of strings; searches filter on it."""

    key: str | None = None
    numeric_value: float | None = None
    string_list_value: StringList | None = None
    string_value: str | None = None


class WhiteSpaceConfig(WireModel):
    max_tokens_per_chunk: int | None = None
    max_overlap_tokens: int | None = None


class ChunkingConfig(WireModel):
    """How a document is split into chunks before it is embedded."""

    white_space_config: WhiteSpaceConfig | None = None


class FileSearchStore(WireModel):
    """A store of documents that the `file_search` tool searches."""

    name: str | None = None
    display_name: str | None = None
    create_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None
    active_documents_count: int | None = None
    pending_documents_count: int | None = None
    failed_documents_count: int | None = None
    size_bytes: int | None = None
    embedding_model: str | None = None


class Document(WireModel):
    """A document in a file search store."""

    name: str | None = None
    display_name: str | None = None
    state: DocumentState | None = None
    size_bytes: int | None = None
    mime_type: str | None = None
    create_time: datetime.datetime | None = None
    custom_metadata: list[CustomMetadata] | None = None
    update_time: datetime.datetime | None = None


class CreateFileSearchStoreConfig(WireModel):
    """`embedding_model` is a model name (`models/` is prepended if missing)."""

    http_options: HttpOptions | None = None
    display_name: str | None = None
    embedding_model: str | None = None


class GetFileSearchStoreConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteFileSearchStoreConfig(WireModel):
    """`force=True` also deletes the store's documents; without it a non-empty store stays."""

    http_options: HttpOptions | None = None
    force: bool | None = None


class ListFileSearchStoresConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class ListFileSearchStoresResponse(WireModel):
    sdk_http_response: HttpResponse | None = None
    next_page_token: str | None = None
    file_search_stores: list[FileSearchStore] | None = None


class ImportFileConfig(WireModel):
    http_options: HttpOptions | None = None
    custom_metadata: list[CustomMetadata] | None = None
    chunking_config: ChunkingConfig | None = None


class ImportFileResponse(WireModel):
    """Where an imported file went: the store and the new document."""

    sdk_http_response: HttpResponse | None = None
    parent: str | None = None
    document_name: str | None = None


class ImportFileOperation(Operation):
    """`file_search_stores.import_file`: done once the document is active."""

    response: ImportFileResponse | None = None  # type: ignore[assignment]


class UploadToFileSearchStoreConfig(WireModel):
    """`mime_type` is guessed from a path's extension when left out (required for file objects
    and bytes)."""

    http_options: HttpOptions | None = None
    mime_type: str | None = None
    display_name: str | None = None
    custom_metadata: list[CustomMetadata] | None = None
    chunking_config: ChunkingConfig | None = None


class UploadToFileSearchStoreResponse(WireModel):
    """Where an uploaded file went: the store and the new document, its type and size."""

    sdk_http_response: HttpResponse | None = None
    parent: str | None = None
    document_name: str | None = None
    mime_type: str | None = None
    size_bytes: int | None = None


class UploadToFileSearchStoreResumableResponse(WireModel):
    """The HTTP answer that starts a resumable upload to a store (its headers say where)."""

    sdk_http_response: HttpResponse | None = None


class UploadToFileSearchStoreOperation(Operation):
    """`file_search_stores.upload_to_file_search_store`: done once the document is active."""

    response: UploadToFileSearchStoreResponse | None = None  # type: ignore[assignment]


class DownloadMediaConfig(WireModel):
    http_options: HttpOptions | None = None


class GetDocumentConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteDocumentConfig(WireModel):
    """`force=True` also deletes the document's chunks."""

    http_options: HttpOptions | None = None
    force: bool | None = None


class ListDocumentsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None


class ListDocumentsResponse(WireModel):
    sdk_http_response: HttpResponse | None = None
    next_page_token: str | None = None
    documents: list[Document] | None = None


StringListDict = dict[str, Any]
CustomMetadataDict = dict[str, Any]
WhiteSpaceConfigDict = dict[str, Any]
ChunkingConfigDict = dict[str, Any]
CreateFileSearchStoreConfigDict = dict[str, Any]
GetFileSearchStoreConfigDict = dict[str, Any]
DeleteFileSearchStoreConfigDict = dict[str, Any]
ListFileSearchStoresConfigDict = dict[str, Any]
ImportFileConfigDict = dict[str, Any]
UploadToFileSearchStoreConfigDict = dict[str, Any]
DownloadMediaConfigDict = dict[str, Any]
GetDocumentConfigDict = dict[str, Any]
DeleteDocumentConfigDict = dict[str, Any]
ListDocumentsConfigDict = dict[str, Any]
