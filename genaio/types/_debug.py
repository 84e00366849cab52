"""`DebugConfig`: the client argument of google-genai that switches its own test harness
(record and replay of real API calls). genaio takes it so that code passing it runs unchanged;
genaio tests against its emulator instead (docs/testing-your-app.md)."""

from __future__ import annotations

import os

from pydantic import Field

from genaio.types._base import WireModel

__all__ = ["DebugConfig"]


class DebugConfig(WireModel):
    """How the client reaches the network when testing. Each field left out is read from the
    environment when the model is made, as the SDK: `GOOGLE_GENAI_CLIENT_MODE`,
    `GOOGLE_GENAI_REPLAYS_DIRECTORY`, `GOOGLE_GENAI_REPLAY_ID`."""

    client_mode: str | None = Field(
        default_factory=lambda: os.environ.get("GOOGLE_GENAI_CLIENT_MODE")
    )
    replays_directory: str | None = Field(
        default_factory=lambda: os.environ.get("GOOGLE_GENAI_REPLAYS_DIRECTORY")
    )
    replay_id: str | None = Field(default_factory=lambda: os.environ.get("GOOGLE_GENAI_REPLAY_ID"))
