"""`client.aio.auth_tokens`: ephemeral tokens for the Live API."""

from __future__ import annotations

from genaio.api._resource import Resource

__all__ = ["AsyncTokens"]


class AsyncTokens(Resource):
    """Ephemeral tokens for the Live API."""

    family = "auth_tokens"
