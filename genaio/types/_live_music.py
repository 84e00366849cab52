"""Live music (Lyria RealTime, the `BidiGenerateMusic` websocket): the prompts and generation
settings a client streams, the audio the server streams back, under the official SDK's names.

A session is steered while it plays: weighted text prompts blend into the music, the
generation settings (tempo, scale, density...) change it, and playback controls start, pause,
stop or reset it. The server answers with audio chunks, each saying which prompts and settings
it was made from, or with a prompt its safety filter refused.
"""

from __future__ import annotations

from genaio.types._base import Base64Bytes, WireModel
from genaio.types._enums import WireEnum

__all__ = [
    "AudioChunk",
    "LiveMusicClientContent",
    "LiveMusicClientMessage",
    "LiveMusicClientSetup",
    "LiveMusicConnectParameters",
    "LiveMusicFilteredPrompt",
    "LiveMusicGenerationConfig",
    "LiveMusicPlaybackControl",
    "LiveMusicServerContent",
    "LiveMusicServerMessage",
    "LiveMusicServerSetupComplete",
    "LiveMusicSetConfigParameters",
    "LiveMusicSetWeightedPromptsParameters",
    "LiveMusicSourceMetadata",
    "MusicGenerationMode",
    "Scale",
    "WeightedPrompt",
]


class Scale(WireEnum):
    """The musical scale, named by its major and relative minor keys."""

    SCALE_UNSPECIFIED = "SCALE_UNSPECIFIED"
    C_MAJOR_A_MINOR = "C_MAJOR_A_MINOR"
    D_FLAT_MAJOR_B_FLAT_MINOR = "D_FLAT_MAJOR_B_FLAT_MINOR"
    D_MAJOR_B_MINOR = "D_MAJOR_B_MINOR"
    E_FLAT_MAJOR_C_MINOR = "E_FLAT_MAJOR_C_MINOR"
    E_MAJOR_D_FLAT_MINOR = "E_MAJOR_D_FLAT_MINOR"
    F_MAJOR_D_MINOR = "F_MAJOR_D_MINOR"
    G_FLAT_MAJOR_E_FLAT_MINOR = "G_FLAT_MAJOR_E_FLAT_MINOR"
    G_MAJOR_E_MINOR = "G_MAJOR_E_MINOR"
    A_FLAT_MAJOR_F_MINOR = "A_FLAT_MAJOR_F_MINOR"
    A_MAJOR_G_FLAT_MINOR = "A_MAJOR_G_FLAT_MINOR"
    B_FLAT_MAJOR_G_MINOR = "B_FLAT_MAJOR_G_MINOR"
    B_MAJOR_A_FLAT_MINOR = "B_MAJOR_A_FLAT_MINOR"


class MusicGenerationMode(WireEnum):
    """What the generation favours: audio quality, variety, or voice as an instrument."""

    MUSIC_GENERATION_MODE_UNSPECIFIED = "MUSIC_GENERATION_MODE_UNSPECIFIED"
    QUALITY = "QUALITY"
    DIVERSITY = "DIVERSITY"
    VOCALIZATION = "VOCALIZATION"


class LiveMusicPlaybackControl(WireEnum):
    """Start, pause or stop the stream; `RESET_CONTEXT` forgets the music so far."""

    PLAYBACK_CONTROL_UNSPECIFIED = "PLAYBACK_CONTROL_UNSPECIFIED"
    PLAY = "PLAY"
    PAUSE = "PAUSE"
    STOP = "STOP"
    RESET_CONTEXT = "RESET_CONTEXT"


class WeightedPrompt(WireModel):
    """A text prompt and how much it counts against the others (a weight, not a share)."""

    text: str | None = None
    weight: float | None = None


class LiveMusicClientContent(WireModel):
    weighted_prompts: list[WeightedPrompt] | None = None


class LiveMusicGenerationConfig(WireModel):
    """The music's settings. `bpm` and `scale` take effect only after a `RESET_CONTEXT`;
    density and brightness are between 0 and 1, guidance how closely prompts are followed."""

    temperature: float | None = None
    top_k: int | None = None
    seed: int | None = None
    guidance: float | None = None
    bpm: int | None = None
    density: float | None = None
    brightness: float | None = None
    scale: Scale | None = None
    mute_bass: bool | None = None
    mute_drums: bool | None = None
    only_bass_and_drums: bool | None = None
    music_generation_mode: MusicGenerationMode | None = None


class LiveMusicClientSetup(WireModel):
    """The first message of a session: the model to play."""

    model: str | None = None


class LiveMusicClientMessage(WireModel):
    """One message from the client; exactly one field is set."""

    setup: LiveMusicClientSetup | None = None
    client_content: LiveMusicClientContent | None = None
    music_generation_config: LiveMusicGenerationConfig | None = None
    playback_control: LiveMusicPlaybackControl | None = None


class LiveMusicSourceMetadata(WireModel):
    """The prompts and settings a chunk of audio was generated from."""

    client_content: LiveMusicClientContent | None = None
    music_generation_config: LiveMusicGenerationConfig | None = None


class AudioChunk(WireModel):
    """A piece of the stream: raw audio (16-bit PCM, as `mime_type` says)."""

    data: Base64Bytes | None = None
    mime_type: str | None = None
    source_metadata: LiveMusicSourceMetadata | None = None


class LiveMusicServerSetupComplete(WireModel):
    """The server accepted the setup; the session can be steered."""


class LiveMusicServerContent(WireModel):
    audio_chunks: list[AudioChunk] | None = None


class LiveMusicFilteredPrompt(WireModel):
    """A prompt the safety filter refused, and why; the music goes on without it."""

    text: str | None = None
    filtered_reason: str | None = None


class LiveMusicServerMessage(WireModel):
    setup_complete: LiveMusicServerSetupComplete | None = None
    server_content: LiveMusicServerContent | None = None
    filtered_prompt: LiveMusicFilteredPrompt | None = None


class LiveMusicConnectParameters(WireModel):
    """The arguments of `live.music.connect`."""

    model: str | None = None


class LiveMusicSetConfigParameters(WireModel):
    """The argument of a music session's `set_music_generation_config`."""

    music_generation_config: LiveMusicGenerationConfig | None = None


class LiveMusicSetWeightedPromptsParameters(WireModel):
    """The argument of a music session's `set_weighted_prompts`."""

    weighted_prompts: list[WeightedPrompt] | None = None
