"""Custom voices (`client.aio.voices`) for speech generation: prompted (described in words),
replicated (from a sample, with consent audio) or prebuilt."""

from __future__ import annotations

import datetime
from typing import Any

from genaio.types._managed_base import SnakeModel

__all__ = ["DeleteVoiceResponse", "ListVoicesResponse", "VoiceOutput"]


class VoiceOutput(SnakeModel):
    """A voice as the server keeps it; `key` is what speech configs name it by."""

    id: str | None = None
    key: str | None = None
    type: str | None = None  # replicated | prompted | prebuilt
    display_name: str | None = None
    description: str | None = None
    model: str | None = None
    language_code: str | None = None
    region_code: str | None = None
    accent: str | None = None
    gender: str | None = None
    persona: str | None = None
    pitch: str | None = None
    context: str | None = None
    prompted: dict[str, Any] | None = None
    sample_audio: dict[str, Any] | None = None
    usage: dict[str, Any] | None = None
    expire_time: datetime.datetime | None = None


class ListVoicesResponse(SnakeModel):
    voices: list[VoiceOutput] | None = None
    next_page_token: str | None = None


class DeleteVoiceResponse(SnakeModel):
    """The answer of a delete (the server's fields, if any, are kept as extra fields)."""
