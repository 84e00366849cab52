"""Stored credentials (`client.aio.credentials`) that agents use to reach other services:
bearer tokens, OAuth 2 clients, environment variables. Experimental in the API; the secret
itself never comes back."""

from __future__ import annotations

import datetime

from genaio.types._managed_base import Empty, SnakeModel

__all__ = ["Credential", "CredentialDeleteResponse", "CredentialListResponse"]


class Credential(SnakeModel):
    id: str | None = None
    type: str | None = None  # bearer_token | oauth2 | environment_variable
    status: str | None = None  # active | revoked
    create_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None


class CredentialListResponse(SnakeModel):
    credentials: list[Credential] | None = None
    next_page_token: str | None = None


CredentialDeleteResponse = Empty
