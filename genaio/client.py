"""The clients, importable where google-genai has them (`from genaio import client`)."""

from genaio.api import AsyncClient, Client
from genaio.types import DebugConfig

__all__ = ["AsyncClient", "Client", "DebugConfig"]
