"""The blocking surface's types (`genaio.Client().models` ...): GENERATED, do not edit.

Written by `python -m genaio.api._sync_gen` from the async families' signatures; the calls
themselves go through `_sync.SyncProxy`. tests/api/test_sync_types.py checks it is current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

if TYPE_CHECKING:
    import builtins
    import os
    from collections.abc import (
        Iterator,
        Mapping,
        Sequence,
    )

    from genaio.api._lro import PollPolicy
    from genaio.api.files import Destination
    from genaio.api.operations import OperationT
    from genaio.engine import Uploadable
    from genaio.types import (
        AuthToken,
        BatchJob,
        BatchJobSource,
        CachedContent,
        CancelBatchJobConfig,
        CancelTuningJobConfig,
        CancelTuningJobResponse,
        ComputeTokensConfig,
        ComputeTokensResponse,
        Content,
        CountTokensConfig,
        CountTokensResponse,
        CreateAuthTokenConfig,
        CreateBatchJobConfig,
        CreateCachedContentConfig,
        CreateEmbeddingsBatchJobConfig,
        CreateFileSearchStoreConfig,
        CreateTuningJobConfig,
        DeleteBatchJobConfig,
        DeleteCachedContentConfig,
        DeleteCachedContentResponse,
        DeleteDocumentConfig,
        DeleteFileConfig,
        DeleteFileResponse,
        DeleteFileSearchStoreConfig,
        DeleteModelConfig,
        DeleteModelResponse,
        DeleteResourceJob,
        Document,
        DownloadFileConfig,
        DownloadMediaConfig,
        EditImageConfig,
        EditImageResponse,
        EmbedContentConfig,
        EmbedContentResponse,
        EmbeddingsBatchJobSource,
        File,
        FileSearchStore,
        GenerateContentConfig,
        GenerateContentResponse,
        GenerateImagesConfig,
        GenerateImagesResponse,
        GenerateVideosConfig,
        GenerateVideosOperation,
        GenerateVideosSource,
        GetBatchJobConfig,
        GetCachedContentConfig,
        GetDocumentConfig,
        GetFileConfig,
        GetFileSearchStoreConfig,
        GetModelConfig,
        GetOperationConfig,
        GetTuningJobConfig,
        HttpResponse,
        Image,
        ImportFileConfig,
        ImportFileOperation,
        InlinedRequest,
        Interaction,
        InteractionSSEEvent,
        ListBatchJobsConfig,
        ListCachedContentsConfig,
        ListDocumentsConfig,
        ListFilesConfig,
        ListFileSearchStoresConfig,
        ListModelsConfig,
        ListTuningJobsConfig,
        Model,
        RecontextImageConfig,
        RecontextImageResponse,
        RecontextImageSource,
        RegisterFilesConfig,
        RegisterFilesResponse,
        SegmentImageConfig,
        SegmentImageResponse,
        SegmentImageSource,
        TuningDataset,
        TuningJob,
        UpdateCachedContentConfig,
        UpdateModelConfig,
        UploadFileConfig,
        UploadToFileSearchStoreConfig,
        UploadToFileSearchStoreOperation,
        UpscaleImageConfig,
        UpscaleImageResponse,
        Video,
    )

__all__ = [
    "Batches",
    "Caches",
    "CallingStream",
    "Chat",
    "ChatStream",
    "Chats",
    "Documents",
    "FileSearchStores",
    "Files",
    "InteractionsResource",
    "Models",
    "Operations",
    "Pager",
    "ResponseStream",
    "SyncFamilies",
    "Tokens",
    "Tunings",
]

T = TypeVar("T")


class Models(Protocol):
    """Blocking `genaio.api.models.AsyncModels` (see it for each method's docs)."""

    def generate_content(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = ...,
    ) -> GenerateContentResponse: ...

    def generate_content_stream(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | dict[str, Any] | None = ...,
    ) -> ResponseStream[GenerateContentResponse] | CallingStream: ...

    def embed_content(
        self,
        *,
        model: str,
        contents: Any,
        config: EmbedContentConfig | dict[str, Any] | None = ...,
    ) -> EmbedContentResponse: ...

    def count_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: CountTokensConfig | dict[str, Any] | None = ...,
    ) -> CountTokensResponse: ...

    def compute_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: ComputeTokensConfig | dict[str, Any] | None = ...,
    ) -> ComputeTokensResponse: ...

    def get(
        self,
        *,
        model: str,
        config: GetModelConfig | dict[str, Any] | None = ...,
    ) -> Model: ...

    def list(
        self,
        *,
        config: ListModelsConfig | dict[str, Any] | None = ...,
    ) -> Pager[Model]: ...

    def update(
        self,
        *,
        model: str,
        config: UpdateModelConfig | dict[str, Any] | None = ...,
    ) -> Model: ...

    def delete(
        self,
        *,
        model: str,
        config: DeleteModelConfig | dict[str, Any] | None = ...,
    ) -> DeleteModelResponse: ...

    def generate_images(
        self,
        *,
        model: str,
        prompt: str,
        config: GenerateImagesConfig | dict[str, Any] | None = ...,
    ) -> GenerateImagesResponse: ...

    def edit_image(
        self,
        *,
        model: str,
        prompt: str,
        reference_images: builtins.list[Any],
        config: EditImageConfig | dict[str, Any] | None = ...,
    ) -> EditImageResponse: ...

    def upscale_image(
        self,
        *,
        model: str,
        image: Image | dict[str, Any],
        upscale_factor: str,
        config: UpscaleImageConfig | dict[str, Any] | None = ...,
    ) -> UpscaleImageResponse: ...

    def recontext_image(
        self,
        *,
        model: str,
        source: RecontextImageSource | dict[str, Any],
        config: RecontextImageConfig | dict[str, Any] | None = ...,
    ) -> RecontextImageResponse: ...

    def segment_image(
        self,
        *,
        model: str,
        source: SegmentImageSource | dict[str, Any],
        config: SegmentImageConfig | dict[str, Any] | None = ...,
    ) -> SegmentImageResponse: ...

    def generate_videos(
        self,
        *,
        model: str,
        prompt: str | None = ...,
        image: Image | dict[str, Any] | None = ...,
        video: Video | dict[str, Any] | None = ...,
        source: GenerateVideosSource | dict[str, Any] | None = ...,
        config: GenerateVideosConfig | dict[str, Any] | None = ...,
    ) -> GenerateVideosOperation: ...


class Chats(Protocol):
    """Blocking `genaio.api.chats.AsyncChats` (see it for each method's docs)."""

    def create(
        self,
        *,
        model: str,
        config: GenerateContentConfig | dict[str, Any] | None = ...,
        history: list[Content | dict[str, Any]] | None = ...,
    ) -> Chat: ...


class Files(Protocol):
    """Blocking `genaio.api.files.AsyncFiles` (see it for each method's docs)."""

    def upload(
        self,
        *,
        file: Uploadable | None = ...,
        path: str | os.PathLike[str] | None = ...,
        config: UploadFileConfig | dict[str, Any] | None = ...,
    ) -> File: ...

    def get(
        self,
        *,
        name: str,
        config: GetFileConfig | dict[str, Any] | None = ...,
    ) -> File: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteFileConfig | dict[str, Any] | None = ...,
    ) -> DeleteFileResponse: ...

    def list(
        self,
        *,
        config: ListFilesConfig | dict[str, Any] | None = ...,
    ) -> Pager[File]: ...

    def download(
        self,
        *,
        file: str | File | Any,
        destination: Destination | None = ...,
        config: DownloadFileConfig | dict[str, Any] | None = ...,
    ) -> bytes | None: ...

    def register_files(
        self,
        *,
        auth: Any,
        uris: Sequence[str],
        config: RegisterFilesConfig | dict[str, Any] | None = ...,
    ) -> RegisterFilesResponse: ...


class Caches(Protocol):
    """Blocking `genaio.api.caches.AsyncCaches` (see it for each method's docs)."""

    def create(
        self,
        *,
        model: str,
        config: CreateCachedContentConfig | dict[str, Any] | None = ...,
        contents: Any = ...,
    ) -> CachedContent: ...

    def get(
        self,
        *,
        name: str,
        config: GetCachedContentConfig | dict[str, Any] | None = ...,
    ) -> CachedContent: ...

    def update(
        self,
        *,
        name: str,
        config: UpdateCachedContentConfig | dict[str, Any] | None = ...,
    ) -> CachedContent: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteCachedContentConfig | dict[str, Any] | None = ...,
    ) -> DeleteCachedContentResponse: ...

    def list(
        self,
        *,
        config: ListCachedContentsConfig | dict[str, Any] | None = ...,
    ) -> Pager[CachedContent]: ...


class FileSearchStores(Protocol):
    """Blocking `genaio.api.file_search_stores.AsyncFileSearchStores` (see it for each method's
    docs)."""

    documents: Documents

    def create(
        self,
        *,
        config: CreateFileSearchStoreConfig | dict[str, Any] | None = ...,
    ) -> FileSearchStore: ...

    def get(
        self,
        *,
        name: str,
        config: GetFileSearchStoreConfig | dict[str, Any] | None = ...,
    ) -> FileSearchStore: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteFileSearchStoreConfig | dict[str, Any] | None = ...,
    ) -> None: ...

    def list(
        self,
        *,
        config: ListFileSearchStoresConfig | dict[str, Any] | None = ...,
    ) -> Pager[FileSearchStore]: ...

    def import_file(
        self,
        *,
        file_search_store_name: str,
        file_name: str,
        config: ImportFileConfig | dict[str, Any] | None = ...,
    ) -> ImportFileOperation: ...

    def upload_to_file_search_store(
        self,
        *,
        file_search_store_name: str,
        file: Uploadable,
        config: UploadToFileSearchStoreConfig | dict[str, Any] | None = ...,
    ) -> UploadToFileSearchStoreOperation: ...

    def download_media(
        self,
        *,
        media_id: str,
        config: DownloadMediaConfig | dict[str, Any] | None = ...,
    ) -> bytes: ...


class Batches(Protocol):
    """Blocking `genaio.api.batches.AsyncBatches` (see it for each method's docs)."""

    def create(
        self,
        *,
        model: str,
        src: BatchJobSource | list[InlinedRequest | dict[str, Any]] | str | dict[str, Any],
        config: CreateBatchJobConfig | dict[str, Any] | None = ...,
    ) -> BatchJob: ...

    def create_embeddings(
        self,
        *,
        model: str,
        src: EmbeddingsBatchJobSource | dict[str, Any],
        config: CreateEmbeddingsBatchJobConfig | dict[str, Any] | None = ...,
    ) -> BatchJob: ...

    def get(
        self,
        *,
        name: str,
        config: GetBatchJobConfig | dict[str, Any] | None = ...,
    ) -> BatchJob: ...

    def cancel(
        self,
        *,
        name: str,
        config: CancelBatchJobConfig | dict[str, Any] | None = ...,
    ) -> None: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteBatchJobConfig | dict[str, Any] | None = ...,
    ) -> DeleteResourceJob: ...

    def list(
        self,
        *,
        config: ListBatchJobsConfig | dict[str, Any] | None = ...,
    ) -> Pager[BatchJob]: ...

    def wait(
        self,
        *,
        name: str,
        timeout: float | None = ...,
        poll: PollPolicy | None = ...,
    ) -> BatchJob: ...


class Tunings(Protocol):
    """Blocking `genaio.api.tunings.AsyncTunings` (see it for each method's docs)."""

    def tune(
        self,
        *,
        base_model: str,
        training_dataset: TuningDataset | dict[str, Any],
        config: CreateTuningJobConfig | dict[str, Any] | None = ...,
    ) -> TuningJob: ...

    def get(
        self,
        *,
        name: str,
        config: GetTuningJobConfig | dict[str, Any] | None = ...,
    ) -> TuningJob: ...

    def list(
        self,
        *,
        config: ListTuningJobsConfig | dict[str, Any] | None = ...,
    ) -> Pager[TuningJob]: ...

    def cancel(
        self,
        *,
        name: str,
        config: CancelTuningJobConfig | dict[str, Any] | None = ...,
    ) -> CancelTuningJobResponse: ...

    def wait(
        self,
        *,
        name: str,
        timeout: float | None = ...,
        poll: PollPolicy | None = ...,
    ) -> TuningJob: ...


class Tokens(Protocol):
    """Blocking `genaio.api.auth_tokens.AsyncTokens` (see it for each method's docs)."""

    def create(
        self,
        *,
        config: CreateAuthTokenConfig | dict[str, Any] | None = ...,
    ) -> AuthToken: ...


class Operations(Protocol):
    """Blocking `genaio.api.operations.AsyncOperations` (see it for each method's docs)."""

    def get(
        self,
        operation: OperationT,
        *,
        config: GetOperationConfig | dict[str, Any] | None = ...,
    ) -> OperationT: ...

    def wait(
        self,
        operation: OperationT,
        *,
        timeout: float | None = ...,
        poll: PollPolicy | None = ...,
        config: GetOperationConfig | dict[str, Any] | None = ...,
    ) -> OperationT: ...


class InteractionsResource(Protocol):
    """Blocking `genaio.api.interactions.AsyncInteractionsResource` (see it for each method's
    docs)."""

    def create(
        self,
        *,
        input: Any,
        model: str | None = ...,
        agent: str | None = ...,
        stream: bool | None = ...,
        background: bool | None = ...,
        system_instruction: str | None = ...,
        generation_config: Mapping[str, Any] | None = ...,
        agent_config: Mapping[str, Any] | None = ...,
        previous_interaction_id: str | None = ...,
        tools: list[Any] | None = ...,
        response_format: Any = ...,
        response_mime_type: str | None = ...,
        response_modalities: list[str] | None = ...,
        store: bool | None = ...,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
        **fields: Any,
    ) -> Interaction | ResponseStream[InteractionSSEEvent]: ...

    def get(
        self,
        id: str,
        *,
        include_input: bool | None = ...,
        last_event_id: str | None = ...,
        stream: bool = ...,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Interaction | ResponseStream[InteractionSSEEvent]: ...

    def cancel(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Interaction: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> None: ...


class ResponseStream(Protocol[T]):
    """Blocking `genaio.api._streams.ResponseStream` (see it for each method's docs)."""

    def __iter__(
        self,
    ) -> Iterator[T]: ...

    def __next__(
        self,
    ) -> T: ...

    def close(
        self,
    ) -> None: ...

    def aclose(
        self,
    ) -> None: ...

    def __enter__(
        self,
    ) -> ResponseStream[T]: ...

    def __exit__(
        self,
        *exc_info: object,
    ) -> None: ...


class CallingStream(Protocol):
    """Blocking `genaio.api._function_calling.CallingStream` (see it for each method's docs)."""

    def __iter__(
        self,
    ) -> Iterator[GenerateContentResponse]: ...

    def __next__(
        self,
    ) -> GenerateContentResponse: ...

    def close(
        self,
    ) -> None: ...

    def aclose(
        self,
    ) -> None: ...

    def __enter__(
        self,
    ) -> CallingStream: ...

    def __exit__(
        self,
        *exc_info: object,
    ) -> None: ...


class Pager(Protocol[T]):
    """Blocking `genaio.api.pagers.AsyncPager` (see it for each method's docs)."""

    name: str
    page: list[T]
    config: dict[str, Any]
    sdk_http_response: HttpResponse
    page_size: int

    def __len__(
        self,
    ) -> int: ...

    def __getitem__(
        self,
        index: int,
    ) -> T: ...

    def next_page(
        self,
    ) -> list[T]: ...

    def __iter__(
        self,
    ) -> Iterator[T]: ...

    def __next__(
        self,
    ) -> T: ...


class Chat(Protocol):
    """Blocking `genaio.api.chats.AsyncChat` (see it for each method's docs)."""

    def send_message(
        self,
        message: Any,
        config: GenerateContentConfig | dict[str, Any] | None = ...,
    ) -> GenerateContentResponse: ...

    def send_message_stream(
        self,
        message: Any,
        config: GenerateContentConfig | dict[str, Any] | None = ...,
    ) -> ChatStream: ...

    def get_history(
        self,
        curated: bool = ...,
    ) -> list[Content]: ...

    def record_history(
        self,
        user_input: Content,
        model_output: list[Content],
        is_valid: bool,
    ) -> None: ...


class Documents(Protocol):
    """Blocking `genaio.api.file_search_stores.AsyncDocuments` (see it for each method's docs)."""

    def get(
        self,
        *,
        name: str,
        config: GetDocumentConfig | dict[str, Any] | None = ...,
    ) -> Document: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteDocumentConfig | dict[str, Any] | None = ...,
    ) -> None: ...

    def list(
        self,
        *,
        parent: str,
        config: ListDocumentsConfig | dict[str, Any] | None = ...,
    ) -> Pager[Document]: ...


class ChatStream(Protocol):
    """Blocking `genaio.api.chats.ChatStream` (see it for each method's docs)."""

    def __iter__(
        self,
    ) -> Iterator[GenerateContentResponse]: ...

    def __next__(
        self,
    ) -> GenerateContentResponse: ...

    def close(
        self,
    ) -> None: ...

    def aclose(
        self,
    ) -> None: ...

    def __enter__(
        self,
    ) -> ChatStream: ...

    def __exit__(
        self,
        *exc_info: object,
    ) -> None: ...


class SyncFamilies:
    """The blocking client's families, each a `SyncProxy` typed as its twin."""

    def _family(self, name: str) -> Any:
        raise NotImplementedError

    @property
    def models(self) -> Models:
        return cast("Models", self._family("models"))

    @property
    def chats(self) -> Chats:
        return cast("Chats", self._family("chats"))

    @property
    def files(self) -> Files:
        return cast("Files", self._family("files"))

    @property
    def caches(self) -> Caches:
        return cast("Caches", self._family("caches"))

    @property
    def file_search_stores(self) -> FileSearchStores:
        return cast("FileSearchStores", self._family("file_search_stores"))

    @property
    def batches(self) -> Batches:
        return cast("Batches", self._family("batches"))

    @property
    def tunings(self) -> Tunings:
        return cast("Tunings", self._family("tunings"))

    @property
    def auth_tokens(self) -> Tokens:
        return cast("Tokens", self._family("auth_tokens"))

    @property
    def operations(self) -> Operations:
        return cast("Operations", self._family("operations"))

    @property
    def interactions(self) -> InteractionsResource:
        return cast("InteractionsResource", self._family("interactions"))
