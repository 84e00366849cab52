"""The clients, importable where google-genai has them (`from genaio import client`)."""

from genaio.api import AsyncClient, Client

__all__ = ["AsyncClient", "Client"]
