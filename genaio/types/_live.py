"""The Live API's types (`client.aio.live`): the session's config, what the client sends and
what the server answers (wire spec §10), under the official SDK's names.
"""

from __future__ import annotations

from typing import Any

from genaio.types._avatars import AvatarConfig
from genaio.types._base import WireModel
from genaio.types._config import (
    AudioTranscriptionConfig,
    SafetySetting,
    SpeechConfig,
    ThinkingConfig,
)
from genaio.types._content import Content, FunctionCall
from genaio.types._enums import MediaResolution, Modality, ServiceTier, TrafficType, WireEnum
from genaio.types._grounding import GroundingMetadata, UrlContextMetadata
from genaio.types._http import HttpOptions
from genaio.types._loose import LooseModel
from genaio.types._responses import ModalityTokenCount
from genaio.types._speech import VoiceConsentSignature
from genaio.types._tools import Tool

__all__ = [
    "ActivityHandling",
    "AutomaticActivityDetection",
    "ContextWindowCompressionConfig",
    "ContextWindowCompressionConfigDict",
    "EndSensitivity",
    "HistoryConfig",
    "LiveConnectConfig",
    "LiveConnectConfigDict",
    "LiveServerContent",
    "LiveServerGoAway",
    "LiveServerMessage",
    "LiveServerSessionResumptionUpdate",
    "LiveServerSetupComplete",
    "LiveServerToolCall",
    "LiveServerToolCallCancellation",
    "ProactivityConfig",
    "RealtimeInputConfig",
    "RealtimeInputConfigDict",
    "SessionResumptionConfig",
    "SessionResumptionConfigDict",
    "SlidingWindow",
    "StartSensitivity",
    "Transcription",
    "TurnCompleteReason",
    "TurnCoverage",
    "UsageMetadata",
    "VadSignalType",
    "VoiceActivity",
    "VoiceActivityDetectionSignal",
    "VoiceActivityType",
    "WordInfo",
]


class InteractionStatus(WireEnum):
    """Where the model is in the conversation (google-genai 3.4); IDLE ends `receive()`.

    Not in `__all__`: `genaio.types.InteractionStatus` is the Interactions API's status (a
    different thing under the same name); reach this one as `LiveServerContent`'s field type.
    """

    INTERACTION_STATUS_UNSPECIFIED = "INTERACTION_STATUS_UNSPECIFIED"
    IN_PROGRESS = "IN_PROGRESS"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    IDLE = "IDLE"


class TurnCompleteReason(WireEnum):
    """Why a turn ended early: mostly the safety filter that stopped it."""

    TURN_COMPLETE_REASON_UNSPECIFIED = "TURN_COMPLETE_REASON_UNSPECIFIED"
    MALFORMED_FUNCTION_CALL = "MALFORMED_FUNCTION_CALL"
    RESPONSE_REJECTED = "RESPONSE_REJECTED"
    NEED_MORE_INPUT = "NEED_MORE_INPUT"
    PROHIBITED_INPUT_CONTENT = "PROHIBITED_INPUT_CONTENT"
    IMAGE_PROHIBITED_INPUT_CONTENT = "IMAGE_PROHIBITED_INPUT_CONTENT"
    INPUT_TEXT_CONTAIN_PROMINENT_PERSON_PROHIBITED = (
        "INPUT_TEXT_CONTAIN_PROMINENT_PERSON_PROHIBITED"
    )
    INPUT_IMAGE_CELEBRITY = "INPUT_IMAGE_CELEBRITY"
    INPUT_IMAGE_PHOTO_REALISTIC_CHILD_PROHIBITED = "INPUT_IMAGE_PHOTO_REALISTIC_CHILD_PROHIBITED"
    INPUT_TEXT_NCII_PROHIBITED = "INPUT_TEXT_NCII_PROHIBITED"
    INPUT_OTHER = "INPUT_OTHER"
    INPUT_IP_PROHIBITED = "INPUT_IP_PROHIBITED"
    BLOCKLIST = "BLOCKLIST"
    UNSAFE_PROMPT_FOR_IMAGE_GENERATION = "UNSAFE_PROMPT_FOR_IMAGE_GENERATION"
    GENERATED_IMAGE_SAFETY = "GENERATED_IMAGE_SAFETY"
    GENERATED_CONTENT_SAFETY = "GENERATED_CONTENT_SAFETY"
    GENERATED_AUDIO_SAFETY = "GENERATED_AUDIO_SAFETY"
    GENERATED_VIDEO_SAFETY = "GENERATED_VIDEO_SAFETY"
    GENERATED_CONTENT_PROHIBITED = "GENERATED_CONTENT_PROHIBITED"
    GENERATED_CONTENT_BLOCKLIST = "GENERATED_CONTENT_BLOCKLIST"
    GENERATED_IMAGE_PROHIBITED = "GENERATED_IMAGE_PROHIBITED"
    GENERATED_IMAGE_CELEBRITY = "GENERATED_IMAGE_CELEBRITY"
    GENERATED_IMAGE_PROMINENT_PEOPLE_DETECTED_BY_REWRITER = (
        "GENERATED_IMAGE_PROMINENT_PEOPLE_DETECTED_BY_REWRITER"
    )
    GENERATED_IMAGE_IDENTIFIABLE_PEOPLE = "GENERATED_IMAGE_IDENTIFIABLE_PEOPLE"
    GENERATED_IMAGE_MINORS = "GENERATED_IMAGE_MINORS"
    OUTPUT_IMAGE_IP_PROHIBITED = "OUTPUT_IMAGE_IP_PROHIBITED"
    GENERATED_OTHER = "GENERATED_OTHER"
    MAX_REGENERATION_REACHED = "MAX_REGENERATION_REACHED"


class ActivityHandling(WireEnum):
    ACTIVITY_HANDLING_UNSPECIFIED = "ACTIVITY_HANDLING_UNSPECIFIED"
    START_OF_ACTIVITY_INTERRUPTS = "START_OF_ACTIVITY_INTERRUPTS"
    NO_INTERRUPTION = "NO_INTERRUPTION"


class TurnCoverage(WireEnum):
    TURN_COVERAGE_UNSPECIFIED = "TURN_COVERAGE_UNSPECIFIED"
    TURN_INCLUDES_ONLY_ACTIVITY = "TURN_INCLUDES_ONLY_ACTIVITY"
    TURN_INCLUDES_ALL_INPUT = "TURN_INCLUDES_ALL_INPUT"
    TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO = "TURN_INCLUDES_AUDIO_ACTIVITY_AND_ALL_VIDEO"


class StartSensitivity(WireEnum):
    START_SENSITIVITY_UNSPECIFIED = "START_SENSITIVITY_UNSPECIFIED"
    START_SENSITIVITY_HIGH = "START_SENSITIVITY_HIGH"
    START_SENSITIVITY_LOW = "START_SENSITIVITY_LOW"


class EndSensitivity(WireEnum):
    END_SENSITIVITY_UNSPECIFIED = "END_SENSITIVITY_UNSPECIFIED"
    END_SENSITIVITY_HIGH = "END_SENSITIVITY_HIGH"
    END_SENSITIVITY_LOW = "END_SENSITIVITY_LOW"


class VadSignalType(WireEnum):
    VAD_SIGNAL_TYPE_UNSPECIFIED = "VAD_SIGNAL_TYPE_UNSPECIFIED"
    VAD_SIGNAL_TYPE_SOS = "VAD_SIGNAL_TYPE_SOS"
    VAD_SIGNAL_TYPE_EOS = "VAD_SIGNAL_TYPE_EOS"


class VoiceActivityType(WireEnum):
    TYPE_UNSPECIFIED = "TYPE_UNSPECIFIED"
    ACTIVITY_START = "ACTIVITY_START"
    ACTIVITY_END = "ACTIVITY_END"


# -- the session's config ------------------------------------------------------------------


class SessionResumptionConfig(WireModel):
    """Ask for resumption handles; `handle` resumes an earlier session.

    `transparent` (Vertex AI only) makes the server say which client message each handle
    includes, so that a reconnecting client resends exactly the rest.
    """

    handle: str | None = None
    transparent: bool | None = None


class AutomaticActivityDetection(WireModel):
    disabled: bool | None = None
    start_of_speech_sensitivity: StartSensitivity | None = None
    end_of_speech_sensitivity: EndSensitivity | None = None
    prefix_padding_ms: int | None = None
    silence_duration_ms: int | None = None


class RealtimeInputConfig(LooseModel):
    """How realtime input is split into turns: voice activity detection and its effects."""

    automatic_activity_detection: AutomaticActivityDetection | None = None
    activity_handling: ActivityHandling | None = None
    turn_coverage: TurnCoverage | None = None
    interim_transcript_timestamp_enabled: bool | None = None


class SlidingWindow(WireModel):
    target_tokens: int | None = None


class ContextWindowCompressionConfig(WireModel):
    """Compress the context past `trigger_tokens` so that a session may run indefinitely."""

    trigger_tokens: int | None = None
    sliding_window: SlidingWindow | None = None


class ProactivityConfig(LooseModel):
    proactive_audio: bool | None = None
    proactive_video: bool | None = None


class HistoryConfig(LooseModel):
    initial_history_in_client_content: bool | None = None


class LiveConnectConfig(WireModel):
    """The setup of a Live session (wire spec §10). `http_options` may only change
    `base_url`, `api_version` and `headers` (as in google-genai 3.4); `labels` tag the
    session's usage for billing reports."""

    http_options: HttpOptions | None = None
    generation_config: dict[str, Any] | None = None  # deprecated: use the fields below
    response_modalities: list[Modality] | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: float | None = None
    max_output_tokens: int | None = None
    media_resolution: MediaResolution | None = None
    seed: int | None = None
    speech_config: SpeechConfig | str | None = None
    thinking_config: ThinkingConfig | None = None
    enable_affective_dialog: bool | None = None
    system_instruction: Content | str | list[Any] | None = None
    tools: list[Tool | Any] | None = None
    session_resumption: SessionResumptionConfig | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    realtime_input_config: RealtimeInputConfig | None = None
    context_window_compression: ContextWindowCompressionConfig | None = None
    proactivity: ProactivityConfig | None = None
    explicit_vad_signal: bool | None = None
    history_config: HistoryConfig | None = None
    avatar_config: AvatarConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    translation_config: dict[str, Any] | None = None
    labels: dict[str, str] | None = None


LiveConnectConfigDict = dict[str, Any]
SessionResumptionConfigDict = dict[str, Any]
RealtimeInputConfigDict = dict[str, Any]
ContextWindowCompressionConfigDict = dict[str, Any]


# -- what the server sends -----------------------------------------------------------------


class WordInfo(WireModel):
    """One transcribed word and when it was said (offsets as durations, `"1.5s"`)."""

    word: str | None = None
    start_offset: str | None = None
    end_offset: str | None = None


class Transcription(WireModel):
    """Text of the audio heard (input) or spoken (output), piece by piece until `finished`."""

    text: str | None = None
    finished: bool | None = None
    language_code: str | None = None
    speaker_label: str | None = None
    start_offset: str | None = None
    end_offset: str | None = None
    words: list[WordInfo] | None = None


class LiveServerSetupComplete(WireModel):
    session_id: str | None = None
    #: For a replicated voice: the signature to send in later sessions instead of the consent.
    voice_consent_signature: VoiceConsentSignature | None = None


class LiveServerContent(WireModel):
    """Part of the model's turn, and the signals around it."""

    model_turn: Content | None = None
    turn_complete: bool | None = None
    interrupted: bool | None = None
    grounding_metadata: GroundingMetadata | None = None
    generation_complete: bool | None = None
    input_transcription: Transcription | None = None
    #: A provisional transcription of the input, replaced by later ones.
    interim_input_transcription: Transcription | None = None
    output_transcription: Transcription | None = None
    url_context_metadata: UrlContextMetadata | None = None
    turn_complete_reason: TurnCompleteReason | None = None
    waiting_for_input: bool | None = None
    interaction_status: InteractionStatus | None = None


class LiveServerToolCall(WireModel):
    function_calls: list[FunctionCall] | None = None


class LiveServerToolCallCancellation(WireModel):
    ids: list[str] | None = None


class UsageMetadata(WireModel):
    """Token counts of a Live turn (the prompt counts the whole conversation so far)."""

    prompt_token_count: int | None = None
    cached_content_token_count: int | None = None
    response_token_count: int | None = None
    tool_use_prompt_token_count: int | None = None
    thoughts_token_count: int | None = None
    total_token_count: int | None = None
    prompt_tokens_details: list[ModalityTokenCount] | None = None
    cache_tokens_details: list[ModalityTokenCount] | None = None
    response_tokens_details: list[ModalityTokenCount] | None = None
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | None = None
    traffic_type: TrafficType | None = None
    service_tier: ServiceTier | None = None


class LiveServerGoAway(WireModel):
    """The server will close this connection in `time_left` (a duration such as `"10s"`)."""

    time_left: str | None = None


class LiveServerSessionResumptionUpdate(WireModel):
    """A handle that resumes the session as it is now (empty while not `resumable`)."""

    new_handle: str | None = None
    resumable: bool | None = None
    last_consumed_client_message_index: int | None = None


class VoiceActivityDetectionSignal(WireModel):
    vad_signal_type: VadSignalType | None = None


class VoiceActivity(WireModel):
    voice_activity_type: VoiceActivityType | None = None
    audio_offset: str | None = None


class LiveServerMessage(WireModel):
    """One message from the server; usually one field is set (`usage_metadata` may join)."""

    setup_complete: LiveServerSetupComplete | None = None
    server_content: LiveServerContent | None = None
    tool_call: LiveServerToolCall | None = None
    tool_call_cancellation: LiveServerToolCallCancellation | None = None
    usage_metadata: UsageMetadata | None = None
    go_away: LiveServerGoAway | None = None
    session_resumption_update: LiveServerSessionResumptionUpdate | None = None
    voice_activity_detection_signal: VoiceActivityDetectionSignal | None = None
    voice_activity: VoiceActivity | None = None

    @property
    def text(self) -> str | None:
        """The text parts of the model's turn, joined (thoughts left out); None without any."""
        parts = self._parts()
        texts = [p.text for p in parts if p.text is not None and not p.thought]
        return "".join(texts) if texts else None

    @property
    def data(self) -> bytes | None:
        """The inline data (audio) of the model's turn, joined; None without any."""
        chunks = [p.inline_data.data for p in self._parts() if p.inline_data and p.inline_data.data]
        return b"".join(chunks) if chunks else None

    def _parts(self) -> list[Any]:
        content = self.server_content
        if content is None or content.model_turn is None:
            return []
        return list(content.model_turn.parts or ())

    @property
    def ends_turn(self) -> bool:
        """Whether `receive()` stops here: `interaction_status` IDLE if set, else
        `turn_complete`."""
        content = self.server_content
        if content is None:
            return False
        status = content.interaction_status
        if status is not None and status != InteractionStatus.INTERACTION_STATUS_UNSPECIFIED:
            return status == InteractionStatus.IDLE
        return bool(content.turn_complete)
