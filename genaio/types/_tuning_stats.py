"""What a Vertex AI tuning job reports about its dataset: counts, dropped and truncated
examples, a sample of examples, and the distributions of tokens and messages per example,
one shape per tuning method (`TuningJob.tuning_data_stats`).
"""

from __future__ import annotations

from genaio.types._base import WireModel
from genaio.types._content import Content
from genaio.types._reinforcement_tuning import ReinforcementTuningUserDatasetExamples
from genaio.types._tuning_vertex import GeminiPreferenceExample

__all__ = [
    "DatasetDistribution",
    "DatasetDistributionDistributionBucket",
    "DatasetStats",
    "DistillationDataStats",
    "PreferenceOptimizationDataStats",
    "SupervisedTuningDataStats",
    "SupervisedTuningDatasetDistribution",
    "SupervisedTuningDatasetDistributionDatasetBucket",
    "TuningDataStats",
]


class DatasetDistributionDistributionBucket(WireModel):
    """How many values fell in `[left, right)`."""

    count: int | None = None
    left: float | None = None
    right: float | None = None


class DatasetDistribution(WireModel):
    """A histogram and summary statistics of one quantity over the dataset."""

    buckets: list[DatasetDistributionDistributionBucket] | None = None
    max: float | None = None
    mean: float | None = None
    median: float | None = None
    min: float | None = None
    p5: float | None = None
    p95: float | None = None
    sum: float | None = None


class DatasetStats(WireModel):
    """Statistics of a dataset (distillation and reinforcement tuning)."""

    dropped_example_indices: list[int] | None = None
    dropped_example_reasons: list[str] | None = None
    total_billable_character_count: int | None = None
    total_tuning_character_count: int | None = None
    tuning_dataset_example_count: int | None = None
    tuning_step_count: int | None = None
    user_dataset_examples: list[Content] | None = None
    user_input_token_distribution: DatasetDistribution | None = None
    user_message_per_example_distribution: DatasetDistribution | None = None
    user_output_token_distribution: DatasetDistribution | None = None
    contents_per_example_distribution: DatasetDistribution | None = None
    reinforcement_tuning_user_dataset_examples: ReinforcementTuningUserDatasetExamples | None = None
    total_billable_token_count: int | None = None


class DistillationDataStats(WireModel):
    training_dataset_stats: DatasetStats | None = None


class PreferenceOptimizationDataStats(WireModel):
    dropped_example_indices: list[int] | None = None
    dropped_example_reasons: list[str] | None = None
    score_variance_per_example_distribution: DatasetDistribution | None = None
    scores_distribution: DatasetDistribution | None = None
    total_billable_token_count: int | None = None
    tuning_dataset_example_count: int | None = None
    tuning_step_count: int | None = None
    user_dataset_examples: list[GeminiPreferenceExample] | None = None
    user_input_token_distribution: DatasetDistribution | None = None
    user_output_token_distribution: DatasetDistribution | None = None


class SupervisedTuningDatasetDistributionDatasetBucket(WireModel):
    """A bucket of supervised tuning's histograms (its count is a float on the wire)."""

    count: float | None = None
    left: float | None = None
    right: float | None = None


class SupervisedTuningDatasetDistribution(WireModel):
    """As `DatasetDistribution`, with integer sums and the billable part of the sum."""

    billable_sum: int | None = None
    buckets: list[SupervisedTuningDatasetDistributionDatasetBucket] | None = None
    max: float | None = None
    mean: float | None = None
    median: float | None = None
    min: float | None = None
    p5: float | None = None
    p95: float | None = None
    sum: int | None = None


class SupervisedTuningDataStats(WireModel):
    dropped_example_reasons: list[str] | None = None
    total_billable_character_count: int | None = None
    total_billable_token_count: int | None = None
    total_truncated_example_count: int | None = None
    total_tuning_character_count: int | None = None
    truncated_example_indices: list[int] | None = None
    tuning_dataset_example_count: int | None = None
    tuning_step_count: int | None = None
    user_dataset_examples: list[Content] | None = None
    user_input_token_distribution: SupervisedTuningDatasetDistribution | None = None
    user_message_per_example_distribution: SupervisedTuningDatasetDistribution | None = None
    user_output_token_distribution: SupervisedTuningDatasetDistribution | None = None


class TuningDataStats(WireModel):
    """The dataset's statistics; the field set is the job's tuning method's."""

    distillation_data_stats: DistillationDataStats | None = None
    preference_optimization_data_stats: PreferenceOptimizationDataStats | None = None
    supervised_tuning_data_stats: SupervisedTuningDataStats | None = None
    reinforcement_tuning_data_stats: DatasetStats | None = None
