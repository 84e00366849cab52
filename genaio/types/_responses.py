"""What `generate_content` returns, with the SDK's convenience properties."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices, Field

from genaio.types._base import Base64Bytes, WireModel
from genaio.types._content import (
    CodeExecutionResult,
    Content,
    ExecutableCode,
    FunctionCall,
    Part,
)
from genaio.types._enums import (
    BlockedReason,
    FinishReason,
    HarmBlockThreshold,
    HarmCategory,
    HarmProbability,
    HarmSeverity,
    MediaModality,
    ModelStage,
    TrafficType,
)
from genaio.types._grounding import GroundingMetadata, UrlContextMetadata

__all__ = [
    "Candidate",
    "Citation",
    "CitationMetadata",
    "GenerateContentResponse",
    "GenerateContentResponsePromptFeedback",
    "GenerateContentResponseUsageMetadata",
    "GoogleTypeDate",
    "HttpResponse",
    "LogprobsResult",
    "LogprobsResultCandidate",
    "LogprobsResultTopCandidates",
    "ModalityTokenCount",
    "ModelStatus",
    "SafetyRating",
]


class HttpResponse(WireModel):
    """The HTTP envelope of a response, for callers who want its headers."""

    headers: dict[str, str] | None = None
    body: str | None = None

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> HttpResponse:
        """The envelope of an answer's headers, as `HttpResponse(headers=dict(headers))` builds
        it, without validating them: they are the engine's, already decoded to `str`, and this
        is on every call's path, where validation cost 2.9 µs (a `dict[str, str]` alone costs
        pydantic-core 1 µs) and this costs 1.5.

        Built as pydantic's `model_construct` builds an instance (its own is 5 µs, in Python):
        the field values, the fields set, no extra fields (this class allows them: `{}`) and no
        private attributes. The engine's own headers are a `dict` (copied at C speed); others
        through `items()`: `dict()` of an `httpx.Headers` looks every name up again, which
        costs three times as much.
        """
        plain = dict(headers) if isinstance(headers, dict) else dict(headers.items())
        response = cls.__new__(cls)
        _set = object.__setattr__
        _set(response, "__dict__", {"headers": plain, "body": None})
        _set(response, "__pydantic_fields_set__", {"headers"})
        _set(response, "__pydantic_extra__", {})
        _set(response, "__pydantic_private__", None)
        return response


class SafetyRating(WireModel):
    category: HarmCategory | None = None
    probability: HarmProbability | None = None
    probability_score: float | None = None
    severity: HarmSeverity | None = None
    severity_score: float | None = None
    blocked: bool | None = None
    overwritten_threshold: HarmBlockThreshold | None = None


class GoogleTypeDate(WireModel):
    """A calendar date; a zero (or missing) day or month means a year or month only."""

    year: int | None = None
    month: int | None = None
    day: int | None = None


class Citation(WireModel):
    start_index: int | None = None
    end_index: int | None = None
    uri: str | None = None
    title: str | None = None
    license: str | None = None
    publication_date: GoogleTypeDate | None = None


class CitationMetadata(WireModel):
    """Sources a candidate recites. The server calls the list `citationSources`."""

    citations: list[Citation] | None = Field(
        default=None,
        validation_alias=AliasChoices("citations", "citationSources"),
        serialization_alias="citationSources",
    )


class ModalityTokenCount(WireModel):
    modality: MediaModality | None = None
    token_count: int | None = None


class GenerateContentResponseUsageMetadata(WireModel):
    prompt_token_count: int | None = None
    candidates_token_count: int | None = None
    total_token_count: int | None = None
    cached_content_token_count: int | None = None
    thoughts_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    candidates_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    traffic_type: TrafficType | None = None

    @property
    def initial_prompt_token_count(self) -> int | None:
        """The prompt's tokens in the first request of the generation. genaio never continues
        a generation with requests of its own, so it is `prompt_token_count`."""
        return self.prompt_token_count


class GenerateContentResponsePromptFeedback(WireModel):
    """Why the prompt was blocked, if it was."""

    block_reason: BlockedReason | None = None
    block_reason_message: str | None = None
    safety_ratings: list[SafetyRating] | None = None


class LogprobsResultCandidate(WireModel):
    """A token and its log probability."""

    token: str | None = None
    token_id: int | None = None
    log_probability: float | None = None


class LogprobsResultTopCandidates(WireModel):
    """The likeliest tokens at one decoding step, likeliest first."""

    candidates: list[LogprobsResultCandidate] | None = None


class LogprobsResult(WireModel):
    """The tokens chosen at each step (`chosen_candidates`) and, when `logprobs` asked for them,
    the top alternatives at each step (`top_candidates`, in the same order)."""

    chosen_candidates: list[LogprobsResultCandidate] | None = None
    top_candidates: list[LogprobsResultTopCandidates] | None = None
    log_probability_sum: float | None = None


class ModelStatus(WireModel):
    """Where the model that answered is in its life, and when it retires."""

    model_stage: ModelStage | None = None
    retirement_time: datetime.datetime | None = None
    message: str | None = None


class Candidate(WireModel):
    content: Content | None = None
    finish_reason: FinishReason | None = None
    finish_message: str | None = None
    index: int | None = None
    safety_ratings: list[SafetyRating] | None = None
    citation_metadata: CitationMetadata | None = None
    grounding_metadata: GroundingMetadata | None = None
    url_context_metadata: UrlContextMetadata | None = None
    avg_logprobs: float | None = None
    logprobs_result: LogprobsResult | None = None
    token_count: int | None = None
    #: Opaque; hands an interrupted answer back to the server to continue it.
    continuation_token: Base64Bytes | None = None


class GenerateContentResponse(WireModel):
    """One response (or one streamed chunk) of `generate_content`."""

    candidates: list[Candidate] | None = None
    prompt_feedback: GenerateContentResponsePromptFeedback | None = None
    usage_metadata: GenerateContentResponseUsageMetadata | None = None
    model_version: str | None = None
    response_id: str | None = None
    model_status: ModelStatus | None = None
    create_time: datetime.datetime | None = None
    sdk_http_response: HttpResponse | None = None
    automatic_function_calling_history: list[Content] | None = None
    #: The response text parsed by `response_schema` (a model, enum, dict...); client-side only.
    parsed: Any = Field(default=None, exclude=True)

    @property
    def parts(self) -> list[Part] | None:
        """The parts of the first candidate, or None."""
        if not self.candidates or self.candidates[0].content is None:
            return None
        return self.candidates[0].content.parts

    @property
    def text(self) -> str | None:
        """The text of the first candidate, thoughts left out; None if it has no text part."""
        texts = [p.text for p in self.parts or () if p.text is not None and not p.thought]
        return "".join(texts) if texts else None

    @property
    def function_calls(self) -> list[FunctionCall] | None:
        """The function calls of the first candidate, or None if there are none."""
        calls = [p.function_call for p in self.parts or () if p.function_call is not None]
        return calls or None

    @property
    def initial_prompt_token_count(self) -> int | None:
        """`usage_metadata.initial_prompt_token_count`, or None without usage."""
        usage = self.usage_metadata
        return None if usage is None else usage.initial_prompt_token_count

    @property
    def executable_code(self) -> str | None:
        """The code of the first candidate's first `ExecutableCode` part."""
        code = _first(self.parts, "executable_code")
        return code.code if isinstance(code, ExecutableCode) else None

    @property
    def code_execution_result(self) -> str | None:
        """The output of the first candidate's first `CodeExecutionResult` part."""
        result = _first(self.parts, "code_execution_result")
        return result.output if isinstance(result, CodeExecutionResult) else None


def _first(parts: list[Part] | None, name: str) -> Any:
    for part in parts or ():
        value = getattr(part, name)
        if value is not None:
            return value
    return None
