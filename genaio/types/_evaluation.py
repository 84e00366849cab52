"""Vertex AI evaluation runs: what a tuning job evaluates its checkpoints on, where the results
go, and the results (aggregated per metric) it reports.

`EvaluationConfig` is given to `tunings.tune` (`CreateTuningJobConfig.evaluation_config`);
the job reports each run as an `EvaluateDatasetRun` in `TuningJob.evaluate_dataset_runs`.
"""

from __future__ import annotations

from typing import TypeVar

from genaio.types._base import WireModel
from genaio.types._config import GenerationConfig
from genaio.types._enums import WireEnum
from genaio.types._evaluation_metrics import AutoraterConfig, Metric, UnifiedMetric
from genaio.types._operations import GoogleRpcStatus

__all__ = [
    "AggregationMetric",
    "AggregationOutput",
    "AggregationResult",
    "BigQuerySource",
    "BleuMetricValue",
    "CustomCodeExecutionResult",
    "CustomOutput",
    "EvaluateDatasetResponse",
    "EvaluateDatasetRun",
    "EvaluationConfig",
    "EvaluationDataset",
    "ExactMatchMetricValue",
    "GcsDestination",
    "GcsSource",
    "MetricSubclass",
    "MetricUnion",
    "OutputConfig",
    "OutputInfo",
    "PairwiseChoice",
    "PairwiseMetricResult",
    "PointwiseMetricResult",
    "RawOutput",
    "RougeMetricValue",
]


class AggregationMetric(WireEnum):
    """How per-example scores are summed up over a dataset."""

    AGGREGATION_METRIC_UNSPECIFIED = "AGGREGATION_METRIC_UNSPECIFIED"
    AVERAGE = "AVERAGE"
    MODE = "MODE"
    STANDARD_DEVIATION = "STANDARD_DEVIATION"
    VARIANCE = "VARIANCE"
    MINIMUM = "MINIMUM"
    MAXIMUM = "MAXIMUM"
    MEDIAN = "MEDIAN"
    PERCENTILE_P90 = "PERCENTILE_P90"
    PERCENTILE_P95 = "PERCENTILE_P95"
    PERCENTILE_P99 = "PERCENTILE_P99"


class PairwiseChoice(WireEnum):
    """The judge's verdict between the baseline's answer and the candidate's."""

    PAIRWISE_CHOICE_UNSPECIFIED = "PAIRWISE_CHOICE_UNSPECIFIED"
    BASELINE = "BASELINE"
    CANDIDATE = "CANDIDATE"
    TIE = "TIE"


class GcsSource(WireModel):
    uris: list[str] | None = None


class BigQuerySource(WireModel):
    """A table as `bq://project.dataset.table`."""

    input_uri: str | None = None


class GcsDestination(WireModel):
    output_uri_prefix: str | None = None


class EvaluationDataset(WireModel):
    """The examples to evaluate on: files in Cloud Storage or a BigQuery table."""

    bigquery_source: BigQuerySource | None = None
    gcs_source: GcsSource | None = None


class OutputConfig(WireModel):
    gcs_destination: GcsDestination | None = None


class EvaluationConfig(WireModel):
    """Which metrics to compute, with which judge, on answers generated how, and where to
    write the results."""

    metrics: list[Metric | UnifiedMetric] | None = None
    output_config: OutputConfig | None = None
    autorater_config: AutoraterConfig | None = None
    inference_generation_config: GenerationConfig | None = None


class RawOutput(WireModel):
    raw_output: list[str] | None = None


class CustomOutput(WireModel):
    """The judge's answers as it wrote them (with `return_raw_output`)."""

    raw_outputs: RawOutput | None = None


class BleuMetricValue(WireModel):
    score: float | None = None


class RougeMetricValue(WireModel):
    score: float | None = None


class ExactMatchMetricValue(WireModel):
    score: float | None = None


class CustomCodeExecutionResult(WireModel):
    score: float | None = None


class PointwiseMetricResult(WireModel):
    custom_output: CustomOutput | None = None
    explanation: str | None = None
    score: float | None = None


class PairwiseMetricResult(WireModel):
    custom_output: CustomOutput | None = None
    explanation: str | None = None
    pairwise_choice: PairwiseChoice | None = None


class AggregationResult(WireModel):
    """One metric aggregated one way over the dataset; the field set says which metric."""

    aggregation_metric: AggregationMetric | None = None
    bleu_metric_value: BleuMetricValue | None = None
    custom_code_execution_result: CustomCodeExecutionResult | None = None
    exact_match_metric_value: ExactMatchMetricValue | None = None
    pairwise_metric_result: PairwiseMetricResult | None = None
    pointwise_metric_result: PointwiseMetricResult | None = None
    rouge_metric_value: RougeMetricValue | None = None


class AggregationOutput(WireModel):
    aggregation_results: list[AggregationResult] | None = None
    dataset: EvaluationDataset | None = None


class OutputInfo(WireModel):
    """Where a run wrote its per-example results."""

    gcs_output_directory: str | None = None


class EvaluateDatasetResponse(WireModel):
    aggregation_output: AggregationOutput | None = None
    output_info: OutputInfo | None = None


class EvaluateDatasetRun(WireModel):
    """One evaluation of one checkpoint: its operation, and its result or error."""

    checkpoint_id: str | None = None
    error: GoogleRpcStatus | None = None
    evaluate_dataset_response: EvaluateDatasetResponse | None = None
    evaluation_run: str | None = None
    operation_name: str | None = None


#: One metric of `EvaluationConfig.metrics`.
MetricUnion = Metric | UnifiedMetric
#: For code generic over the client-side metric classes.
MetricSubclass = TypeVar("MetricSubclass", bound=Metric)
