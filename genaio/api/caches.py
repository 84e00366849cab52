"""`client.aio.caches`: context caching: create, get, update, delete, list cached contents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genaio.api._bodies import reject_vertex_only
from genaio.api._normalize import (
    coerce_config,
    t_cached_content_name,
    t_contents,
    t_model,
    t_system_instruction,
    t_tools,
)
from genaio.api._resource import Resource
from genaio.api.pagers import AsyncPager
from genaio.engine import RestCall
from genaio.engine._urls import resource_name
from genaio.types import (
    CachedContent,
    CreateCachedContentConfig,
    DeleteCachedContentConfig,
    DeleteCachedContentResponse,
    GetCachedContentConfig,
    HttpResponse,
    ListCachedContentsConfig,
    UpdateCachedContentConfig,
)

__all__ = ["AsyncCaches"]

_UNSET: Any = object()


class AsyncCaches(Resource):
    """Context caching: content sent once and reused by `generate_content(config=
    {"cached_content": cache.name})` until it expires."""

    family = "caches"

    async def create(
        self,
        *,
        model: str,
        config: CreateCachedContentConfig | Mapping[str, Any] | None = None,
        contents: Any = _UNSET,
    ) -> CachedContent:
        """Cache `contents` (and a system instruction, tools) for `model`.

        `contents` may be given here or in `config` (the official SDK's place), not both.

        Cancellation: cancelling the caller cancels the request; if the server had already
        created the cache, it expires at its ttl.
        """
        parsed = coerce_config(CreateCachedContentConfig, config)
        if contents is not _UNSET:
            if parsed.contents is not None:
                raise ValueError("pass contents either as an argument or in config, not both")
            parsed = parsed.model_copy(update={"contents": contents})
        body = self._create_body(model, parsed)
        call = self._rest(
            "POST", "cachedContents", body=body, options=self._options(parsed), idempotent=False
        )
        return CachedContent.from_wire((await self._request(call)).data)

    async def get(
        self, *, name: str, config: GetCachedContentConfig | Mapping[str, Any] | None = None
    ) -> CachedContent:
        """A cache's metadata (`abc` and `cachedContents/abc` name the same cache).

        Cancellation: cancelling the caller cancels the request.
        """
        parsed = coerce_config(GetCachedContentConfig, config)
        call = self._rest("GET", t_cached_content_name(name), options=self._options(parsed))
        return CachedContent.from_wire((await self._request(call)).data)

    async def update(
        self, *, name: str, config: UpdateCachedContentConfig | Mapping[str, Any] | None = None
    ) -> CachedContent:
        """Move a cache's expiry: a new `ttl` from now, or an `expire_time`.

        As in the official SDK no `updateMask` is sent; the server takes the fields present.

        Cancellation: cancelling the caller cancels the request.
        """
        parsed = coerce_config(UpdateCachedContentConfig, config)
        body = parsed.model_dump(mode="json", by_alias=True, exclude_none=True)
        body.pop("httpOptions", None)
        call = self._rest(
            "PATCH", t_cached_content_name(name), body=body, options=self._options(parsed)
        )
        return CachedContent.from_wire((await self._request(call)).data)

    async def delete(
        self, *, name: str, config: DeleteCachedContentConfig | Mapping[str, Any] | None = None
    ) -> DeleteCachedContentResponse:
        """Delete a cache before it expires.

        Cancellation: cancelling the caller cancels the request (the cache may be gone).
        """
        parsed = coerce_config(DeleteCachedContentConfig, config)
        call = self._rest("DELETE", t_cached_content_name(name), options=self._options(parsed))
        answer = await self._request(call)
        return DeleteCachedContentResponse(sdk_http_response=HttpResponse.of(answer.headers))

    async def list(
        self, *, config: ListCachedContentsConfig | Mapping[str, Any] | None = None
    ) -> AsyncPager[CachedContent]:
        """Your caches, page by page.

        Cancellation: cancelling the caller cancels the page request in flight.
        """
        parsed = coerce_config(ListCachedContentsConfig, config)
        options = self._options(parsed)

        def page_call(page: dict[str, Any]) -> RestCall:
            query = {"pageSize": page.get("page_size"), "pageToken": page.get("page_token")}
            return self._rest("GET", "cachedContents", query=query, options=options)

        config_dict = parsed.model_dump(exclude_none=True, exclude={"http_options"})
        return await self._pager(
            "cached_contents", page_call, "cachedContents", CachedContent.from_wire, config_dict
        )

    def _create_body(self, model: str, config: CreateCachedContentConfig) -> dict[str, Any]:
        """The model is a full resource name on Vertex AI (`projects/p/locations/l/publishers/
        google/models/x`); the content fields are normalized as `generate_content`'s are."""
        if not self._vertex:
            reject_vertex_only(config)
        name = resource_name(self._backend.config, t_model(model, vertex=self._vertex))
        body: dict[str, Any] = {"model": name}
        plain = {"ttl", "expire_time", "display_name", "tool_config"}
        body.update(config.model_dump(mode="json", by_alias=True, exclude_none=True, include=plain))
        if config.contents is not None:
            body["contents"] = [c.to_wire() for c in t_contents(config.contents)]
        if config.system_instruction is not None:
            body["systemInstruction"] = t_system_instruction(config.system_instruction).to_wire()
        if config.tools is not None:
            body["tools"] = [tool.to_wire() for tool in t_tools(config.tools)]
        if config.kms_key_name is not None:
            # The official SDK sends this one key in snake_case; the API reads both spellings.
            body["encryption_spec"] = {"kmsKeyName": config.kms_key_name}
        return body
