"""Credentials as request headers: an API key, or Google OAuth credentials for Vertex AI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import anyio

__all__ = ["ApiKeyAuth", "Auth", "GoogleCredentialsAuth", "NoAuth", "call_headers"]


class Auth(Protocol):
    """Headers that authenticate a request; may refresh a token first."""

    async def headers(self) -> Mapping[str, str]: ...


async def call_headers(auth: Auth, own: Mapping[str, str] | None) -> dict[str, str]:
    """A call's headers over the client's: its credentials, then its own `http_options`
    headers (which may replace them: a gateway's token, a quota project)."""
    headers = dict(await auth.headers())
    if own:
        headers.update(own)
    return headers


class NoAuth:
    async def headers(self) -> Mapping[str, str]:
        return {}


class ApiKeyAuth:
    """The Gemini API key (and Vertex AI express mode): the `x-goog-api-key` header."""

    def __init__(self, api_key: str) -> None:
        self._headers = {"x-goog-api-key": api_key.strip()}

    async def headers(self) -> Mapping[str, str]:
        return self._headers

    def __repr__(self) -> str:
        return "ApiKeyAuth(api_key=<hidden>)"


class GoogleCredentialsAuth:
    """`google.auth` credentials as a bearer token, refreshed in a worker thread when stale.

    One refresh runs at a time; concurrent callers wait for it rather than each refreshing.
    """

    def __init__(self, credentials: Any) -> None:
        self.credentials = credentials
        self._lock: anyio.Lock | None = None

    async def headers(self) -> Mapping[str, str]:
        credentials = self.credentials
        if not credentials.valid:
            if self._lock is None:
                self._lock = anyio.Lock()
            async with self._lock:
                if not credentials.valid:
                    await anyio.to_thread.run_sync(_refresh, credentials)
        headers = {"authorization": f"Bearer {credentials.token}"}
        quota_project = getattr(credentials, "quota_project_id", None)
        if quota_project:
            headers["x-goog-user-project"] = quota_project
        return headers

    def __repr__(self) -> str:
        return f"GoogleCredentialsAuth({type(self.credentials).__name__}, token=<hidden>)"


def _refresh(credentials: Any) -> None:
    from google.auth.transport.requests import Request

    credentials.refresh(Request())
