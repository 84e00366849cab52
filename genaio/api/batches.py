"""`client.aio.batches`: batch jobs, inlined or from a file, and embeddings batches.

On the Gemini API a batch is `batches/{id}`, created by `models/{m}:batchGenerateContent` (or
`:asyncBatchEmbedContent`) from inlined requests or an uploaded JSONL file; on Vertex AI it is a
`batchPredictionJobs/{id}` reading from and writing to Cloud Storage or BigQuery.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Mapping
from typing import Any

from genaio.api._bodies import embed_content_body, generate_content_body, reject_vertex_only
from genaio.api._lro import PollPolicy, poll_policy, wait_until_done
from genaio.api._normalize import coerce_config, t_model
from genaio.api._resource import Resource
from genaio.api.pagers import AsyncPager
from genaio.engine import RestCall
from genaio.types import (
    BatchJob,
    BatchJobDestination,
    BatchJobSource,
    CancelBatchJobConfig,
    CreateBatchJobConfig,
    CreateEmbeddingsBatchJobConfig,
    DeleteBatchJobConfig,
    DeleteResourceJob,
    EmbeddingsBatchJobSource,
    GetBatchJobConfig,
    HttpResponse,
    InlinedRequest,
    ListBatchJobsConfig,
)

__all__ = ["AsyncBatches"]

_VERTEX_JOB = re.compile(r"projects/[^/]+/locations/[^/]+/batchPredictionJobs/([^/]+)")
_DATASET = re.compile(r"projects/[^/]+/locations/[^/]+/datasets/[^/]+")


class AsyncBatches(Resource):
    """Batch jobs: create (inlined or from a file), embeddings, get, cancel, delete, list."""

    family = "batches"

    async def create(
        self,
        *,
        model: str,
        src: BatchJobSource | list[InlinedRequest | Mapping[str, Any]] | str | Mapping[str, Any],
        config: CreateBatchJobConfig | Mapping[str, Any] | None = None,
    ) -> BatchJob:
        """Start a batch of `generate_content` requests.

        `src`: a list of `InlinedRequest`s (or dicts), `"files/..."` (an uploaded JSONL file of
        `{"key", "request"}` lines) on the Gemini API; `"gs://..."`, `"bq://..."` or a dataset
        name on Vertex AI, where `config.dest` says where results go (derived from `src` when
        absent, as the official SDK does).

        Cancellation: cancelling the caller cancels the request; a batch the server had already
        accepted runs on (find it with `list`).
        """
        parsed = coerce_config(CreateBatchJobConfig, config)
        source = _source(src)
        name = t_model(model, vertex=self._vertex)
        if self._vertex:
            path, body = "batchPredictionJobs", _vertex_body(name, source, parsed)
        else:
            reject_vertex_only(parsed)
            batch: dict[str, Any] = {"inputConfig": _gemini_input(source)}
            if parsed.display_name is not None:
                batch["displayName"] = parsed.display_name
            if parsed.webhook_config is not None:
                batch["webhookConfig"] = _plain(parsed.webhook_config)
            path, body = f"{name}:batchGenerateContent", {"batch": batch}
        return await self._create(path, body, parsed)

    async def create_embeddings(
        self,
        *,
        model: str,
        src: EmbeddingsBatchJobSource | Mapping[str, Any],
        config: CreateEmbeddingsBatchJobConfig | Mapping[str, Any] | None = None,
    ) -> BatchJob:
        """Start a batch of embeddings (Gemini API only): `src` is `{"inlined_requests":
        {"contents": [...], "config": EmbedContentConfig}}` or `{"file_name": "files/..."}`.

        Cancellation: as for `create`.
        """
        if self._vertex:
            raise ValueError("batches.create_embeddings is only available on the Gemini API")
        parsed = coerce_config(CreateEmbeddingsBatchJobConfig, config)
        source = coerce_config(EmbeddingsBatchJobSource, src)
        if (source.file_name is None) == (source.inlined_requests is None):
            raise ValueError("exactly one of src.inlined_requests and src.file_name must be set")
        name = t_model(model, vertex=False)
        inline = source.inlined_requests
        if inline is not None:
            _, embed = embed_content_body(name, inline.contents, inline.config, vertex=False)
            requests = [{k: v for k, v in r.items() if k != "model"} for r in embed["requests"]]
            input_config: dict[str, Any] = {
                "requests": {"requests": [{"request": r} for r in requests]}
            }
        else:
            # The official SDK sends this key in snake_case; the API reads both spellings.
            input_config = {"file_name": source.file_name}
        batch: dict[str, Any] = {"inputConfig": input_config}
        if parsed.display_name is not None:
            batch["displayName"] = parsed.display_name
        return await self._create(f"{name}:asyncBatchEmbedContent", {"batch": batch}, parsed)

    async def get(
        self, *, name: str, config: GetBatchJobConfig | Mapping[str, Any] | None = None
    ) -> BatchJob:
        """The job as it is now: its state and, once done, its results (`dest`).

        Cancellation: cancelling the caller cancels the request.
        """
        parsed = coerce_config(GetBatchJobConfig, config)
        call = self._rest("GET", self._path(name), options=self._options(parsed))
        return BatchJob.from_api((await self._request(call)).data, vertex=self._vertex)

    async def cancel(
        self, *, name: str, config: CancelBatchJobConfig | Mapping[str, Any] | None = None
    ) -> None:
        """Ask the server to stop the job; it ends `JOB_STATE_CANCELLED` (see `get`).

        Cancellation: cancelling the caller cancels the request (the job may still stop).
        """
        parsed = coerce_config(CancelBatchJobConfig, config)
        await self._request(
            self._rest("POST", self._path(name) + ":cancel", options=self._options(parsed))
        )

    async def delete(
        self, *, name: str, config: DeleteBatchJobConfig | Mapping[str, Any] | None = None
    ) -> DeleteResourceJob:
        """Delete the job (on Vertex AI the answer is the delete operation).

        Cancellation: cancelling the caller cancels the request (the job may be gone).
        """
        parsed = coerce_config(DeleteBatchJobConfig, config)
        answer = await self._request(
            self._rest("DELETE", self._path(name), options=self._options(parsed))
        )
        job = DeleteResourceJob.from_wire(answer.data)
        job.sdk_http_response = HttpResponse(headers=dict(answer.headers))
        return job

    async def list(
        self, *, config: ListBatchJobsConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[BatchJob]:
        """Your batch jobs, page by page (`filter` is Vertex AI only).

        Cancellation: cancelling the caller cancels the page request in flight.
        """
        parsed = coerce_config(ListBatchJobsConfig, config)
        if not self._vertex:
            reject_vertex_only(parsed)
        options, vertex = self._options(parsed), self._vertex
        path, key = (
            ("batchPredictionJobs", "batchPredictionJobs") if vertex else ("batches", "operations")
        )

        def page_call(page: dict[str, Any]) -> RestCall:
            query = {
                "pageSize": page.get("page_size"),
                "pageToken": page.get("page_token"),
                "filter": page.get("filter"),
            }
            return self._rest("GET", path, query=query, options=options)

        def parse(data: Any) -> BatchJob:
            return BatchJob.from_api(data, vertex=vertex)

        config_dict = parsed.model_dump(exclude_none=True, exclude={"http_options"})
        return await self._pager("batch_jobs", page_call, key, parse, config_dict)

    async def wait(
        self,
        *,
        name: str,
        timeout: float | None = None,  # noqa: ASYNC109 - the documented wait signature
        poll: PollPolicy | None = None,
    ) -> BatchJob:
        """Poll the job until it ends (succeeded, failed, cancelled or expired); a genaio
        addition. `poll` and `timeout` are as for `operations.wait`.

        Cancellation: cancelling the caller stops the polling at once; the job runs on.
        """
        job = await self.get(name=name)
        return await wait_until_done(
            job,
            lambda current: self.get(name=current.name or name),
            lambda current: current.done,
            poll_policy(poll, timeout),
        )

    async def _create(self, path: str, body: dict[str, Any], config: Any) -> BatchJob:
        call = self._rest("POST", path, body=body, options=self._options(config), idempotent=False)
        return BatchJob.from_api((await self._request(call)).data, vertex=self._vertex)

    def _path(self, name: str) -> str:
        """`batches/{id}` (Gemini API); `batchPredictionJobs/{id}` from a full name or a numeric
        id (Vertex AI). Anything else is a ValueError, as in the official SDK."""
        if not self._vertex:
            if re.fullmatch(r"batches/[^/]+", name):
                return name
        else:
            found = _VERTEX_JOB.fullmatch(name)
            if found or name.isdigit():
                return f"batchPredictionJobs/{found.group(1) if found else name}"
        raise ValueError(f"Invalid batch job name: {name}.")


def _source(src: Any) -> BatchJobSource:
    """`src` in its one shape: a list is inlined requests, a str names a file or a location."""
    if isinstance(src, list):
        return BatchJobSource(inlined_requests=src)
    if isinstance(src, str):
        if src.startswith("gs://"):
            return BatchJobSource(format="jsonl", gcs_uri=[src])
        if src.startswith("bq://"):
            return BatchJobSource(format="bigquery", bigquery_uri=src)
        if _DATASET.fullmatch(src):
            return BatchJobSource(format="vertex-dataset", vertex_dataset_name=src)
        if src.startswith("files/"):
            return BatchJobSource(file_name=src)
        raise ValueError(f"Unsupported source: {src}")
    return coerce_config(BatchJobSource, src)


def _gemini_input(source: BatchJobSource) -> dict[str, Any]:
    reject_vertex_only(source)
    if (source.file_name is None) == (source.inlined_requests is None):
        raise ValueError(
            "exactly one of src.inlined_requests and src.file_name must be set on the Gemini API"
        )
    if source.file_name is not None:
        return {"fileName": source.file_name}
    return {"requests": {"requests": [_inlined(r) for r in source.inlined_requests or ()]}}


def _inlined(request: InlinedRequest) -> dict[str, Any]:
    """One request as `generate_content` would send it, plus its model and metadata."""
    body = generate_content_body(request.contents, request.config, vertex=False)
    if request.model is not None:
        body = {"model": t_model(request.model, vertex=False), **body}
    item: dict[str, Any] = {"request": body}
    if request.metadata is not None:
        item["metadata"] = request.metadata
    return item


def _vertex_body(
    model: str, source: BatchJobSource, config: CreateBatchJobConfig
) -> dict[str, Any]:
    places = (source.gcs_uri, source.bigquery_uri, source.vertex_dataset_name)
    if source.file_name or source.inlined_requests or sum(p is not None for p in places) != 1:
        raise ValueError(
            "exactly one of src.gcs_uri, src.bigquery_uri and src.vertex_dataset_name must be "
            "set on Vertex AI"
        )
    stamp = f"{datetime.datetime.now():%Y%m%d%H%M%S}_{secrets.token_hex(3)[:5]}"
    dest = config.dest
    if dest is None and source.gcs_uri and source.gcs_uri[0].endswith(".jsonl"):
        dest = source.gcs_uri[0].removesuffix(".jsonl") + "/dest"
    elif dest is None and source.bigquery_uri:
        dest = f"{source.bigquery_uri}_dest_{stamp}"
    body: dict[str, Any] = {
        "model": model,
        "inputConfig": _drop_none(
            instancesFormat=source.format,
            gcsSource=source.gcs_uri and {"uris": source.gcs_uri},
            bigquerySource=source.bigquery_uri and {"inputUri": source.bigquery_uri},
            vertexMultimodalDatasetSource=source.vertex_dataset_name
            and {"datasetName": source.vertex_dataset_name},
        ),
        "displayName": config.display_name or f"genai_batch_job_{stamp}",
    }
    if dest is not None:
        body["outputConfig"] = _vertex_output(dest)
    return body


def _vertex_output(dest: BatchJobDestination | str) -> dict[str, Any]:
    if isinstance(dest, str):
        if dest.startswith("gs://"):
            dest = BatchJobDestination(format="jsonl", gcs_uri=dest)
        elif dest.startswith("bq://"):
            dest = BatchJobDestination(format="bigquery", bigquery_uri=dest)
        else:
            raise ValueError(f"Unsupported destination: {dest}")
    if dest.file_name or dest.inlined_responses or dest.inlined_embed_content_responses:
        raise ValueError("a Vertex AI batch writes to Cloud Storage, BigQuery or a dataset")
    return _drop_none(
        predictionsFormat=dest.format,
        gcsDestination=dest.gcs_uri and {"outputUriPrefix": dest.gcs_uri},
        bigqueryDestination=dest.bigquery_uri and {"outputUri": dest.bigquery_uri},
        vertexMultimodalDatasetDestination=_plain(dest.vertex_dataset),
    )


def _plain(value: Any) -> Any:
    return value.to_wire() if hasattr(value, "to_wire") else value


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}
