"""Tuning jobs: Vertex AI `tuningJobs`, and the Gemini API's legacy `tunedModels` seen as jobs.

A Gemini API tuned model is `CREATING`, `ACTIVE` or `FAILED`; `TuningJob.from_api` reports it
as the job the official SDK returns (`JOB_STATE_RUNNING`, `_SUCCEEDED`, `_FAILED`), with the
tuning task's start and completion times and the model as `tuned_model`.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar, Self

from genaio.types._base import WireModel
from genaio.types._batches import JobError
from genaio.types._enums import (
    TERMINAL_JOB_STATES,
    AdapterSize,
    JobState,
    TuningJobState,
    TuningMethod,
    TuningMode,
)
from genaio.types._evaluation import EvaluateDatasetRun, EvaluationConfig
from genaio.types._http import HttpOptions
from genaio.types._operations import Operation
from genaio.types._reinforcement_tuning import (
    CompositeReinforcementTuningRewardConfig,
    ReinforcementTuningSpec,
    ReinforcementTuningThinkingLevel,
    SingleReinforcementTuningRewardConfig,
)
from genaio.types._responses import HttpResponse
from genaio.types._tuning_stats import TuningDataStats
from genaio.types._tuning_vertex import (
    DistillationSamplingSpec,
    DistillationSpec,
    EncryptionSpec,
    PartnerModelTuningSpec,
    PreferenceOptimizationSpec,
    VeoLoraTuningSpec,
    VeoTuningSpec,
)

__all__ = [
    "CancelTuningJobConfig",
    "CancelTuningJobConfigDict",
    "CancelTuningJobResponse",
    "CreateTuningJobConfig",
    "CreateTuningJobConfigDict",
    "CreateTuningJobParameters",
    "FullFineTuningSpec",
    "GetTuningJobConfig",
    "GetTuningJobConfigDict",
    "ListTuningJobsConfig",
    "ListTuningJobsConfigDict",
    "ListTuningJobsResponse",
    "PreTunedModel",
    "SupervisedHyperParameters",
    "SupervisedTuningSpec",
    "TunedModel",
    "TunedModelCheckpoint",
    "TuningDataset",
    "TuningDatasetDict",
    "TuningExample",
    "TuningExampleDict",
    "TuningJob",
    "TuningJobMetadata",
    "TuningOperation",
    "TuningValidationDataset",
    "TuningValidationDatasetDict",
]

_LEGACY_STATES = {
    "STATE_UNSPECIFIED": "JOB_STATE_UNSPECIFIED",
    "CREATING": "JOB_STATE_RUNNING",
    "ACTIVE": "JOB_STATE_SUCCEEDED",
    "FAILED": "JOB_STATE_FAILED",
}


class TuningExample(WireModel):
    """One supervised example (Gemini API): the input text and the wanted output."""

    text_input: str | None = None
    output: str | None = None


class TuningDataset(WireModel):
    """The training data: `examples` (Gemini API), or a `gcs_uri` / Vertex dataset (Vertex AI)."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"gcs_uri", "vertex_dataset_resource"})

    gcs_uri: str | None = None
    vertex_dataset_resource: str | None = None
    examples: list[TuningExample] | None = None


class TuningValidationDataset(WireModel):
    gcs_uri: str | None = None
    vertex_dataset_resource: str | None = None


class PreTunedModel(WireModel):
    """A tuned model to continue tuning from (Vertex AI)."""

    tuned_model_name: str | None = None
    checkpoint_id: str | None = None
    base_model: str | None = None


class CreateTuningJobConfig(WireModel):
    """Options of `tunings.tune`. On the Gemini API only the display name and the
    hyperparameters `epoch_count`, `batch_size`, `learning_rate` and `learning_rate_multiplier`
    apply; the rest are Vertex AI's, where `method` (default `SUPERVISED_FINE_TUNING`; also
    `PREFERENCE_TUNING`, `DISTILLATION`, `REINFORCEMENT_TUNING`) picks the spec they go to."""

    _gemini_fields: ClassVar[frozenset[str]] = frozenset(
        {
            "http_options",
            "tuned_model_display_name",
            "epoch_count",
            "batch_size",
            "learning_rate",
            "learning_rate_multiplier",
        }
    )

    http_options: HttpOptions | None = None
    method: TuningMethod | None = None
    validation_dataset: TuningValidationDataset | None = None
    tuned_model_display_name: str | None = None
    description: str | None = None
    epoch_count: int | None = None
    learning_rate_multiplier: float | None = None
    export_last_checkpoint_only: bool | None = None
    pre_tuned_model_checkpoint_id: str | None = None
    adapter_size: AdapterSize | None = None
    tuning_mode: TuningMode | None = None
    custom_base_model: str | None = None
    batch_size: int | None = None
    learning_rate: float | None = None
    evaluation_config: EvaluationConfig | None = None
    labels: dict[str, str] | None = None
    beta: float | None = None
    base_teacher_model: str | None = None
    tuned_teacher_model_source: str | None = None
    sft_loss_weight_multiplier: float | None = None
    output_uri: str | None = None
    encryption_spec: EncryptionSpec | None = None
    reward_config: SingleReinforcementTuningRewardConfig | None = None
    composite_reward_config: CompositeReinforcementTuningRewardConfig | None = None
    samples_per_prompt: int | None = None
    evaluate_interval: int | None = None
    checkpoint_interval: int | None = None
    max_output_tokens: int | None = None
    thinking_level: ReinforcementTuningThinkingLevel | None = None
    validation_dataset_uri: str | None = None


class SupervisedHyperParameters(WireModel):
    adapter_size: AdapterSize | None = None
    batch_size: int | None = None
    epoch_count: int | None = None
    learning_rate: float | None = None
    learning_rate_multiplier: float | None = None


class SupervisedTuningSpec(WireModel):
    export_last_checkpoint_only: bool | None = None
    hyper_parameters: SupervisedHyperParameters | None = None
    training_dataset_uri: str | None = None
    tuning_mode: TuningMode | None = None
    validation_dataset_uri: str | None = None


class TunedModelCheckpoint(WireModel):
    checkpoint_id: str | None = None
    epoch: int | None = None
    step: int | None = None
    endpoint: str | None = None


class TunedModel(WireModel):
    """The result of a tuning: the model's resource name and where it is served."""

    model: str | None = None
    endpoint: str | None = None
    checkpoints: list[TunedModelCheckpoint] | None = None


class FullFineTuningSpec(WireModel):
    """Tuning of all the weights (Vertex AI)."""

    training_dataset_uri: str | None = None
    validation_dataset_uri: str | None = None
    hyper_parameters: SupervisedHyperParameters | None = None


class TuningJobMetadata(WireModel):
    """A running job's progress."""

    completed_epoch_count: int | None = None
    completed_step_count: int | None = None


class TuningJob(WireModel):
    """A tuning job: its state, the spec of its method (one of the `*_spec` fields), its
    dataset's statistics, its evaluation runs, and the tuned model."""

    name: str | None = None
    state: JobState | None = None
    create_time: datetime.datetime | None = None
    start_time: datetime.datetime | None = None
    end_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None
    error: JobError | None = None
    description: str | None = None
    base_model: str | None = None
    tuned_model: TunedModel | None = None
    pre_tuned_model: PreTunedModel | None = None
    supervised_tuning_spec: SupervisedTuningSpec | None = None
    preference_optimization_spec: PreferenceOptimizationSpec | None = None
    distillation_spec: DistillationSpec | None = None
    distillation_sampling_spec: DistillationSamplingSpec | None = None
    reinforcement_tuning_spec: ReinforcementTuningSpec | None = None
    partner_model_tuning_spec: PartnerModelTuningSpec | None = None
    veo_tuning_spec: VeoTuningSpec | None = None
    veo_lora_tuning_spec: VeoLoraTuningSpec | None = None
    tuning_data_stats: TuningDataStats | None = None
    evaluation_config: EvaluationConfig | None = None
    evaluate_dataset_runs: list[EvaluateDatasetRun] | None = None
    encryption_spec: EncryptionSpec | None = None
    experiment: str | None = None
    labels: dict[str, str] | None = None
    output_uri: str | None = None
    pipeline_job: str | None = None
    service_account: str | None = None
    tuned_model_display_name: str | None = None
    custom_base_model: str | None = None
    full_fine_tuning_spec: FullFineTuningSpec | None = None
    tuning_job_state: TuningJobState | None = None
    tuning_job_metadata: TuningJobMetadata | None = None
    gcs_metrics_uri: str | None = None
    sdk_http_response: HttpResponse | None = None

    @property
    def has_ended(self) -> bool:
        """True once the job can change no more (the official SDK's name for it)."""
        return self.state in TERMINAL_JOB_STATES

    @property
    def has_succeeded(self) -> bool:
        return self.state == JobState.JOB_STATE_SUCCEEDED

    @classmethod
    def from_api(cls, data: dict[str, Any], *, vertex: bool) -> Self:
        """A job from a Vertex AI `tuningJob` or a Gemini API `tunedModel`."""
        if vertex:
            return cls.from_wire(data)
        task = data.get("tuningTask") or {}
        shaped = {k: v for k, v in data.items() if k not in ("state", "tuningTask")}
        if data.get("state") is not None:
            shaped["state"] = _LEGACY_STATES.get(data["state"], data["state"])
        shaped["startTime"] = task.get("startTime")
        shaped["endTime"] = task.get("completeTime")
        if data.get("name"):
            shaped["tunedModel"] = {"model": data["name"], "endpoint": data["name"]}
        return cls.from_wire({k: v for k, v in shaped.items() if v is not None})


class TuningOperation(Operation):
    """A tuning job's long-running operation (Vertex AI), with the answer's HTTP details."""

    sdk_http_response: HttpResponse | None = None


class CreateTuningJobParameters(WireModel):
    """The arguments of `tunings.tune`, as one object."""

    base_model: str | None = None
    training_dataset: TuningDataset | None = None
    config: CreateTuningJobConfig | None = None


class GetTuningJobConfig(WireModel):
    http_options: HttpOptions | None = None


class CancelTuningJobConfig(WireModel):
    http_options: HttpOptions | None = None


class CancelTuningJobResponse(WireModel):
    sdk_http_response: HttpResponse | None = None


class ListTuningJobsConfig(WireModel):
    http_options: HttpOptions | None = None
    page_size: int | None = None
    page_token: str | None = None
    filter: str | None = None


class ListTuningJobsResponse(WireModel):
    next_page_token: str | None = None
    tuning_jobs: list[TuningJob] | None = None
    sdk_http_response: HttpResponse | None = None


TuningExampleDict = dict[str, Any]
TuningDatasetDict = dict[str, Any]
TuningValidationDatasetDict = dict[str, Any]
CreateTuningJobConfigDict = dict[str, Any]
GetTuningJobConfigDict = dict[str, Any]
CancelTuningJobConfigDict = dict[str, Any]
ListTuningJobsConfigDict = dict[str, Any]
