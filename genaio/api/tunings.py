"""`client.aio.tunings`: model tuning jobs: tune, get, list, cancel, and wait.

Vertex AI has tuning jobs (`tuningJobs/{id}`). The Gemini API has the legacy `tunedModels`
only: `tune` creates one (the answer is an operation) and the job is read back from the tuned
model itself, as the official SDK does.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from genaio.api._lro import PollPolicy, poll_policy, wait_until_done
from genaio.api._normalize import coerce_config
from genaio.api._resource import Resource
from genaio.api.pagers import AsyncPager
from genaio.engine import RestCall
from genaio.types import (
    CancelTuningJobConfig,
    CancelTuningJobResponse,
    CompositeReinforcementTuningRewardConfig,
    Content,
    CreateTuningJobConfig,
    GetTuningJobConfig,
    HttpResponse,
    JobState,
    ListTuningJobsConfig,
    ReinforcementTuningExample,
    SingleReinforcementTuningRewardConfig,
    TuningDataset,
    TuningJob,
    ValidateRewardConfig,
    ValidateRewardResponse,
)

__all__ = ["AsyncTunings"]

#: Where each Vertex AI tuning method's settings go.
_SPECS = {
    "SUPERVISED_FINE_TUNING": "supervisedTuningSpec",
    "PREFERENCE_TUNING": "preferenceOptimizationSpec",
    "DISTILLATION": "distillationSpec",
    "REINFORCEMENT_TUNING": "reinforcementTuningSpec",
}
#: Config fields that go into the method's spec, and those into its `hyperParameters`.
_SPEC_FIELDS = (
    "export_last_checkpoint_only",
    "tuning_mode",
    "evaluation_config",
    "base_teacher_model",
    "tuned_teacher_model_source",
)
_HYPER_FIELDS = (
    "epoch_count",
    "learning_rate_multiplier",
    "adapter_size",
    "batch_size",
    "learning_rate",
    "beta",
    "sft_loss_weight_multiplier",
    "samples_per_prompt",
    "evaluate_interval",
    "checkpoint_interval",
    "max_output_tokens",
    "thinking_level",
)
_TOP_FIELDS = (
    "tuned_model_display_name",
    "description",
    "custom_base_model",
    "labels",
    "output_uri",
    "encryption_spec",
)
#: A Vertex AI location, the parent `validate_reward` runs in.
_PARENT = re.compile(r"projects/[\w.:-]+/locations/[\w-]+")
_GEMINI_HYPER = ("epoch_count", "batch_size", "learning_rate", "learning_rate_multiplier")


class AsyncTunings(Resource):
    """Model tuning jobs: tune, get, list (Vertex AI), cancel, wait."""

    family = "tunings"

    async def tune(
        self,
        *,
        base_model: str,
        training_dataset: TuningDataset | Mapping[str, Any],
        config: CreateTuningJobConfig | Mapping[str, Any] | None = None,
    ) -> TuningJob:
        """Start tuning `base_model` on `training_dataset`.

        Gemini API: the dataset is `examples`, sent as the API expects them (the official SDK
        drops them). Vertex AI: a `gcs_uri` or dataset; a `projects/...` base model is a tuned
        model to tune further.

        Cancellation: cancelling the caller cancels the request; a job the server had already
        accepted runs on.
        """
        parsed = coerce_config(CreateTuningJobConfig, config)
        dataset = coerce_config(TuningDataset, training_dataset)
        options = self._options(parsed)
        if self._vertex:
            body = _vertex_body(base_model, dataset, parsed)
            call = self._rest("POST", "tuningJobs", body=body, options=options, idempotent=False)
            return TuningJob.from_api((await self._request(call)).data, vertex=True)
        body = _gemini_body(base_model, dataset, parsed)
        call = self._rest("POST", "tunedModels", body=body, options=options, idempotent=False)
        operation = (await self._request(call)).data
        name = (operation.get("metadata") or {}).get("tunedModel")
        name = name or str(operation.get("name", "")).partition("/operations/")[0]
        return TuningJob(name=name, state=JobState.JOB_STATE_QUEUED)

    async def get(
        self, *, name: str, config: GetTuningJobConfig | Mapping[str, Any] | None = None
    ) -> TuningJob:
        """The job as it is now.

        Cancellation: cancelling the caller cancels the request.
        """
        parsed = coerce_config(GetTuningJobConfig, config)
        answer = await self._request(
            self._rest("GET", self._path(name), options=self._options(parsed))
        )
        job = TuningJob.from_api(answer.data, vertex=self._vertex)
        job.sdk_http_response = HttpResponse(headers=dict(answer.headers))
        return job

    async def list(
        self, *, config: ListTuningJobsConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[TuningJob]:
        """Your tuning jobs, page by page (Vertex AI only, as in the official SDK).

        Cancellation: cancelling the caller cancels the page request in flight.
        """
        if not self._vertex:
            raise ValueError("tunings.list is only available on Vertex AI")
        parsed = coerce_config(ListTuningJobsConfig, config)
        options = self._options(parsed)

        def page_call(page: dict[str, Any]) -> RestCall:
            query = {
                "pageSize": page.get("page_size"),
                "pageToken": page.get("page_token"),
                "filter": page.get("filter"),
            }
            return self._rest("GET", "tuningJobs", query=query, options=options)

        def parse(data: Any) -> TuningJob:
            return TuningJob.from_api(data, vertex=True)

        config_dict = parsed.model_dump(exclude_none=True, exclude={"http_options"})
        return await self._pager("tuning_jobs", page_call, "tuningJobs", parse, config_dict)

    async def cancel(
        self, *, name: str, config: CancelTuningJobConfig | Mapping[str, Any] | None = None
    ) -> CancelTuningJobResponse:
        """Ask the server to stop the job (see `get` for where it ends).

        Cancellation: cancelling the caller cancels the request (the job may still stop).
        """
        parsed = coerce_config(CancelTuningJobConfig, config)
        call = self._rest("POST", self._path(name) + ":cancel", options=self._options(parsed))
        answer = await self._request(call)
        return CancelTuningJobResponse(sdk_http_response=HttpResponse(headers=dict(answer.headers)))

    async def wait(
        self,
        *,
        name: str,
        timeout: float | None = None,  # noqa: ASYNC109 - the documented wait signature
        poll: PollPolicy | None = None,
    ) -> TuningJob:
        """Poll the job until it has ended (`has_ended`); a genaio addition. `poll` and
        `timeout` are as for `operations.wait`.

        Cancellation: cancelling the caller stops the polling at once; the job runs on.
        """
        return await wait_until_done(
            await self.get(name=name),
            lambda current: self.get(name=current.name or name),
            lambda current: current.has_ended,
            poll_policy(poll, timeout),
        )

    async def validate_reward(
        self,
        *,
        parent: str,
        sample_response: Content | Mapping[str, Any],
        example: ReinforcementTuningExample | Mapping[str, Any],
        single_reward_config: SingleReinforcementTuningRewardConfig
        | Mapping[str, Any]
        | None = None,
        composite_reward_config: CompositeReinforcementTuningRewardConfig
        | Mapping[str, Any]
        | None = None,
        config: ValidateRewardConfig | Mapping[str, Any] | None = None,
    ) -> ValidateRewardResponse:
        """Reward `sample_response` to `example` with a reinforcement tuning reward (one of
        the two configs), to try a reward before a job uses it (Vertex AI only). `parent` is
        `projects/{project}/locations/{location}`.

        Cancellation: cancelling the caller cancels the request (nothing is created).
        """
        if not self._vertex:
            raise ValueError("tunings.validate_reward is only available on Vertex AI")
        if (single_reward_config is None) == (composite_reward_config is None):
            raise ValueError("give one of single_reward_config and composite_reward_config")
        if not _PARENT.fullmatch(parent):
            raise ValueError(f"parent is projects/{{project}}/locations/{{location}}: {parent!r}")
        parsed = coerce_config(ValidateRewardConfig, config)
        body: dict[str, Any] = {
            "sampleResponse": coerce_config(Content, sample_response).to_wire(),
            "example": coerce_config(ReinforcementTuningExample, example).to_wire(),
        }
        if single_reward_config is not None:
            reward = coerce_config(SingleReinforcementTuningRewardConfig, single_reward_config)
            body["singleRewardConfig"] = reward.to_wire()
        if composite_reward_config is not None:
            composite = coerce_config(
                CompositeReinforcementTuningRewardConfig, composite_reward_config
            )
            body["compositeRewardConfig"] = composite.to_wire()
        path = f"{parent}/tuningJobs:validateReinforcementTuningReward"
        call = self._rest("POST", path, body=body, options=self._options(parsed))
        answer = await self._request(call)
        response = ValidateRewardResponse.from_wire(answer.data)
        response.sdk_http_response = HttpResponse(headers=dict(answer.headers))
        return response

    def _path(self, name: str) -> str:
        """A full name as given; a bare id is `tunedModels/{id}` or `tuningJobs/{id}`."""
        if "/" in name:
            return name
        return f"tuningJobs/{name}" if self._vertex else f"tunedModels/{name}"


def _gemini_body(
    base_model: str, dataset: TuningDataset, config: CreateTuningJobConfig
) -> dict[str, Any]:
    for field in config.model_fields_set - CreateTuningJobConfig._gemini_fields:
        if getattr(config, field) is not None:
            raise ValueError(f"{field} is only available on Vertex AI")
    if dataset.gcs_uri or dataset.vertex_dataset_resource:
        raise ValueError("a Gemini API tuning dataset is a list of examples")
    task: dict[str, Any] = {}
    hyper = config.model_dump(
        mode="json", by_alias=True, exclude_none=True, include=set(_GEMINI_HYPER)
    )
    if hyper:
        task["hyperparameters"] = hyper
    if dataset.examples is not None:
        examples = [e.to_wire() for e in dataset.examples]
        task["trainingData"] = {"examples": {"examples": examples}}
    body: dict[str, Any] = {"baseModel": base_model}
    if config.tuned_model_display_name is not None:
        body["displayName"] = config.tuned_model_display_name
    if task:
        body["tuningTask"] = task
    return body


def _vertex_body(
    base_model: str, dataset: TuningDataset, config: CreateTuningJobConfig
) -> dict[str, Any]:
    if dataset.examples is not None:
        raise ValueError("examples are only available on the Gemini API; use a gcs_uri")
    method = config.method or "SUPERVISED_FINE_TUNING"
    if method not in _SPECS:
        raise ValueError(f"unknown tuning method {method!r}; one of {', '.join(_SPECS)}")
    body: dict[str, Any] = {}
    if base_model.startswith("projects/"):
        body["preTunedModel"] = {"tuned_model_name": base_model}
        if config.pre_tuned_model_checkpoint_id is not None:
            body["preTunedModel"]["checkpoint_id"] = config.pre_tuned_model_checkpoint_id
    else:
        body["baseModel"] = base_model
    spec: dict[str, Any] = {}
    training = dataset.gcs_uri or dataset.vertex_dataset_resource
    if training is not None:
        key = "promptDatasetUri" if method == "DISTILLATION" else "trainingDatasetUri"
        spec[key] = training
    validation = config.validation_dataset
    if validation is not None and (validation.gcs_uri or validation.vertex_dataset_resource):
        spec["validationDatasetUri"] = validation.gcs_uri or validation.vertex_dataset_resource
    spec.update(_dump(config, _SPEC_FIELDS))
    hyper = _dump(config, _HYPER_FIELDS)
    if hyper:
        spec["hyperParameters"] = hyper
    if config.reward_config is not None:
        spec["singleRewardConfig"] = config.reward_config.to_wire()
    if config.composite_reward_config is not None:
        spec["compositeRewardConfig"] = config.composite_reward_config.to_wire()
    if spec:
        body[_SPECS[method]] = spec
    body.update(_dump(config, _TOP_FIELDS))
    return body


def _dump(config: CreateTuningJobConfig, fields: tuple[str, ...]) -> dict[str, Any]:
    return config.model_dump(mode="json", by_alias=True, exclude_none=True, include=set(fields))
