"""Where the job's requests go, decided before anything is read or written.

The Gemini API (or the server `GOOGLE_GEMINI_BASE_URL` names) when an API key is set; the
embedded emulator when `--emulator` asks for it, or when neither a key nor a base URL is given
(a first try with no setup). A base URL with no key is refused rather than guessed at: the
emulator's vectors must never pass for the server's.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from genaio.embedjob._journal import OutputError

__all__ = ["EMULATOR", "Backend", "choose_backend", "client_args"]

EMULATOR = "emulator"
API = "gemini-api"
_DEFAULT_HOST = "generativelanguage.googleapis.com"
_KEYS = ("GOOGLE_API_KEY", "GEMINI_API_KEY")


@attrs.frozen
class Backend:
    """`kind` is EMULATOR or API; `host` the API's host (with its port, if any); None for the
    emulator, whose port changes from run to run."""

    kind: str
    host: str | None
    reason: str


def choose_backend(emulator: bool, environ: Mapping[str, str] = os.environ) -> Backend:
    """The backend the job uses. Raises `OutputError` for a base URL with no key."""
    has_key = any(environ.get(k) for k in _KEYS)
    base_url = environ.get("GOOGLE_GEMINI_BASE_URL")
    if emulator:
        return Backend(EMULATOR, None, "--emulator: using the embedded emulator")
    if has_key:
        host = (urlsplit(base_url).netloc or base_url) if base_url else _DEFAULT_HOST
        return Backend(API, host, f"an API key is set: talking to {base_url or host}")
    if base_url:
        raise OutputError(
            f"GOOGLE_GEMINI_BASE_URL is set ({base_url}) but no API key is: set GOOGLE_API_KEY "
            "(or GEMINI_API_KEY), or pass --emulator to use the embedded emulator"
        )
    return Backend(
        EMULATOR, None, "no API key or base URL set: using the embedded emulator (fake vectors)"
    )


@contextlib.contextmanager
def client_args(backend: Backend) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield the `genaio.Client` arguments for `backend` and a sentence saying where they lead.

    For the API, the client takes its key and base URL from the environment, as the official
    SDK does. The emulator serves on loopback in a thread for as long as the block runs.
    """
    if backend.kind == API:
        yield {}, backend.reason
        return
    from genaio.emulator import run_emulator_in_thread

    with run_emulator_in_thread() as emulator:
        url = emulator.base_url
        yield (
            {"api_key": "emulator", "http_options": {"base_url": url}},
            f"{backend.reason} at {url}",
        )
