"""Cached contents, importable where google-genai has them (`from genaio import caches`)."""

from genaio.api.caches import AsyncCaches

__all__ = ["AsyncCaches"]
