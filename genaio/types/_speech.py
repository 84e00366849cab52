"""Voices for audio output (text-to-speech and Live): one prebuilt voice, a voice per speaker,
or a voice replicated from a consented sample.

Forwarded as given (`LooseModel`): the API adds voice options faster than clients ship.
"""

from __future__ import annotations

from genaio.types._base import Base64Bytes
from genaio.types._loose import LooseModel

__all__ = [
    "MultiSpeakerVoiceConfig",
    "PrebuiltVoiceConfig",
    "ReplicatedVoiceConfig",
    "SpeakerVoiceConfig",
    "VoiceConfig",
    "VoiceConsentSignature",
]


class PrebuiltVoiceConfig(LooseModel):
    """One of the API's voices, by name (`"Kore"`, `"Puck"`, ...)."""

    voice_name: str | None = None


class VoiceConsentSignature(LooseModel):
    """The server's proof that a replicated voice's speaker consented; sent back unchanged."""

    signature: str | None = None


class ReplicatedVoiceConfig(LooseModel):
    """A voice cloned from `voice_sample_audio`, with the speaker's recorded consent (or the
    signature the server gave for it)."""

    mime_type: str | None = None
    voice_sample_audio: Base64Bytes | None = None
    consent_audio: Base64Bytes | None = None
    voice_consent_signature: VoiceConsentSignature | None = None


class VoiceConfig(LooseModel):
    """The voice to speak with: set one of its fields."""

    prebuilt_voice_config: PrebuiltVoiceConfig | None = None
    replicated_voice_config: ReplicatedVoiceConfig | None = None
    voice: str | None = None


class SpeakerVoiceConfig(LooseModel):
    """The voice of one named speaker of a multi-speaker script."""

    speaker: str | None = None
    voice_config: VoiceConfig | None = None


class MultiSpeakerVoiceConfig(LooseModel):
    """A voice per speaker, for scripts whose lines start with the speaker's name."""

    speaker_voice_configs: list[SpeakerVoiceConfig] | None = None
