"""Managed agents (`client.aio.agents`) and the environments they run in
(`client.aio.environments`): experimental in the API."""

from __future__ import annotations

from typing import Any

from genaio.types._managed_base import Empty, SnakeModel

__all__ = [
    "Agent",
    "AgentDeleteResponse",
    "AgentListResponse",
    "EnvironmentDeleteResponse",
    "ListEnvironmentsResponse",
    "ManagedEnvironment",
]


class Agent(SnakeModel):
    """An agent: a base agent, instructions and tools, run in a base environment. Tools and
    configs come in many kinds; they are kept as the records the server sends."""

    id: str | None = None
    description: str | None = None
    base_agent: str | None = None
    system_instruction: str | None = None
    tools: list[dict[str, Any]] | None = None
    base_environment: dict[str, Any] | None = None
    agent_config: dict[str, Any] | None = None


class AgentListResponse(SnakeModel):
    agents: list[Agent] | None = None
    next_page_token: str | None = None


class ManagedEnvironment(SnakeModel):
    """An environment an agent runs in (the SDK's `google.genai.environments.Environment`;
    `genaio.types.Environment` is the computer-use enum, as in the SDK's `types`)."""

    id: str | None = None
    mode: str | None = None  # on_demand | self_hosted
    status: str | None = None  # active | expired
    created: str | None = None
    updated: str | None = None
    last_accessed: str | None = None
    environment_key: str | None = None
    file_count: int | None = None
    size_bytes: int | None = None
    custom_config: dict[str, Any] | None = None
    network: Any = None
    sources: list[dict[str, Any]] | None = None


class ListEnvironmentsResponse(SnakeModel):
    environments: list[ManagedEnvironment] | None = None
    next_page_token: str | None = None


AgentDeleteResponse = Empty
EnvironmentDeleteResponse = Empty
