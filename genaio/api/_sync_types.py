"""The blocking surface's types (`genaio.Client().models` ...): GENERATED, do not edit.

Written by `python -m genaio.api._sync_gen` from the async families' signatures; the calls
themselves go through `_sync.SyncProxy`. tests/api/test_sync_types.py checks it is current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, cast

if TYPE_CHECKING:
    import builtins
    import os
    from collections.abc import (
        Iterable,
        Iterator,
        Mapping,
        Sequence,
    )
    from types import TracebackType

    from pydantic import BaseModel

    from genaio.api._lro import PollPolicy
    from genaio.api.files import Destination
    from genaio.api.operations import OperationT
    from genaio.engine import Uploadable
    from genaio.types import (
        AgentListResponse,
        AuthToken,
        BatchJob,
        BatchJobSource,
        CachedContent,
        CancelBatchJobConfig,
        CancelTuningJobConfig,
        CancelTuningJobResponse,
        CompositeReinforcementTuningRewardConfig,
        ComputeTokensConfig,
        ComputeTokensResponse,
        Content,
        CountTokensConfig,
        CountTokensResponse,
        CreateAuthTokenConfig,
        CreateBatchJobConfig,
        CreateCachedContentConfig,
        CreateDecisionResponse,
        CreateEmbeddingsBatchJobConfig,
        CreateFileSearchStoreConfig,
        CreateTuningJobConfig,
        CredentialListResponse,
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
        ListEnvironmentsResponse,
        ListFilesConfig,
        ListFileSearchStoresConfig,
        ListModelsConfig,
        ListTriggerExecutionsResponse,
        ListTriggersResponse,
        ListTuningJobsConfig,
        ListVoicesResponse,
        Model,
        RecontextImageConfig,
        RecontextImageResponse,
        RecontextImageSource,
        RegisterFilesConfig,
        RegisterFilesResponse,
        ReinforcementTuningExample,
        SegmentImageConfig,
        SegmentImageResponse,
        SegmentImageSource,
        SingleReinforcementTuningRewardConfig,
        TriggerExecution,
        TuningDataset,
        TuningJob,
        UpdateCachedContentConfig,
        UpdateModelConfig,
        UploadFileConfig,
        UploadToFileSearchStoreConfig,
        UploadToFileSearchStoreOperation,
        UpscaleImageConfig,
        UpscaleImageResponse,
        ValidateRewardConfig,
        ValidateRewardResponse,
        Video,
        WebhookListResponse,
        WebhookPingResponse,
        WebhookRotateSigningSecretResponse,
    )
    from genaio.types._agents import (
        Agent,
        ManagedEnvironment,
    )
    from genaio.types._credentials import Credential
    from genaio.types._managed_base import Empty
    from genaio.types._triggers import Trigger
    from genaio.types._voices import (
        DeleteVoiceResponse,
        VoiceOutput,
    )
    from genaio.types._webhooks import Webhook

__all__ = [
    "Agents",
    "Batches",
    "Caches",
    "CallingStream",
    "Chat",
    "ChatStream",
    "Chats",
    "Credentials",
    "Decisions",
    "Documents",
    "Environments",
    "FileSearchStores",
    "Files",
    "InteractionConnection",
    "InteractionConnectionContext",
    "InteractionsResource",
    "Models",
    "Operations",
    "Pager",
    "ResponseStream",
    "SyncFamilies",
    "Tokens",
    "Triggers",
    "Tunings",
    "Voices",
    "Webhooks",
]

T = TypeVar("T")


class Models(Protocol):
    """Blocking `genaio.api.models.AsyncModels` (see it for each method's docs)."""

    def generate_content(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | Mapping[str, Any] | None = ...,
    ) -> GenerateContentResponse: ...

    def generate_content_stream(
        self,
        *,
        model: str,
        contents: Any,
        config: GenerateContentConfig | Mapping[str, Any] | None = ...,
    ) -> ResponseStream[GenerateContentResponse] | CallingStream: ...

    def embed_content(
        self,
        *,
        model: str,
        contents: Any,
        config: EmbedContentConfig | Mapping[str, Any] | None = ...,
    ) -> EmbedContentResponse: ...

    def count_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: CountTokensConfig | Mapping[str, Any] | None = ...,
    ) -> CountTokensResponse: ...

    def compute_tokens(
        self,
        *,
        model: str,
        contents: Any,
        config: ComputeTokensConfig | Mapping[str, Any] | None = ...,
    ) -> ComputeTokensResponse: ...

    def get(
        self,
        *,
        model: str,
        config: GetModelConfig | Mapping[str, Any] | None = ...,
    ) -> Model: ...

    def list(
        self,
        *,
        config: ListModelsConfig | Mapping[str, Any] | None = ...,
    ) -> Pager[Model]: ...

    def update(
        self,
        *,
        model: str,
        config: UpdateModelConfig | Mapping[str, Any] | None = ...,
    ) -> Model: ...

    def delete(
        self,
        *,
        model: str,
        config: DeleteModelConfig | Mapping[str, Any] | None = ...,
    ) -> DeleteModelResponse: ...

    def generate_images(
        self,
        *,
        model: str,
        prompt: str,
        config: GenerateImagesConfig | Mapping[str, Any] | None = ...,
    ) -> GenerateImagesResponse: ...

    def edit_image(
        self,
        *,
        model: str,
        prompt: str,
        reference_images: builtins.list[Any],
        config: EditImageConfig | Mapping[str, Any] | None = ...,
    ) -> EditImageResponse: ...

    def upscale_image(
        self,
        *,
        model: str,
        image: Image | Mapping[str, Any],
        upscale_factor: str,
        config: UpscaleImageConfig | Mapping[str, Any] | None = ...,
    ) -> UpscaleImageResponse: ...

    def recontext_image(
        self,
        *,
        model: str,
        source: RecontextImageSource | Mapping[str, Any],
        config: RecontextImageConfig | Mapping[str, Any] | None = ...,
    ) -> RecontextImageResponse: ...

    def segment_image(
        self,
        *,
        model: str,
        source: SegmentImageSource | Mapping[str, Any],
        config: SegmentImageConfig | Mapping[str, Any] | None = ...,
    ) -> SegmentImageResponse: ...

    def generate_videos(
        self,
        *,
        model: str,
        prompt: str | None = ...,
        image: Image | Mapping[str, Any] | None = ...,
        video: Video | Mapping[str, Any] | None = ...,
        source: GenerateVideosSource | Mapping[str, Any] | None = ...,
        config: GenerateVideosConfig | Mapping[str, Any] | None = ...,
    ) -> GenerateVideosOperation: ...


class Chats(Protocol):
    """Blocking `genaio.api.chats.AsyncChats` (see it for each method's docs)."""

    def create(
        self,
        *,
        model: str,
        config: GenerateContentConfig | Mapping[str, Any] | None = ...,
        history: list[Content | Mapping[str, Any]] | None = ...,
    ) -> Chat: ...


class Files(Protocol):
    """Blocking `genaio.api.files.AsyncFiles` (see it for each method's docs)."""

    def upload(
        self,
        *,
        file: Uploadable | None = ...,
        path: str | os.PathLike[str] | None = ...,
        config: UploadFileConfig | Mapping[str, Any] | None = ...,
    ) -> File: ...

    def get(
        self,
        *,
        name: str,
        config: GetFileConfig | Mapping[str, Any] | None = ...,
    ) -> File: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteFileConfig | Mapping[str, Any] | None = ...,
    ) -> DeleteFileResponse: ...

    def list(
        self,
        *,
        config: ListFilesConfig | Mapping[str, Any] | None = ...,
    ) -> Pager[File]: ...

    def download(
        self,
        *,
        file: str | File | Any,
        destination: Destination | None = ...,
        config: DownloadFileConfig | Mapping[str, Any] | None = ...,
    ) -> bytes | None: ...

    def register_files(
        self,
        *,
        auth: Any,
        uris: Sequence[str],
        config: RegisterFilesConfig | Mapping[str, Any] | None = ...,
    ) -> RegisterFilesResponse: ...


class Caches(Protocol):
    """Blocking `genaio.api.caches.AsyncCaches` (see it for each method's docs)."""

    def create(
        self,
        *,
        model: str,
        config: CreateCachedContentConfig | Mapping[str, Any] | None = ...,
        contents: Any = ...,
    ) -> CachedContent: ...

    def get(
        self,
        *,
        name: str,
        config: GetCachedContentConfig | Mapping[str, Any] | None = ...,
    ) -> CachedContent: ...

    def update(
        self,
        *,
        name: str,
        config: UpdateCachedContentConfig | Mapping[str, Any] | None = ...,
    ) -> CachedContent: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteCachedContentConfig | Mapping[str, Any] | None = ...,
    ) -> DeleteCachedContentResponse: ...

    def list(
        self,
        *,
        config: ListCachedContentsConfig | Mapping[str, Any] | None = ...,
    ) -> Pager[CachedContent]: ...


class FileSearchStores(Protocol):
    """Blocking `genaio.api.file_search_stores.AsyncFileSearchStores` (see it for each method's
    docs)."""

    documents: Documents

    def create(
        self,
        *,
        config: CreateFileSearchStoreConfig | Mapping[str, Any] | None = ...,
    ) -> FileSearchStore: ...

    def get(
        self,
        *,
        name: str,
        config: GetFileSearchStoreConfig | Mapping[str, Any] | None = ...,
    ) -> FileSearchStore: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteFileSearchStoreConfig | Mapping[str, Any] | None = ...,
    ) -> None: ...

    def list(
        self,
        *,
        config: ListFileSearchStoresConfig | Mapping[str, Any] | None = ...,
    ) -> Pager[FileSearchStore]: ...

    def import_file(
        self,
        *,
        file_search_store_name: str,
        file_name: str,
        config: ImportFileConfig | Mapping[str, Any] | None = ...,
    ) -> ImportFileOperation: ...

    def upload_to_file_search_store(
        self,
        *,
        file_search_store_name: str,
        file: Uploadable,
        config: UploadToFileSearchStoreConfig | Mapping[str, Any] | None = ...,
    ) -> UploadToFileSearchStoreOperation: ...

    def download_media(
        self,
        *,
        media_id: str,
        config: DownloadMediaConfig | Mapping[str, Any] | None = ...,
    ) -> bytes: ...


class Batches(Protocol):
    """Blocking `genaio.api.batches.AsyncBatches` (see it for each method's docs)."""

    def create(
        self,
        *,
        model: str,
        src: BatchJobSource | list[InlinedRequest | Mapping[str, Any]] | str | Mapping[str, Any],
        config: CreateBatchJobConfig | Mapping[str, Any] | None = ...,
    ) -> BatchJob: ...

    def create_embeddings(
        self,
        *,
        model: str,
        src: EmbeddingsBatchJobSource | Mapping[str, Any],
        config: CreateEmbeddingsBatchJobConfig | Mapping[str, Any] | None = ...,
    ) -> BatchJob: ...

    def get(
        self,
        *,
        name: str,
        config: GetBatchJobConfig | Mapping[str, Any] | None = ...,
    ) -> BatchJob: ...

    def cancel(
        self,
        *,
        name: str,
        config: CancelBatchJobConfig | Mapping[str, Any] | None = ...,
    ) -> None: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteBatchJobConfig | Mapping[str, Any] | None = ...,
    ) -> DeleteResourceJob: ...

    def list(
        self,
        *,
        config: ListBatchJobsConfig | Mapping[str, Any] | None = ...,
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
        training_dataset: TuningDataset | Mapping[str, Any],
        config: CreateTuningJobConfig | Mapping[str, Any] | None = ...,
    ) -> TuningJob: ...

    def get(
        self,
        *,
        name: str,
        config: GetTuningJobConfig | Mapping[str, Any] | None = ...,
    ) -> TuningJob: ...

    def list(
        self,
        *,
        config: ListTuningJobsConfig | Mapping[str, Any] | None = ...,
    ) -> Pager[TuningJob]: ...

    def cancel(
        self,
        *,
        name: str,
        config: CancelTuningJobConfig | Mapping[str, Any] | None = ...,
    ) -> CancelTuningJobResponse: ...

    def wait(
        self,
        *,
        name: str,
        timeout: float | None = ...,
        poll: PollPolicy | None = ...,
    ) -> TuningJob: ...

    def validate_reward(
        self,
        *,
        parent: str,
        sample_response: Content | Mapping[str, Any],
        example: ReinforcementTuningExample | Mapping[str, Any],
        single_reward_config: SingleReinforcementTuningRewardConfig | Mapping[str, Any] | None = ...,
        composite_reward_config: CompositeReinforcementTuningRewardConfig | Mapping[str, Any] | None = ...,
        config: ValidateRewardConfig | Mapping[str, Any] | None = ...,
    ) -> ValidateRewardResponse: ...


class Tokens(Protocol):
    """Blocking `genaio.api.auth_tokens.AsyncTokens` (see it for each method's docs)."""

    def create(
        self,
        *,
        config: CreateAuthTokenConfig | Mapping[str, Any] | None = ...,
    ) -> AuthToken: ...


class Operations(Protocol):
    """Blocking `genaio.api.operations.AsyncOperations` (see it for each method's docs)."""

    def get(
        self,
        operation: OperationT,
        *,
        config: GetOperationConfig | Mapping[str, Any] | None = ...,
    ) -> OperationT: ...

    def wait(
        self,
        operation: OperationT,
        *,
        timeout: float | None = ...,
        poll: PollPolicy | None = ...,
        config: GetOperationConfig | Mapping[str, Any] | None = ...,
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

    def connect(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        timeout: float = ...,
    ) -> InteractionConnectionContext: ...


class Agents(Protocol):
    """Blocking `genaio.api.agents.AsyncAgents` (see it for each method's docs)."""

    def create(
        self,
        *,
        api_version: str | None = ...,
        agent_config: Any = ...,
        base_agent: str | None = ...,
        base_environment: Any = ...,
        description: str | None = ...,
        id: str | None = ...,
        system_instruction: str | None = ...,
        tools: Iterable[Any] | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Agent: ...

    def list(
        self,
        *,
        api_version: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        parent: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> AgentListResponse: ...

    def get(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Agent: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Empty: ...


class Credentials(Protocol):
    """Blocking `genaio.api.credentials.AsyncCredentials` (see it for each method's docs)."""

    def create(
        self,
        *,
        request: Any = ...,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
        **body_kwargs: Any,
    ) -> Credential: ...

    def update(
        self,
        id: str,
        *,
        request: Any = ...,
        api_version: str | None = ...,
        update_mask: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
        **body_kwargs: Any,
    ) -> Credential: ...

    def list(
        self,
        *,
        api_version: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> CredentialListResponse: ...

    def get(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Credential: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Empty: ...


class Decisions(Protocol):
    """Blocking `genaio.api.decisions.AsyncDecisions` (see it for each method's docs)."""

    def create(
        self,
        *,
        input: Any,
        model: str,
        questions: Mapping[str, Any],
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> CreateDecisionResponse: ...


class Environments(Protocol):
    """Blocking `genaio.api.environments.AsyncEnvironments` (see it for each method's docs)."""

    def create(
        self,
        *,
        api_version: str | None = ...,
        custom_config: Mapping[str, Any] | None = ...,
        from_environment: str | None = ...,
        mode: str | None = ...,
        network: Any = ...,
        sources: Iterable[Any] | None = ...,
        system_instruction: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ManagedEnvironment: ...

    def list(
        self,
        *,
        api_version: str | None = ...,
        mode: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ListEnvironmentsResponse: ...

    def create_environment(
        self,
        *,
        api_version: str | None = ...,
        custom_config: Mapping[str, Any] | None = ...,
        from_environment: str | None = ...,
        mode: str | None = ...,
        network: Any = ...,
        sources: Iterable[Any] | None = ...,
        system_instruction: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ManagedEnvironment: ...

    def list_environments(
        self,
        *,
        api_version: str | None = ...,
        mode: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ListEnvironmentsResponse: ...

    def get_environment(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ManagedEnvironment: ...

    def delete_environment(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Empty: ...

    def get(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ManagedEnvironment: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Empty: ...


class Triggers(Protocol):
    """Blocking `genaio.api.triggers.AsyncTriggers` (see it for each method's docs)."""

    def create(
        self,
        *,
        interaction: Mapping[str, Any] | Any,
        schedule: str,
        time_zone: str,
        api_version: str | None = ...,
        display_name: str | None = ...,
        environment_id: str | None = ...,
        execution_timeout_seconds: int | None = ...,
        max_consecutive_failures: int | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Trigger: ...

    def update(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        display_name: str | None = ...,
        status: Literal['active', 'paused', 'error'] | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Trigger: ...

    def list(
        self,
        *,
        api_version: str | None = ...,
        filter_: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ListTriggersResponse: ...

    def run(
        self,
        trigger_id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> TriggerExecution: ...

    def list_executions(
        self,
        trigger_id: str,
        *,
        api_version: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ListTriggerExecutionsResponse: ...

    def get(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Trigger: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Empty: ...


class Voices(Protocol):
    """Blocking `genaio.api.voices.AsyncVoices` (see it for each method's docs)."""

    def create(
        self,
        *,
        voice: Mapping[str, Any] | Any,
        api_version: str | None = ...,
        store: bool | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> VoiceOutput: ...

    def list(
        self,
        *,
        api_version: str | None = ...,
        accent: Iterable[str] | None = ...,
        contexts: Iterable[str] | None = ...,
        gender: Iterable[str] | None = ...,
        language_code: Iterable[str] | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        persona: Iterable[str] | None = ...,
        pitch: Iterable[str] | None = ...,
        region_code: Iterable[str] | None = ...,
        search: str | None = ...,
        type_: Iterable[str] | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> ListVoicesResponse: ...

    def get(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> VoiceOutput: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> DeleteVoiceResponse: ...


class Webhooks(Protocol):
    """Blocking `genaio.api.webhooks.AsyncWebhooks` (see it for each method's docs)."""

    def create(
        self,
        *,
        subscribed_events: Iterable[str],
        uri: str,
        api_version: str | None = ...,
        name: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Webhook: ...

    def update(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        update_mask: str | None = ...,
        name: str | None = ...,
        state: Literal['enabled', 'disabled', 'disabled_due_to_failed_deliveries'] | None = ...,
        subscribed_events: Iterable[str] | None = ...,
        uri: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Webhook: ...

    def list(
        self,
        *,
        api_version: str | None = ...,
        page_size: int | None = ...,
        page_token: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> WebhookListResponse: ...

    def ping(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        body: Mapping[str, Any] | Any = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> WebhookPingResponse: ...

    def rotate_signing_secret(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        revocation_behavior: Literal['revoke_previous_secrets_after_h24', 'revoke_previous_secrets_immediately'] | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        extra_body: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> WebhookRotateSigningSecretResponse: ...

    def get(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Webhook: ...

    def delete(
        self,
        id: str,
        *,
        api_version: str | None = ...,
        extra_headers: Mapping[str, str] | None = ...,
        extra_query: Mapping[str, Any] | None = ...,
        timeout: float | None = ...,
    ) -> Empty: ...


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
        config: GenerateContentConfig | Mapping[str, Any] | None = ...,
    ) -> GenerateContentResponse: ...

    def send_message_stream(
        self,
        message: Any,
        config: GenerateContentConfig | Mapping[str, Any] | None = ...,
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
        config: GetDocumentConfig | Mapping[str, Any] | None = ...,
    ) -> Document: ...

    def delete(
        self,
        *,
        name: str,
        config: DeleteDocumentConfig | Mapping[str, Any] | None = ...,
    ) -> None: ...

    def list(
        self,
        *,
        parent: str,
        config: ListDocumentsConfig | Mapping[str, Any] | None = ...,
    ) -> Pager[Document]: ...


class InteractionConnectionContext(Protocol):
    """Blocking `genaio.api._interaction_socket.InteractionConnectionContext` (see it for each
    method's docs)."""

    def __enter__(
        self,
    ) -> InteractionConnection: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


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


class InteractionConnection(Protocol):
    """Blocking `genaio.api._interaction_socket.InteractionConnection` (see it for each method's
    docs)."""

    def send(
        self,
        input: str | Mapping[str, Any] | BaseModel | Sequence[Any],
    ) -> None: ...

    def receive(
        self,
    ) -> Iterator[InteractionSSEEvent]: ...

    def complete(
        self,
    ) -> None: ...

    def cancel(
        self,
    ) -> None: ...

    def detach(
        self,
        _code: int = ...,
    ) -> None: ...

    def aclose(
        self,
        reason: BaseException | None = ...,
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

    @property
    def agents(self) -> Agents:
        return cast("Agents", self._family("agents"))

    @property
    def credentials(self) -> Credentials:
        return cast("Credentials", self._family("credentials"))

    @property
    def decisions(self) -> Decisions:
        return cast("Decisions", self._family("decisions"))

    @property
    def environments(self) -> Environments:
        return cast("Environments", self._family("environments"))

    @property
    def triggers(self) -> Triggers:
        return cast("Triggers", self._family("triggers"))

    @property
    def voices(self) -> Voices:
        return cast("Voices", self._family("voices"))

    @property
    def webhooks(self) -> Webhooks:
        return cast("Webhooks", self._family("webhooks"))
