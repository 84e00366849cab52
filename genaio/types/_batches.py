"""Batch jobs: their sources, destinations, results and states, on both backends.

The Gemini API answers with an operation whose `metadata` is the batch (states spelled
`BATCH_STATE_*`); Vertex AI answers with a `batchPredictionJob`. `BatchJob.from_api` turns
either into the one `BatchJob` shape the official SDK returns.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar, Self

from genaio.types._base import WireModel
from genaio.types._embeddings import ContentEmbedding, EmbedContentConfig
from genaio.types._enums import TERMINAL_JOB_STATES, JobState
from genaio.types._http import HttpOptions
from genaio.types._loose import LooseModel
from genaio.types._operations import GoogleRpcStatus
from genaio.types._responses import GenerateContentResponse, HttpResponse

__all__ = [
    "BatchJob",
    "BatchJobDestination",
    "BatchJobDestinationDict",
    "BatchJobDestinationUnion",
    "BatchJobOutputInfo",
    "BatchJobSource",
    "BatchJobSourceDict",
    "BatchJobSourceUnion",
    "CancelBatchJobConfig",
    "CancelBatchJobConfigDict",
    "CompletionStats",
    "CreateBatchJobConfig",
    "CreateBatchJobConfigDict",
    "CreateEmbeddingsBatchJobConfig",
    "CreateEmbeddingsBatchJobConfigDict",
    "DeleteBatchJobConfig",
    "DeleteBatchJobConfigDict",
    "DeleteResourceJob",
    "EmbedContentBatch",
    "EmbeddingsBatchJobSource",
    "EmbeddingsBatchJobSourceDict",
    "GetBatchJobConfig",
    "GetBatchJobConfigDict",
    "InlinedEmbedContentResponse",
    "InlinedRequest",
    "InlinedRequestDict",
    "InlinedResponse",
    "JobError",
    "ListBatchJobsConfig",
    "ListBatchJobsConfigDict",
    "ListBatchJobsResponse",
    "SingleEmbedContentResponse",
    "VertexMultimodalDatasetDestination",
]

#: The Gemini API's batch states, as the `JobState` the SDK reports.
_STATE_SUFFIXES = (
    "UNSPECIFIED",
    "PENDING",
    "RUNNING",
    "SUCCEEDED",
    "FAILED",
    "CANCELLED",
    "EXPIRED",
)
_GEMINI_STATES = {f"BATCH_STATE_{s}": f"JOB_STATE_{s}" for s in _STATE_SUFFIXES}


class JobError(GoogleRpcStatus):
    """Why a job (or one of its requests) failed."""


class CompletionStats(WireModel):
    successful_count: int | None = None
    failed_count: int | None = None
    incomplete_count: int | None = None
    successful_forecast_point_count: int | None = None


class InlinedRequest(WireModel):
    """One `generate_content` request of a batch; `config` is a `GenerateContentConfig`."""

    model: str | None = None
    contents: Any | None = None
    metadata: dict[str, str] | None = None
    config: Any | None = None


class InlinedResponse(WireModel):
    """The answer to one inlined request: a `response`, or the `error` it met."""

    response: GenerateContentResponse | None = None
    metadata: dict[str, str] | None = None
    error: JobError | None = None


class SingleEmbedContentResponse(WireModel):
    embedding: ContentEmbedding | None = None
    token_count: int | None = None


class InlinedEmbedContentResponse(WireModel):
    response: SingleEmbedContentResponse | None = None
    metadata: dict[str, str] | None = None
    error: JobError | None = None


class BatchJobSource(WireModel):
    """Where the requests are: inlined or a file (Gemini API); GCS, BigQuery or a dataset
    (Vertex AI)."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset(
        {"format", "gcs_uri", "bigquery_uri", "vertex_dataset_name"}
    )

    format: str | None = None
    gcs_uri: list[str] | None = None
    bigquery_uri: str | None = None
    file_name: str | None = None
    inlined_requests: list[InlinedRequest] | None = None
    vertex_dataset_name: str | None = None


class VertexMultimodalDatasetDestination(WireModel):
    """A Vertex AI multimodal dataset the results are written to, made from a BigQuery table
    (`bq://project.dataset.table`)."""

    bigquery_destination: str | None = None
    display_name: str | None = None


class BatchJobDestination(WireModel):
    """Where the results are: a responses file or inlined (Gemini API, chosen by the server);
    GCS, BigQuery or a dataset (Vertex AI, chosen by the caller)."""

    format: str | None = None
    gcs_uri: str | None = None
    bigquery_uri: str | None = None
    file_name: str | None = None
    inlined_responses: list[InlinedResponse] | None = None
    inlined_embed_content_responses: list[InlinedEmbedContentResponse] | None = None
    vertex_dataset: VertexMultimodalDatasetDestination | None = None


class EmbedContentBatch(WireModel):
    """The inputs of an embeddings batch: one embedding per element of `contents`."""

    contents: Any | None = None
    config: EmbedContentConfig | None = None


class EmbeddingsBatchJobSource(WireModel):
    file_name: str | None = None
    inlined_requests: EmbedContentBatch | None = None


class CreateBatchJobConfig(WireModel):
    """`dest` is Vertex AI only (a `gs://` or `bq://` URI, or a `BatchJobDestination`)."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"dest"})

    http_options: HttpOptions | None = None
    display_name: str | None = None
    dest: BatchJobDestination | str | None = None
    webhook_config: LooseModel | dict[str, Any] | None = None


class CreateEmbeddingsBatchJobConfig(WireModel):
    http_options: HttpOptions | None = None
    display_name: str | None = None


class GetBatchJobConfig(WireModel):
    http_options: HttpOptions | None = None


class CancelBatchJobConfig(WireModel):
    http_options: HttpOptions | None = None


class DeleteBatchJobConfig(WireModel):
    http_options: HttpOptions | None = None


class ListBatchJobsConfig(WireModel):
    """`filter` is Vertex AI only."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"filter"})

    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None
    filter: str | None = None


class BatchJobOutputInfo(WireModel):
    """Where a Vertex AI batch wrote its results, once it has."""

    vertex_multimodal_dataset_name: str | None = None
    gcs_output_directory: str | None = None
    bigquery_output_table: str | None = None


class BatchJob(WireModel):
    """A batch job. `state` is a `JobState` on both backends; `done` says it is terminal."""

    name: str | None = None
    display_name: str | None = None
    state: JobState | None = None
    error: JobError | None = None
    create_time: datetime.datetime | None = None
    start_time: datetime.datetime | None = None
    end_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None
    model: str | None = None
    src: BatchJobSource | None = None
    dest: BatchJobDestination | None = None
    completion_stats: CompletionStats | None = None
    output_info: BatchJobOutputInfo | None = None

    @property
    def done(self) -> bool:
        """True once the job can change no more (succeeded, failed, cancelled, expired)."""
        return self.state in TERMINAL_JOB_STATES

    @classmethod
    def from_api(cls, data: dict[str, Any], *, vertex: bool) -> Self:
        """A job from a Gemini API batch operation or a Vertex AI `batchPredictionJob`."""
        if vertex:
            return cls.from_wire(_vertex_job(data))
        return cls.from_wire(_gemini_job(data))


class DeleteResourceJob(WireModel):
    """The answer to a delete: an operation on Vertex AI, empty on the Gemini API."""

    name: str | None = None
    done: bool | None = None
    error: JobError | None = None
    sdk_http_response: HttpResponse | None = None


class ListBatchJobsResponse(WireModel):
    next_page_token: str | None = None
    batch_jobs: list[BatchJob] | None = None
    sdk_http_response: HttpResponse | None = None


def _gemini_job(operation: dict[str, Any]) -> dict[str, Any]:
    """The SDK reads everything but the name from the operation's metadata."""
    meta = operation.get("metadata") or {}
    job: dict[str, Any] = {"name": operation.get("name")}
    for key in ("displayName", "createTime", "updateTime", "endTime", "model"):
        if meta.get(key) is not None:
            job[key] = meta[key]
    if meta.get("state") is not None:
        job["state"] = _GEMINI_STATES.get(meta["state"], meta["state"])
    if operation.get("error") is not None:
        job["error"] = operation["error"]
    stats = meta.get("batchStats")
    if stats:
        job["completionStats"] = {
            "successfulCount": stats.get("successfulRequestCount"),
            "failedCount": stats.get("failedRequestCount"),
            "incompleteCount": stats.get("pendingRequestCount"),
        }
    output = meta.get("output")
    if output is not None:
        dest: dict[str, Any] = {}
        if output.get("responsesFile") is not None:
            dest["fileName"] = output["responsesFile"]
        inlined = (output.get("inlinedResponses") or {}).get("inlinedResponses")
        embedded = (output.get("inlinedEmbedContentResponses") or {}).get("inlinedResponses")
        if inlined and any("embedding" in (r.get("response") or {}) for r in inlined):
            inlined, embedded = None, inlined
        if inlined is not None:
            dest["inlinedResponses"] = inlined
        if embedded is not None:
            dest["inlinedEmbedContentResponses"] = embedded
        job["dest"] = dest
    return job


def _vertex_job(job: dict[str, Any]) -> dict[str, Any]:
    shaped = {k: v for k, v in job.items() if k not in ("inputConfig", "outputConfig")}
    source = job.get("inputConfig")
    if source is not None:
        shaped["src"] = _drop_none(
            format=source.get("instancesFormat"),
            gcsUri=(source.get("gcsSource") or {}).get("uris"),
            bigqueryUri=(source.get("bigquerySource") or {}).get("inputUri"),
            vertexDatasetName=(source.get("vertexMultimodalDatasetSource") or {}).get(
                "datasetName"
            ),
        )
    output = job.get("outputConfig")
    if output is not None:
        shaped["dest"] = _drop_none(
            format=output.get("predictionsFormat"),
            gcsUri=(output.get("gcsDestination") or {}).get("outputUriPrefix"),
            bigqueryUri=(output.get("bigqueryDestination") or {}).get("outputUri"),
            vertexDataset=output.get("vertexMultimodalDatasetDestination"),
        )
    return shaped


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


BatchJobSourceDict = dict[str, Any]
BatchJobDestinationDict = dict[str, Any]
InlinedRequestDict = dict[str, Any]
EmbeddingsBatchJobSourceDict = dict[str, Any]
CreateBatchJobConfigDict = dict[str, Any]
CreateEmbeddingsBatchJobConfigDict = dict[str, Any]
GetBatchJobConfigDict = dict[str, Any]
CancelBatchJobConfigDict = dict[str, Any]
DeleteBatchJobConfigDict = dict[str, Any]
ListBatchJobsConfigDict = dict[str, Any]

#: What `batches.create(dest=)` takes: a destination, or its URI (`gs://`, `bq://`).
BatchJobDestinationUnion = BatchJobDestination | str
#: What `batches.create(src=)` takes: a source, the requests inlined, or a file name or URI.
BatchJobSourceUnion = BatchJobSource | list[InlinedRequest] | str
