"""`client.aio.agents`: managed agents (experimental in the API): a base agent with your
instructions and tools, run by the Interactions API as `agent=` (see docs/agents.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genaio.api._managed import ManagedCollection, Overrides
from genaio.types import Agent, AgentListResponse, Empty

__all__ = ["AsyncAgents"]


class AsyncAgents(ManagedCollection[Agent, Empty]):
    """Create, read, list and delete agents."""

    family = "agents"
    collection = "agents"
    _item_type = Agent
    _deleted_type = Empty

    async def create(
        self,
        *,
        api_version: str | None = None,
        agent_config: Any = None,
        base_agent: str | None = None,
        base_environment: Any = None,
        description: str | None = None,
        id: str | None = None,
        system_instruction: str | None = None,
        tools: Iterable[Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Agent:
        """Create an agent (with `id`, or the server names it).

        Cancellation: cancelling the caller cancels the request; the agent may exist anyway.
        """
        body = {
            "agent_config": agent_config,
            "base_agent": base_agent,
            "base_environment": base_environment,
            "description": description,
            "id": id,
            "system_instruction": system_instruction,
            "tools": tools,
        }
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "agents", Agent, overrides, body=body)

    async def list(
        self,
        *,
        api_version: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        parent: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> AgentListResponse:
        """One page of agents; pass its `next_page_token` as `page_token` for the next.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {"page_size": page_size, "page_token": page_token, "parent": parent}
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("GET", "agents", AgentListResponse, overrides, query=query)
