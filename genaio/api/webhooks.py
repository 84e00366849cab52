"""`client.aio.webhooks`: the server calls your URI when a batch, an interaction or a video
finishes, signed with the webhook's secret; `ping` sends a test event, and
`rotate_signing_secret` issues a new secret (see docs/webhooks.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from genaio.api._managed import ManagedCollection, Overrides
from genaio.types import (
    Empty,
    Webhook,
    WebhookListResponse,
    WebhookPingResponse,
    WebhookRotateSigningSecretResponse,
)

__all__ = ["AsyncWebhooks"]


class AsyncWebhooks(ManagedCollection[Webhook, Empty]):
    """Create, read, update, list, delete, ping webhooks and rotate their secrets."""

    family = "webhooks"
    collection = "webhooks"
    _item_type = Webhook
    _deleted_type = Empty

    async def create(
        self,
        *,
        subscribed_events: Iterable[str],
        uri: str,
        api_version: str | None = None,
        name: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Webhook:
        """Call `uri` on each of `subscribed_events` (`batch.succeeded`, `video.generated`...).
        The answer's `new_signing_secret` is the only time the secret is shown in full.

        Cancellation: cancelling the caller cancels the request; the webhook may exist.
        """
        body = {"subscribed_events": subscribed_events, "uri": uri, "name": name}
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "webhooks", Webhook, overrides, body=body)

    async def update(
        self,
        id: str,
        *,
        api_version: str | None = None,
        update_mask: str | None = None,
        name: str | None = None,
        state: Literal["enabled", "disabled", "disabled_due_to_failed_deliveries"] | None = None,
        subscribed_events: Iterable[str] | None = None,
        uri: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Webhook:
        """Change a webhook's fields (those named in `update_mask`, comma-separated).

        Cancellation: cancelling the caller cancels the request; the update may still land.
        """
        body = {"name": name, "state": state, "subscribed_events": subscribed_events, "uri": uri}
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        query = {"update_mask": update_mask}
        return await self._call(
            "PATCH", self._item_path(id), Webhook, overrides, query=query, body=body
        )

    async def list(
        self,
        *,
        api_version: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> WebhookListResponse:
        """One page of webhooks; pass its `next_page_token` as `page_token` for the next.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {"page_size": page_size, "page_token": page_token}
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("GET", "webhooks", WebhookListResponse, overrides, query=query)

    async def ping(
        self,
        id: str,
        *,
        api_version: str | None = None,
        body: Mapping[str, Any] | Any = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> WebhookPingResponse:
        """Have the server send a test event to the webhook's URI.

        Cancellation: cancelling the caller cancels the request; the ping may still be sent.
        """
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        path = self._item_path(id, ":ping")
        return await self._call("POST", path, WebhookPingResponse, overrides, body=body)

    async def rotate_signing_secret(
        self,
        id: str,
        *,
        api_version: str | None = None,
        revocation_behavior: Literal[
            "revoke_previous_secrets_after_h24", "revoke_previous_secrets_immediately"
        ]
        | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> WebhookRotateSigningSecretResponse:
        """Issue a new signing secret (shown in full once); the old ones stop working now or
        after 24 hours, as `revocation_behavior` says.

        Cancellation: cancelling the caller cancels the request; the rotation may still land.
        """
        body = {"revocation_behavior": revocation_behavior}
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        path = self._item_path(id, ":rotateSigningSecret")
        return await self._call(
            "POST", path, WebhookRotateSigningSecretResponse, overrides, body=body
        )
