"""`client.aio.file_search_stores`: file search stores and their documents, uploads and imports.

Importing a file or uploading one to a store is a long-running operation on the server: the
methods return its first state; `client.aio.operations` refreshes it or waits for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from genaio.api._normalize import coerce_config, t_model
from genaio.api._resource import Backend
from genaio.api.files import GeminiOnlyResource
from genaio.api.pagers import AsyncPager
from genaio.engine import Uploadable, guess_mime_type
from genaio.types import (
    CreateFileSearchStoreConfig,
    DeleteDocumentConfig,
    DeleteFileSearchStoreConfig,
    Document,
    DownloadMediaConfig,
    FileSearchStore,
    GetDocumentConfig,
    GetFileSearchStoreConfig,
    ImportFileConfig,
    ImportFileOperation,
    ListDocumentsConfig,
    ListFileSearchStoresConfig,
    UploadToFileSearchStoreConfig,
    UploadToFileSearchStoreOperation,
)

__all__ = ["AsyncDocuments", "AsyncFileSearchStores"]

R = TypeVar("R")
#: The delete configs: both have `force`.
_DeleteConfig = TypeVar("_DeleteConfig", DeleteDocumentConfig, DeleteFileSearchStoreConfig)


class _StoreResource(GeminiOnlyResource):
    """Stores and documents: both served by the file search actor, both got and deleted alike."""

    family = "file_search_stores"

    async def _get(self, name: str, config: Any, config_cls: type, parse: Callable[[Any], R]) -> R:
        self._gemini_only()
        options = self._options(coerce_config(config_cls, config))
        return parse((await self._request(self._rest("GET", name, options=options))).data)

    async def _delete(self, name: str, config: Any, config_cls: type[_DeleteConfig]) -> None:
        self._gemini_only()
        parsed = coerce_config(config_cls, config)
        query = {"force": parsed.force}  # sent as `True`/`False`, as the official SDK does
        await self._request(self._rest("DELETE", name, query=query, options=self._options(parsed)))


class AsyncDocuments(_StoreResource):
    """The documents of a file search store: get, delete, list."""

    async def get(
        self, *, name: str, config: GetDocumentConfig | Mapping[str, Any] | None = None
    ) -> Document:
        """A document (`fileSearchStores/{store}/documents/{doc}`).

        Cancellation: cancelling the caller cancels the request.
        """
        return await self._get(name, config, GetDocumentConfig, Document.from_wire)

    async def delete(
        self, *, name: str, config: DeleteDocumentConfig | Mapping[str, Any] | None = None
    ) -> None:
        """Delete a document; `config={"force": True}` also deletes its chunks.

        Cancellation: cancelling the caller cancels the request; it may still have reached the
        server.
        """
        await self._delete(name, config, DeleteDocumentConfig)

    async def list(
        self, *, parent: str, config: ListDocumentsConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[Document]:
        """The documents of the store `parent`, page by page.

        Cancellation: cancelling the caller cancels the page request in flight.
        """
        self._gemini_only()
        parsed = coerce_config(ListDocumentsConfig, config)
        path = f"{parent}/documents"
        return await self._list("documents", path, "documents", Document.from_wire, parsed)


class AsyncFileSearchStores(_StoreResource):
    """File search stores: create, get, delete, list; import or upload files into them."""

    documents: AsyncDocuments

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self.documents = AsyncDocuments(backend)

    async def create(
        self, *, config: CreateFileSearchStoreConfig | Mapping[str, Any] | None = None
    ) -> FileSearchStore:
        """Create an empty store (`display_name`, `embedding_model`).

        Cancellation: cancelling the caller cancels the request; it may still have reached the
        server (and created a store).
        """
        self._gemini_only()
        parsed = coerce_config(CreateFileSearchStoreConfig, config)
        body: dict[str, Any] = {}
        if parsed.display_name is not None:
            body["displayName"] = parsed.display_name
        if parsed.embedding_model is not None:
            body["embeddingModel"] = t_model(parsed.embedding_model, vertex=False)
        call = self._rest(
            "POST",
            "fileSearchStores",
            body=body or None,  # nothing to say is no body at all, as the official SDK sends it
            options=self._options(parsed),
            idempotent=False,
        )
        return FileSearchStore.from_wire((await self._request(call)).data)

    async def get(
        self, *, name: str, config: GetFileSearchStoreConfig | Mapping[str, Any] | None = None
    ) -> FileSearchStore:
        """A store (`fileSearchStores/{store}`), with its document counts and size.

        Cancellation: cancelling the caller cancels the request.
        """
        return await self._get(name, config, GetFileSearchStoreConfig, FileSearchStore.from_wire)

    async def delete(
        self, *, name: str, config: DeleteFileSearchStoreConfig | Mapping[str, Any] | None = None
    ) -> None:
        """Delete a store; one with documents needs `config={"force": True}`.

        Cancellation: cancelling the caller cancels the request; it may still have reached the
        server.
        """
        await self._delete(name, config, DeleteFileSearchStoreConfig)

    async def list(
        self, *, config: ListFileSearchStoresConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[FileSearchStore]:
        """Your stores, page by page.

        Cancellation: cancelling the caller cancels the page request in flight.
        """
        self._gemini_only()
        parsed = coerce_config(ListFileSearchStoresConfig, config)
        return await self._list(
            "file_search_stores",
            "fileSearchStores",
            "fileSearchStores",
            FileSearchStore.from_wire,
            parsed,
        )

    async def import_file(
        self,
        *,
        file_search_store_name: str,
        file_name: str,
        config: ImportFileConfig | Mapping[str, Any] | None = None,
    ) -> ImportFileOperation:
        """Start importing an uploaded file (`files/...`) into a store as a document.

        Cancellation: cancelling the caller cancels the request; it may still have reached the
        server (and started the import).
        """
        self._gemini_only()
        parsed = coerce_config(ImportFileConfig, config)
        body = {"fileName": file_name, **_document_fields(parsed)}
        call = self._rest(
            "POST",
            f"{file_search_store_name}:importFile",
            body=body,
            options=self._options(parsed),
            idempotent=False,
        )
        return ImportFileOperation.from_wire((await self._request(call)).data)

    async def upload_to_file_search_store(
        self,
        *,
        file_search_store_name: str,
        file: Uploadable,
        config: UploadToFileSearchStoreConfig | Mapping[str, Any] | None = None,
    ) -> UploadToFileSearchStoreOperation:
        """Upload a file straight into a store (as `files.upload` does: resumable, 8 MiB
        chunks read from disk one at a time); the answer is the operation that indexes it.

        Cancellation: cancelling abandons the upload (the chunk in flight and its connection
        are cancelled); calling again starts a new upload.
        """
        self._gemini_only()
        parsed = coerce_config(UploadToFileSearchStoreConfig, config)
        mime_type = guess_mime_type(file, parsed.mime_type)
        fields = {"mimeType": parsed.mime_type, "displayName": parsed.display_name}
        body = {k: v for k, v in fields.items() if v is not None} | _document_fields(parsed)
        path = f"upload/{file_search_store_name}:uploadToFileSearchStore"
        answer = await self._upload(path, file, mime_type, lambda _: body, self._options(parsed))
        return UploadToFileSearchStoreOperation.from_wire(answer.data)

    async def download_media(
        self, *, media_id: str, config: DownloadMediaConfig | Mapping[str, Any] | None = None
    ) -> bytes:
        """The bytes behind a media id from grounding metadata
        (`fileSearchStores/{store}/media/{blob}`).

        Cancellation: cancelling the caller cancels the download.
        """
        self._gemini_only()
        name = media_id.lstrip("/")
        if "/media/" not in name:
            raise ValueError(
                f"invalid media_id {media_id!r}: expected fileSearchStores/<store>/media/<blob>"
            )
        return await self._download(name, self._options(coerce_config(DownloadMediaConfig, config)))


def _document_fields(config: ImportFileConfig | UploadToFileSearchStoreConfig) -> dict[str, Any]:
    """`customMetadata` and `chunkingConfig`; their inner keys stay snake_case, as the official
    SDK sends them (the API takes both spellings)."""
    fields: dict[str, Any] = {}
    if config.custom_metadata is not None:
        fields["customMetadata"] = [
            item.model_dump(mode="json", exclude_none=True) for item in config.custom_metadata
        ]
    if config.chunking_config is not None:
        fields["chunkingConfig"] = config.chunking_config.model_dump(mode="json", exclude_none=True)
    return fields
