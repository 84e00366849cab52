"""Ephemeral auth tokens, importable where google-genai has them (`from genaio import tokens`)."""

from genaio.api.auth_tokens import AsyncTokens

__all__ = ["AsyncTokens"]
