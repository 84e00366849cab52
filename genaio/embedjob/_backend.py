"""Where the job's requests go: the Gemini API when a key is set, else an embedded emulator."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

__all__ = ["backend"]


@contextlib.contextmanager
def backend() -> Iterator[tuple[dict[str, Any], str]]:
    """Yield the `genaio.Client` arguments to use and a sentence saying where they lead.

    With GOOGLE_API_KEY or GEMINI_API_KEY set, the client takes its key (and any
    GOOGLE_GEMINI_BASE_URL) from the environment, as the official SDK does. Without one, an
    emulator serves on loopback in a thread for as long as the block runs.
    """
    if os.environ.get("GOOGLE_API_KEY") or os.environ.get("GEMINI_API_KEY"):
        where = os.environ.get("GOOGLE_GEMINI_BASE_URL") or "the Gemini API"
        yield {}, f"an API key is set: talking to {where}"
        return
    from genaio.emulator import run_emulator_in_thread

    with run_emulator_in_thread() as emulator:
        url = emulator.base_url
        yield (
            {"api_key": "emulator", "http_options": {"base_url": url}},
            f"no API key set (GOOGLE_API_KEY, GEMINI_API_KEY): "
            f"using the embedded emulator at {url}",
        )
