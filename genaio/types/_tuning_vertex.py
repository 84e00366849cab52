"""Vertex AI's tuning methods beyond supervised tuning: preference optimization, distillation,
Veo video tuning and partner models, each a spec on the job with its hyperparameters.

`tunings.tune` builds the spec from `CreateTuningJobConfig` and its `method`; the job reports
it back, typed, in `TuningJob`.
"""

from __future__ import annotations

from typing import Any

from genaio.types._base import WireModel
from genaio.types._config import GenerationConfig
from genaio.types._content import Content
from genaio.types._enums import AdapterSize, TuningMode, WireEnum

__all__ = [
    "DistillationHyperParameters",
    "DistillationSamplingSpec",
    "DistillationSpec",
    "EncryptionSpec",
    "GeminiPreferenceExample",
    "GeminiPreferenceExampleCompletion",
    "PartnerModelTuningSpec",
    "PreferenceOptimizationHyperParameters",
    "PreferenceOptimizationSpec",
    "TuningSpeed",
    "TuningTask",
    "VeoHyperParameters",
    "VeoLoraTuningSpec",
    "VeoTuningSpec",
    "VideoOrientation",
]


class TuningTask(WireEnum):
    """What a Veo model is tuned to do: from an image, from text, or from reference images."""

    TUNING_TASK_UNSPECIFIED = "TUNING_TASK_UNSPECIFIED"
    TUNING_TASK_I2V = "TUNING_TASK_I2V"
    TUNING_TASK_T2V = "TUNING_TASK_T2V"
    TUNING_TASK_R2V = "TUNING_TASK_R2V"


class TuningSpeed(WireEnum):
    TUNING_SPEED_UNSPECIFIED = "TUNING_SPEED_UNSPECIFIED"
    REGULAR = "REGULAR"
    FAST = "FAST"


class VideoOrientation(WireEnum):
    VIDEO_ORIENTATION_UNSPECIFIED = "VIDEO_ORIENTATION_UNSPECIFIED"
    LANDSCAPE = "LANDSCAPE"
    PORTRAIT = "PORTRAIT"


class EncryptionSpec(WireModel):
    """The customer-managed key (Cloud KMS) that encrypts the job's outputs."""

    kms_key_name: str | None = None


class PreferenceOptimizationHyperParameters(WireModel):
    """`beta` weighs how far the tuned model may drift from the base one."""

    adapter_size: AdapterSize | None = None
    beta: float | None = None
    epoch_count: int | None = None
    learning_rate_multiplier: float | None = None


class PreferenceOptimizationSpec(WireModel):
    export_last_checkpoint_only: bool | None = None
    hyper_parameters: PreferenceOptimizationHyperParameters | None = None
    training_dataset_uri: str | None = None
    validation_dataset_uri: str | None = None


class GeminiPreferenceExampleCompletion(WireModel):
    """One candidate answer to a preference example, and how much it is preferred."""

    completion: Content | None = None
    score: float | None = None


class GeminiPreferenceExample(WireModel):
    """A conversation and its scored candidate answers."""

    completions: list[GeminiPreferenceExampleCompletion] | None = None
    contents: list[Content] | None = None


class DistillationHyperParameters(WireModel):
    adapter_size: AdapterSize | None = None
    epoch_count: int | None = None
    learning_rate_multiplier: float | None = None
    generation_config: GenerationConfig | None = None
    learning_rate: float | None = None
    batch_size: int | None = None


class DistillationSpec(WireModel):
    """A student model learns from a teacher's answers to the prompts of
    `prompt_dataset_uri`; the teacher is a base model or a tuned one."""

    prompt_dataset_uri: str | None = None
    base_teacher_model: str | None = None
    hyper_parameters: DistillationHyperParameters | None = None
    pipeline_root_directory: str | None = None
    student_model: str | None = None
    training_dataset_uri: str | None = None
    tuned_teacher_model_source: str | None = None
    validation_dataset_uri: str | None = None
    tuning_mode: TuningMode | None = None


class DistillationSamplingSpec(WireModel):
    """How the teacher's answers are sampled for distillation."""

    base_teacher_model: str | None = None
    tuned_teacher_model_source: str | None = None
    validation_dataset_uri: str | None = None
    prompt_dataset_uri: str | None = None
    hyperparameters: DistillationHyperParameters | None = None


class VeoHyperParameters(WireModel):
    """`veo_data_mixture_ratio` mixes the base model's own data into the user's."""

    epoch_count: int | None = None
    learning_rate_multiplier: float | None = None
    tuning_task: TuningTask | None = None
    veo_data_mixture_ratio: float | None = None
    adapter_size: AdapterSize | None = None
    tuning_speed: TuningSpeed | None = None


class VeoTuningSpec(WireModel):
    hyper_parameters: VeoHyperParameters | None = None
    training_dataset_uri: str | None = None
    validation_dataset_uri: str | None = None


class VeoLoraTuningSpec(WireModel):
    """Veo tuning of a LoRA adapter, for videos of one orientation."""

    hyper_parameters: VeoHyperParameters | None = None
    training_dataset_uri: str | None = None
    validation_dataset_uri: str | None = None
    video_orientation: VideoOrientation | None = None


class PartnerModelTuningSpec(WireModel):
    """Tuning of a partner's model: its hyperparameters are the partner's, by name."""

    hyper_parameters: dict[str, Any] | None = None
    training_dataset_uri: str | None = None
    validation_dataset_uri: str | None = None
