"""Webhooks (`client.aio.webhooks`): the server calls your URI when a batch, an interaction or
a video finishes; each call is signed with the webhook's signing secret."""

from __future__ import annotations

import datetime

from genaio.types._managed_base import Empty, SnakeModel

__all__ = [
    "SigningSecret",
    "Webhook",
    "WebhookDeleteResponse",
    "WebhookListResponse",
    "WebhookPingResponse",
    "WebhookRotateSigningSecretResponse",
]


class SigningSecret(SnakeModel):
    truncated_secret: str | None = None
    expire_time: datetime.datetime | None = None


class Webhook(SnakeModel):
    """`new_signing_secret` is set once, in the answer of `create`: keep it."""

    id: str | None = None
    name: str | None = None
    uri: str | None = None
    subscribed_events: list[str] | None = None
    state: str | None = None  # enabled | disabled | disabled_due_to_failed_deliveries
    new_signing_secret: str | None = None
    signing_secrets: list[SigningSecret] | None = None
    create_time: datetime.datetime | None = None
    update_time: datetime.datetime | None = None


class WebhookListResponse(SnakeModel):
    webhooks: list[Webhook] | None = None
    next_page_token: str | None = None


class WebhookPingResponse(SnakeModel):
    """The answer of a ping (the server's fields, if any, are kept as extra fields)."""


class WebhookRotateSigningSecretResponse(SnakeModel):
    """The new secret, in full, once."""

    secret: str | None = None


WebhookDeleteResponse = Empty
