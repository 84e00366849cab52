"""Files, importable where google-genai has them (`from genaio import files`)."""

from genaio.api.files import AsyncFiles

__all__ = ["AsyncFiles"]
