"""`client.aio.voices`: custom voices for speech generation, described in words (`prompted`)
or replicated from a sample with consent audio (see docs/voices.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genaio.api._managed import ManagedCollection, Overrides
from genaio.types import DeleteVoiceResponse, ListVoicesResponse, VoiceOutput

__all__ = ["AsyncVoices"]


class AsyncVoices(ManagedCollection[VoiceOutput, DeleteVoiceResponse]):
    """Create, read, list and delete voices."""

    family = "voices"
    collection = "voices"
    _item_type = VoiceOutput
    _deleted_type = DeleteVoiceResponse

    async def create(
        self,
        *,
        voice: Mapping[str, Any] | Any,
        api_version: str | None = None,
        store: bool | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> VoiceOutput:
        """Make a voice (`{"type": "prompted", "prompted": {"input": ...}}`...); with
        `store=True` the server keeps it for later calls.

        Cancellation: cancelling the caller cancels the request; the voice may exist.
        """
        body = {"voice": voice, "store": store}
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "voices", VoiceOutput, overrides, body=body)

    async def list(
        self,
        *,
        api_version: str | None = None,
        accent: Iterable[str] | None = None,
        contexts: Iterable[str] | None = None,
        gender: Iterable[str] | None = None,
        language_code: Iterable[str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        persona: Iterable[str] | None = None,
        pitch: Iterable[str] | None = None,
        region_code: Iterable[str] | None = None,
        search: str | None = None,
        type_: Iterable[str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> ListVoicesResponse:
        """One page of voices, filtered (each filter a list of accepted values; `type_` is
        sent as `type`); pass its `next_page_token` as `page_token` for the next.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {
            "accent": accent,
            "contexts": contexts,
            "gender": gender,
            "language_code": language_code,
            "page_size": page_size,
            "page_token": page_token,
            "persona": persona,
            "pitch": pitch,
            "region_code": region_code,
            "search": search,
            "type": type_,
        }
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("GET", "voices", ListVoicesResponse, overrides, query=query)
