"""Reinforcement tuning (Vertex AI): how each sampled answer is rewarded, and the method's spec.

A reward is one scorer's (a judge model, a string or JSON match against the example's
reference, the user's Python code, or a Cloud Run service), or a weighted sum of several.
`tunings.validate_reward` runs a reward on one example before a job is started, and answers
with a `ValidateRewardResponse`.
"""

from __future__ import annotations

from genaio.types._base import WireModel
from genaio.types._content import Content
from genaio.types._enums import AdapterSize, WireEnum
from genaio.types._evaluation_metrics import AutoraterConfig
from genaio.types._http import HttpOptions
from genaio.types._operations import GoogleRpcStatus
from genaio.types._responses import HttpResponse
from genaio.types._tools import Tool

__all__ = [
    "CompositeReinforcementTuningRewardConfig",
    "CompositeReinforcementTuningRewardConfigWeightedRewardConfig",
    "MatchOperation",
    "ReinforcementTuningAutoraterScorer",
    "ReinforcementTuningAutoraterScorerExactMatchScorer",
    "ReinforcementTuningAutoraterScorerParsedResponseConversionScorer",
    "ReinforcementTuningCloudRunRewardScorer",
    "ReinforcementTuningCodeExecutionRewardScorer",
    "ReinforcementTuningExample",
    "ReinforcementTuningHyperParameters",
    "ReinforcementTuningParseResponseConfig",
    "ReinforcementTuningRewardInfo",
    "ReinforcementTuningSpec",
    "ReinforcementTuningStringMatchRewardScorer",
    "ReinforcementTuningStringMatchRewardScorerJsonMatchExpression",
    "ReinforcementTuningStringMatchRewardScorerStringMatchExpression",
    "ReinforcementTuningThinkingLevel",
    "ReinforcementTuningUserDatasetExamples",
    "ResponseParseType",
    "SingleReinforcementTuningRewardConfig",
    "ValidateRewardConfig",
    "ValidateRewardResponse",
]


class MatchOperation(WireEnum):
    """How an answer is matched against the expression."""

    MATCH_OPERATION_UNSPECIFIED = "MATCH_OPERATION_UNSPECIFIED"
    REGEX_CONTAINS = "REGEX_CONTAINS"
    PARTIAL_MATCH = "PARTIAL_MATCH"
    EXACT_MATCH = "EXACT_MATCH"


class ResponseParseType(WireEnum):
    """What of an answer is scored: all of it, or what a regular expression extracts."""

    RESPONSE_PARSE_TYPE_UNSPECIFIED = "RESPONSE_PARSE_TYPE_UNSPECIFIED"
    IDENTITY = "IDENTITY"
    REGEX_EXTRACT = "REGEX_EXTRACT"


class ReinforcementTuningThinkingLevel(WireEnum):
    """How much the tuned model thinks while it samples answers."""

    REINFORCEMENT_TUNING_THINKING_LEVEL_UNSPECIFIED = (
        "REINFORCEMENT_TUNING_THINKING_LEVEL_UNSPECIFIED"
    )
    MINIMAL = "MINIMAL"
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class ReinforcementTuningParseResponseConfig(WireModel):
    parse_type: ResponseParseType | None = None
    regex_extract_expression: str | None = None


class ReinforcementTuningAutoraterScorerParsedResponseConversionScorer(WireModel):
    """The judge's parsed answer is the reward, as it is."""


class ReinforcementTuningAutoraterScorerExactMatchScorer(WireModel):
    """The judge's parsed answer against `expression`: one reward if it matches, another if
    not."""

    correct_answer_reward: float | None = None
    wrong_answer_reward: float | None = None
    expression: str | None = None


class ReinforcementTuningAutoraterScorer(WireModel):
    """A judge model rewards the answer, from `autorater_prompt`."""

    autorater_config: AutoraterConfig | None = None
    autorater_prompt: str | None = None
    autorater_response_parse_config: ReinforcementTuningParseResponseConfig | None = None
    parsed_response_conversion_scorer: (
        ReinforcementTuningAutoraterScorerParsedResponseConversionScorer | None
    ) = None
    exact_match_scorer: ReinforcementTuningAutoraterScorerExactMatchScorer | None = None


class ReinforcementTuningCloudRunRewardScorer(WireModel):
    """A Cloud Run service computes the reward."""

    cloud_run_uri: str | None = None


class ReinforcementTuningCodeExecutionRewardScorer(WireModel):
    """The user's Python source computes the reward."""

    python_code_snippet: str | None = None


class ReinforcementTuningStringMatchRewardScorerStringMatchExpression(WireModel):
    match_operation: MatchOperation | None = None
    expression: str | None = None


class ReinforcementTuningStringMatchRewardScorerJsonMatchExpression(WireModel):
    """Match the value under `key_name` of an answer that is a JSON object."""

    key_name: str | None = None
    value_string_match_expression: (
        ReinforcementTuningStringMatchRewardScorerStringMatchExpression | None
    ) = None


class ReinforcementTuningStringMatchRewardScorer(WireModel):
    wrong_answer_reward: float | None = None
    correct_answer_reward: float | None = None
    string_match_expression: (
        ReinforcementTuningStringMatchRewardScorerStringMatchExpression | None
    ) = None
    json_match_expression: ReinforcementTuningStringMatchRewardScorerJsonMatchExpression | None = (
        None
    )


class SingleReinforcementTuningRewardConfig(WireModel):
    """One named reward: set one scorer."""

    autorater_scorer: ReinforcementTuningAutoraterScorer | None = None
    reward_name: str | None = None
    parse_response_config: ReinforcementTuningParseResponseConfig | None = None
    code_execution_reward_scorer: ReinforcementTuningCodeExecutionRewardScorer | None = None
    string_match_reward_scorer: ReinforcementTuningStringMatchRewardScorer | None = None
    cloud_run_reward_scorer: ReinforcementTuningCloudRunRewardScorer | None = None


class CompositeReinforcementTuningRewardConfigWeightedRewardConfig(WireModel):
    reward_config: SingleReinforcementTuningRewardConfig | None = None
    weight: float | None = None


class CompositeReinforcementTuningRewardConfig(WireModel):
    """The reward is the weighted sum of several."""

    weighted_reward_configs: list[CompositeReinforcementTuningRewardConfigWeightedRewardConfig] | (
        None
    ) = None


class ReinforcementTuningHyperParameters(WireModel):
    """`samples_per_prompt` answers are sampled and rewarded per prompt; evaluation and
    checkpoints every so many steps."""

    epoch_count: int | None = None
    learning_rate_multiplier: float | None = None
    adapter_size: AdapterSize | None = None
    samples_per_prompt: int | None = None
    batch_size: int | None = None
    evaluate_interval: int | None = None
    checkpoint_interval: int | None = None
    max_output_tokens: int | None = None
    thinking_level: ReinforcementTuningThinkingLevel | None = None
    thinking_budget: int | None = None
    step_count: int | None = None


class ReinforcementTuningSpec(WireModel):
    """The method's settings on a job: set one of the two reward configs."""

    composite_reward_config: CompositeReinforcementTuningRewardConfig | None = None
    training_dataset_uri: str | None = None
    validation_dataset_uri: str | None = None
    hyper_parameters: ReinforcementTuningHyperParameters | None = None
    single_reward_config: SingleReinforcementTuningRewardConfig | None = None


class ReinforcementTuningExample(WireModel):
    """One training example: the conversation, the references rewards compare against, and
    the system instruction and tools the model samples with."""

    contents: list[Content] | None = None
    references: dict[str, str] | None = None
    system_instruction: Content | None = None
    tools: list[Tool] | None = None


class ReinforcementTuningUserDatasetExamples(WireModel):
    user_dataset_examples: list[ReinforcementTuningExample] | None = None


class ReinforcementTuningRewardInfo(WireModel):
    """One reward's value on the example, or why it could not be computed."""

    reward: float | None = None
    user_requested_aux_info: str | None = None
    error_status: GoogleRpcStatus | None = None


class ValidateRewardConfig(WireModel):
    """Options of `tunings.validate_reward`."""

    http_options: HttpOptions | None = None


class ValidateRewardResponse(WireModel):
    """The reward of one example: overall, and per named reward."""

    sdk_http_response: HttpResponse | None = None
    overall_reward: float | None = None
    error: str | None = None
    reward_info_details: dict[str, ReinforcementTuningRewardInfo] | None = None
