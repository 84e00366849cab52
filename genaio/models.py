"""Models, importable where google-genai has them (`from genaio import models`)."""

from genaio.api.models import AsyncModels

__all__ = ["AsyncModels"]
