"""What a failed request means for the job: whether it would fail again, and in words.

The job reports the API's own message and status (`bad text (INVALID_ARGUMENT)`), never the
whole error body; and it tells a refused key from a refused setting, which the API answers with
the same 400.
"""

from __future__ import annotations

from genaio.errors import (
    APIError,
    ClientError,
    InvalidArgumentError,
    PermissionDeniedError,
    UnauthenticatedError,
)

__all__ = ["describe", "permanent", "refusal"]


def permanent(error: Exception) -> bool:
    """A failure that the same request meets every time: the API refused the item itself
    (400), or it cannot be encoded at all."""
    return isinstance(error, InvalidArgumentError | ValueError | TypeError)


def describe(error: BaseException) -> str:
    """An error in words: the API's own message rather than the whole error body."""
    if isinstance(error, APIError) and error.message:
        return f"{error.message} ({error.status})" if error.status else error.message
    return str(error) or type(error).__name__


def refusal(error: ClientError) -> str:
    """Why the API refused the probe: the key, or the job's settings."""
    text = f"{error.message} {error.details}"
    if isinstance(error, UnauthenticatedError | PermissionDeniedError) or "API_KEY" in text:
        return f"the API refused the key ({error.message}): check GOOGLE_API_KEY / GEMINI_API_KEY"
    return (
        f"the API refused the job's settings (--model, --dimensions, --task-type): {error.message}"
    )
