"""`client.aio.decisions`: a model answers named questions about an input, each a choice, a
score or a yes/no probability, with its confidence (see docs/decisions.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genaio.api._managed import ManagedResource, Overrides
from genaio.types import CreateDecisionResponse

__all__ = ["AsyncDecisions"]


class AsyncDecisions(ManagedResource):
    """Decisions are made, not kept: `create` is the one method."""

    family = "decisions"

    async def create(
        self,
        *,
        input: Any,
        model: str,
        questions: Mapping[str, Any],
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> CreateDecisionResponse:
        """Ask `model` the `questions` (by name) about `input` (text or content items).

        Cancellation: cancelling the caller cancels the request.
        """
        body = {"input": input, "model": model, "questions": questions}
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "decisions", CreateDecisionResponse, overrides, body=body)
