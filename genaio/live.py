"""The Live API, importable where google-genai has them (`from genaio import live`)."""

from genaio.api.live import AsyncLive, AsyncSession

__all__ = ["AsyncLive", "AsyncSession"]
