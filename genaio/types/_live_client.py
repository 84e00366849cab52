"""What a Live client sends: turns, realtime input and tool responses (which genaio's session
sends), and the whole messages around them: the setup, and the mid-session update of its
context. genaio's session builds those itself from `LiveConnectConfig` and the `send_*`
methods' arguments; their types (built on first use) are here for code that reads or writes
the messages directly (recordings, proxies, tests), and for those methods' arguments as one
object.
"""

from __future__ import annotations

from genaio.types._avatars import AvatarConfig
from genaio.types._base import WireModel
from genaio.types._config import AudioTranscriptionConfig, GenerationConfig, SafetySetting
from genaio.types._content import Blob, Content, ContentUnion, FunctionResponse
from genaio.types._live import (
    ContextWindowCompressionConfig,
    HistoryConfig,
    LiveConnectConfig,
    ProactivityConfig,
    SessionResumptionConfig,
)
from genaio.types._tools import Tool

__all__ = [
    "ActivityEnd",
    "ActivityStart",
    "LiveClientContent",
    "LiveClientContextUpdate",
    "LiveClientContextUpdateTools",
    "LiveClientMessage",
    "LiveClientRealtimeInput",
    "LiveClientSetup",
    "LiveClientToolResponse",
    "LiveConnectParameters",
    "LiveSendRealtimeInputParameters",
]


class ActivityStart(WireModel):
    """Marks the start of user activity (with automatic activity detection off)."""


class ActivityEnd(WireModel):
    """Marks the end of user activity (with automatic activity detection off)."""


class LiveClientContent(WireModel):
    """Turns appended to the conversation; `turn_complete` asks the model to answer."""

    turns: list[Content] | None = None
    turn_complete: bool | None = None


class LiveClientRealtimeInput(WireModel):
    """Streamed input: exactly one field per message."""

    media_chunks: list[Blob] | None = None
    audio: Blob | None = None
    audio_stream_end: bool | None = None
    video: Blob | None = None
    text: str | None = None
    activity_start: ActivityStart | None = None
    activity_end: ActivityEnd | None = None


class LiveClientToolResponse(WireModel):
    function_responses: list[FunctionResponse] | None = None


class LiveClientSetup(WireModel):
    """The first message of a session: the model and everything fixed for the session."""

    model: str | None = None
    generation_config: GenerationConfig | None = None
    system_instruction: ContentUnion | None = None
    tools: list[Tool] | None = None
    session_resumption: SessionResumptionConfig | None = None
    context_window_compression: ContextWindowCompressionConfig | None = None
    input_audio_transcription: AudioTranscriptionConfig | None = None
    output_audio_transcription: AudioTranscriptionConfig | None = None
    proactivity: ProactivityConfig | None = None
    explicit_vad_signal: bool | None = None
    history_config: HistoryConfig | None = None
    avatar_config: AvatarConfig | None = None
    safety_settings: list[SafetySetting] | None = None
    labels: dict[str, str] | None = None


class LiveClientContextUpdateTools(WireModel):
    """The session's new tools, replacing the old ones."""

    tools: list[Tool] | None = None


class LiveClientContextUpdate(WireModel):
    """A change to the session's context while it runs: a new system instruction or tools."""

    system_instruction: ContentUnion | None = None
    tools: LiveClientContextUpdateTools | None = None


class LiveClientMessage(WireModel):
    """One message from the client; exactly one field is set."""

    setup: LiveClientSetup | None = None
    client_content: LiveClientContent | None = None
    realtime_input: LiveClientRealtimeInput | None = None
    tool_response: LiveClientToolResponse | None = None
    context_update: LiveClientContextUpdate | None = None


class LiveConnectParameters(WireModel):
    """The arguments of `live.connect`, as one object."""

    model: str | None = None
    config: LiveConnectConfig | None = None


class LiveSendRealtimeInputParameters(WireModel):
    """The arguments of a session's `send_realtime_input`, as one object; set one."""

    media: Blob | None = None
    audio: Blob | None = None
    audio_stream_end: bool | None = None
    video: Blob | None = None
    text: str | None = None
    activity_start: ActivityStart | None = None
    activity_end: ActivityEnd | None = None
