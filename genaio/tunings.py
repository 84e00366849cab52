"""Tuning jobs, importable where google-genai has them (`from genaio import tunings`)."""

from genaio.api.tunings import AsyncTunings

__all__ = ["AsyncTunings"]
