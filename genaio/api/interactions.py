"""`client.aio.interactions`: the experimental Interactions API, on its own actor.

An interaction is one exchange with a model or an agent, kept by the server: create it (at
once, streamed, or in the background), read it back, cancel it, delete it. Its wire keys are
snake_case, unlike the rest of the API. A stream is server-sent events that end with a
`data: [DONE]` sentinel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from genaio.api._interaction_socket import InteractionConnectionContext
from genaio.api._managed import Overrides
from genaio.api._resource import Resource
from genaio.api._streams import ResponseStream
from genaio.engine import RestCall
from genaio.types import Interaction, InteractionSSEEvent

__all__ = ["AsyncInteractionsResource"]

#: Step kinds: a list of these is sent as it is; a list of anything else is one user input.
_STEP_TYPES = frozenset(
    {
        "user_input",
        "model_output",
        "thought",
        "function_call",
        "function_result",
        "code_execution_call",
        "code_execution_result",
        "url_context_call",
        "url_context_result",
        "google_search_call",
        "google_search_result",
        "google_maps_call",
        "google_maps_result",
        "file_search_call",
        "file_search_result",
        "mcp_server_tool_call",
        "mcp_server_tool_result",
        "retrieval_call",
        "retrieval_result",
        "processing_call",
        "processing_result",
        "tool_search_call",
        "tool_search_result",
    }
)
_SSE = {"accept": "text/event-stream"}
#: The API's create fields that `create` takes as keyword arguments without naming them.
_OTHER_CREATE_FIELDS = frozenset(
    {
        "cached_content",
        "continuation_token",
        "environment",
        "labels",
        "safety_settings",
        "service_tier",
        "webhook_config",
    }
)


def t_interaction_input(value: Any) -> Any:
    """`input=` on the wire: a str or one content item as it is; a list of steps as it is; a
    list of content items (str for text) as one `user_input` step."""
    if value is None or value == []:
        raise ValueError("input is required")
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_none=True)
    if not isinstance(value, list):
        return value
    items = [
        {"type": "text", "text": v}
        if isinstance(v, str)
        else v.model_dump(mode="json", exclude_none=True)
        if isinstance(v, BaseModel)
        else v
        for v in value
    ]
    steps = [isinstance(i, Mapping) and i.get("type") in _STEP_TYPES for i in items]
    if all(steps):
        return items
    if any(steps):
        raise ValueError("input mixes steps and content items; pass a list of either")
    return [{"type": "user_input", "content": items}]


class AsyncInteractionsResource(Resource):
    """The experimental Interactions API."""

    family = "interactions"

    async def create(
        self,
        *,
        input: Any,
        model: str | None = None,
        agent: str | None = None,
        stream: bool | None = None,
        background: bool | None = None,
        system_instruction: str | None = None,
        generation_config: Mapping[str, Any] | None = None,
        agent_config: Mapping[str, Any] | None = None,
        previous_interaction_id: str | None = None,
        tools: list[Any] | None = None,
        response_format: Any = None,
        response_mime_type: str | None = None,
        response_modalities: list[str] | None = None,
        store: bool | None = None,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
        **fields: Any,
    ) -> Interaction | ResponseStream[InteractionSSEEvent]:
        """Start an interaction with a `model` or an `agent`; with `stream=True`, its events.

        The API's other fields (`safety_settings`, `webhook_config`, `cached_content`, `labels`,
        `service_tier`, `environment`, `continuation_token`) go as keyword arguments, sent as
        they are; any other keyword is a TypeError (send it with `extra_body=`).

        Cancellation: cancelling the caller cancels the request; an interaction the server has
        already started (say, in the background) runs on: `cancel` it.
        """
        if model is not None and (agent is not None or agent_config is not None):
            raise ValueError("pass model or agent (with agent_config), not both")
        if generation_config is not None and (agent is not None or agent_config is not None):
            raise ValueError("generation_config is for models; agents take agent_config")
        if model is None and agent is None:
            raise ValueError("model or agent is required")
        unknown = sorted(set(fields) - _OTHER_CREATE_FIELDS)
        if unknown:
            raise TypeError(
                f"create() got unexpected keyword argument(s) {', '.join(unknown)}; "
                "send fields this version does not know with extra_body="
            )
        body = {
            "model": model,
            "agent": agent,
            "input": t_interaction_input(input),
            "stream": stream,
            "background": background,
            "system_instruction": system_instruction,
            "generation_config": generation_config,
            "agent_config": agent_config,
            "previous_interaction_id": previous_interaction_id,
            "tools": tools,
            "response_format": response_format,
            "response_mime_type": response_mime_type,
            "response_modalities": response_modalities,
            "store": store,
            **fields,
        }
        body = {k: _plain(v) for k, v in body.items() if v is not None}
        options = Overrides(api_version, extra_headers, None, extra_body, timeout).options()
        call = self._rest(
            "POST",
            "interactions",
            query=dict(extra_query) if extra_query else None,
            body=body,
            headers=_SSE if stream else None,
            options=options,
            idempotent=False,
        )
        if stream:
            return await self._events(call)
        return Interaction.from_wire((await self._request(call)).data)

    async def get(
        self,
        id: str,
        *,
        include_input: bool | None = None,
        last_event_id: str | None = None,
        stream: bool = False,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Interaction | ResponseStream[InteractionSSEEvent]:
        """An interaction as it is now; with `stream=True`, its events (after `last_event_id`).

        Cancellation: cancelling the caller cancels the request.
        """
        query = {
            "include_input": _flag(include_input),
            "last_event_id": last_event_id,
            "stream": _flag(stream),
            **(extra_query or {}),
        }
        options = Overrides(api_version, extra_headers, None, None, timeout).options()
        call = self._rest(
            "GET",
            f"interactions/{_id(id)}",
            query={k: v for k, v in query.items() if v is not None},
            headers=_SSE if stream else None,
            options=options,
        )
        if stream:
            return await self._events(call)
        return Interaction.from_wire((await self._request(call)).data)

    async def cancel(
        self,
        id: str,
        *,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Interaction:
        """Cancel an interaction running in the background; the interaction as cancelled.

        Cancellation: cancelling the caller cancels the request; the cancel may still land.
        """
        options = Overrides(api_version, extra_headers, None, None, timeout).options()
        query = dict(extra_query) if extra_query else None
        call = self._rest("POST", f"interactions/{_id(id)}/cancel", query=query, options=options)
        return Interaction.from_wire((await self._request(call)).data)

    async def delete(
        self,
        id: str,
        *,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> None:
        """Delete an interaction.

        Cancellation: cancelling the caller cancels the request; the deletion may still land.
        """
        options = Overrides(api_version, extra_headers, None, None, timeout).options()
        query = dict(extra_query) if extra_query else None
        await self._request(
            self._rest("DELETE", f"interactions/{_id(id)}", query=query, options=options)
        )

    def connect(
        self,
        id: str,
        *,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> InteractionConnectionContext:
        """A websocket to a live interaction: `async with connect(id) as conn`, then
        `conn.send`, `conn.receive()`, `conn.complete()`/`cancel()`; leaving the block early
        detaches and the interaction lives on (see `genaio.api._interaction_socket`).

        Cancellation: opening is cancellation-safe (a half-open socket is closed); so is
        leaving the block (the detach is shielded and bounded).
        """
        options = Overrides(api_version, extra_headers, None, None, None).options()
        return InteractionConnectionContext(self._backend, id, options, timeout)

    async def _events(self, call: RestCall) -> ResponseStream[InteractionSSEEvent]:
        return await self._stream(call, InteractionSSEEvent.from_wire)


def _id(value: str) -> str:
    if not value or "/" in value or "?" in value:
        raise ValueError(f"invalid interaction id {value!r}")
    return value


def _flag(value: bool | None) -> str | None:
    """Booleans in the query as the Interactions API's client spells them."""
    return None if value is None else str(value).lower()


def _plain(value: Any) -> Any:
    """A body field as JSON: pydantic models dumped with their Python (snake_case) names."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
