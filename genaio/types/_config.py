"""Request options for generation: `GenerateContentConfig` and the settings it nests."""

from __future__ import annotations

import typing
from typing import Any, ClassVar, Literal

from pydantic import field_validator

from genaio.types._base import Base64Bytes, WireModel
from genaio.types._content import Content, Part, PilImage
from genaio.types._enums import (
    AudioTranscriptionConfigMode,
    FeatureSelectionPreference,
    HarmBlockMethod,
    HarmBlockThreshold,
    HarmCategory,
    MediaResolution,
    ProminentPeople,
    ServiceTier,
    ThinkingLevel,
)
from genaio.types._files import File
from genaio.types._http import HttpOptions
from genaio.types._loose import LooseModel
from genaio.types._response_format import ResponseFormat, TranslationConfig
from genaio.types._schema import Schema
from genaio.types._speech import MultiSpeakerVoiceConfig, VoiceConfig
from genaio.types._tools import AutomaticFunctionCallingConfig, Tool, ToolConfig

__all__ = [
    "AudioTranscriptionConfig",
    "GenerateContentConfig",
    "GenerateContentConfigDict",
    "GenerationConfig",
    "GenerationConfigDict",
    "GenerationConfigRoutingConfig",
    "GenerationConfigRoutingConfigAutoRoutingMode",
    "GenerationConfigRoutingConfigManualRoutingMode",
    "GenerationConfigThinkingConfig",
    "GenerationOutputConfig",
    "ImageConfig",
    "ImageConfigImageOutputOptions",
    "LanguageAuto",
    "LanguageHints",
    "ModelArmorConfig",
    "ModelSelectionConfig",
    "SafetySetting",
    "SafetySettingDict",
    "SpeechConfig",
    "SpeechConfigDict",
    "SpeechConfigUnion",
    "ThinkingConfig",
    "ThinkingConfigDict",
]


class SafetySetting(WireModel):
    """Block content of one harm `category` from `threshold` on."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset({"method"})

    category: HarmCategory | None = None
    threshold: HarmBlockThreshold | None = None
    method: HarmBlockMethod | None = None


class ThinkingConfig(WireModel):
    """How a thinking model thinks: a token budget or a level, and whether to return thoughts."""

    include_thoughts: bool | None = None
    thinking_budget: int | None = None
    thinking_level: ThinkingLevel | None = None


class GenerationConfigThinkingConfig(ThinkingConfig):
    """`ThinkingConfig` under the name the API's `GenerationConfig` gives it."""


class GenerationOutputConfig(WireModel):
    """Where a Vertex AI request's generated media are written (a Cloud Storage prefix)."""

    output_uri_prefix: str | None = None


class SpeechConfig(LooseModel):
    """Voice settings for audio output; forwarded as given (a str is a prebuilt voice name)."""

    voice_config: VoiceConfig | None = None
    multi_speaker_voice_config: MultiSpeakerVoiceConfig | None = None
    language_code: str | None = None


class ImageConfigImageOutputOptions(LooseModel):
    """The encoding of generated images (Vertex AI)."""

    mime_type: str | None = None
    compression_quality: int | None = None


class ImageConfig(LooseModel):
    """Image output settings."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset(
        {
            "person_generation",
            "prominent_people",
            "output_mime_type",
            "output_compression_quality",
            "image_output_options",
        }
    )

    aspect_ratio: str | None = None
    image_size: str | None = None
    person_generation: str | None = None
    output_mime_type: str | None = None
    output_compression_quality: int | None = None
    prominent_people: ProminentPeople | None = None
    image_output_options: ImageConfigImageOutputOptions | None = None


class LanguageAuto(LooseModel):
    """Detect the spoken language (no settings)."""


class LanguageHints(LooseModel):
    """The languages likely spoken, as BCP-47 codes."""

    language_codes: list[str] | None = None


class AudioTranscriptionConfig(LooseModel):
    """Ask for a transcription of audio input or output, and how to transcribe."""

    language_codes: list[str] | None = None
    language_hints: LanguageHints | None = None
    language_auto: LanguageAuto | None = None
    mode: AudioTranscriptionConfigMode | None = None
    diarization: bool | None = None
    word_timestamp: bool | None = None
    adaptation_phrases: list[str] | None = None
    custom_vocabulary: list[str] | None = None
    source_text: str | None = None


class ModelArmorConfig(LooseModel):
    """Model Armor templates screening prompts and responses (Vertex AI only)."""

    prompt_template_name: str | None = None
    response_template_name: str | None = None


class GenerationConfigRoutingConfigAutoRoutingMode(LooseModel):
    """Let the service pick the model, leaning to quality, cost, or a balance."""

    model_routing_preference: (
        Literal["UNKNOWN", "PRIORITIZE_QUALITY", "BALANCED", "PRIORITIZE_COST"] | str | None
    ) = None


class GenerationConfigRoutingConfigManualRoutingMode(LooseModel):
    model_name: str | None = None


class GenerationConfigRoutingConfig(LooseModel):
    """Automatic or manual model routing (Vertex AI only): set one."""

    auto_mode: GenerationConfigRoutingConfigAutoRoutingMode | None = None
    manual_mode: GenerationConfigRoutingConfigManualRoutingMode | None = None


class ModelSelectionConfig(LooseModel):
    """Preferences for automatic model selection (Vertex AI only)."""

    feature_selection_preference: FeatureSelectionPreference | None = None


class _GenerationFields(WireModel):
    """The sampling and output fields that travel under `generationConfig`."""

    _vertex_only: ClassVar[frozenset[str]] = frozenset(
        {"routing_config", "model_selection_config", "audio_timestamp"}
    )

    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    candidate_count: int | None = None
    max_output_tokens: int | None = None
    stop_sequences: list[str] | None = None
    response_logprobs: bool | None = None
    logprobs: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    response_mime_type: str | None = None
    response_json_schema: Any | None = None
    response_modalities: list[str] | None = None
    media_resolution: MediaResolution | None = None
    speech_config: SpeechConfig | str | None = None
    thinking_config: ThinkingConfig | None = None
    image_config: ImageConfig | None = None
    audio_timestamp: bool | None = None
    enable_enhanced_civic_answers: bool | None = None
    audio_transcription_config: AudioTranscriptionConfig | None = None
    routing_config: GenerationConfigRoutingConfig | None = None
    model_selection_config: ModelSelectionConfig | None = None


class GenerationConfig(_GenerationFields):
    """The wire `generationConfig` object (used by `CountTokensConfig` on Vertex AI)."""

    response_schema: Schema | None = None
    response_format: list[ResponseFormat] | None = None
    translation_config: TranslationConfig | None = None
    enable_affective_dialog: bool | None = None


class GenerateContentConfig(_GenerationFields):
    """Options of `generate_content`: generation fields plus the request-level ones.

    `system_instruction`, `safety_settings`, `tools`, `tool_config`, `cached_content`, `labels`
    and the like go at the top of the request body; `http_options`,
    `automatic_function_calling` and `should_return_http_response` stay on the client.
    """

    _vertex_only: ClassVar[frozenset[str]] = _GenerationFields._vertex_only | {
        "model_armor_config",
        "generation_output_config",
    }

    http_options: HttpOptions | None = None
    should_return_http_response: bool | None = None
    system_instruction: (
        Content | Part | File | str | PilImage | list[Part | File | str | PilImage] | None
    ) = None
    response_schema: Any | None = None
    safety_settings: list[SafetySetting] | None = None
    tools: list[Tool | typing.Callable[..., Any]] | None = None
    tool_config: ToolConfig | None = None
    labels: dict[str, str] | None = None
    cached_content: str | None = None
    service_tier: ServiceTier | None = None
    model_armor_config: ModelArmorConfig | None = None
    automatic_function_calling: AutomaticFunctionCallingConfig | None = None
    continuation_token: Base64Bytes | None = None
    automatic_continuation: bool | None = None
    generation_output_config: GenerationOutputConfig | None = None
    store: bool | None = None

    @field_validator("response_schema", mode="before")
    @classmethod
    def _schema_like(cls, value: Any) -> Any:
        """Accept what can describe a schema; a dict is read as a `Schema` right away."""
        if value is None or isinstance(value, Schema | type) or typing.get_origin(value):
            return value
        if isinstance(value, dict):
            return Schema.model_validate(value)
        raise ValueError(
            "response_schema must be a Schema, a dict, a pydantic model class, an enum or a "
            f"type, not {type(value).__name__}"
        )


SafetySettingDict = dict[str, Any]
ThinkingConfigDict = dict[str, Any]
SpeechConfigDict = dict[str, Any]
#: A `SpeechConfig`, or a str: the name of a prebuilt voice.
SpeechConfigUnion = SpeechConfig | str
GenerationConfigDict = dict[str, Any]
GenerateContentConfigDict = dict[str, Any]
