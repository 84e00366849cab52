"""`client.aio.triggers`: an agent interaction run on a cron schedule (experimental in the
API); `run` starts one now, `list_executions` shows the runs (see docs/triggers.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from genaio.api._managed import ManagedCollection, Overrides, resource_id
from genaio.types import (
    Empty,
    ListTriggerExecutionsResponse,
    ListTriggersResponse,
    Trigger,
    TriggerExecution,
)

__all__ = ["AsyncTriggers"]


class AsyncTriggers(ManagedCollection[Trigger, Empty]):
    """Create, read, update, list, delete and run triggers."""

    family = "triggers"
    collection = "triggers"
    _item_type = Trigger
    _deleted_type = Empty

    async def create(
        self,
        *,
        interaction: Mapping[str, Any] | Any,
        schedule: str,
        time_zone: str,
        api_version: str | None = None,
        display_name: str | None = None,
        environment_id: str | None = None,
        execution_timeout_seconds: int | None = None,
        max_consecutive_failures: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Trigger:
        """Run `interaction` (an agent interaction's create fields) on `schedule` (cron
        syntax) in `time_zone`.

        Cancellation: cancelling the caller cancels the request; the trigger may exist.
        """
        body = {
            "interaction": interaction,
            "schedule": schedule,
            "time_zone": time_zone,
            "display_name": display_name,
            "environment_id": environment_id,
            "execution_timeout_seconds": execution_timeout_seconds,
            "max_consecutive_failures": max_consecutive_failures,
        }
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "triggers", Trigger, overrides, body=body)

    async def update(
        self,
        id: str,
        *,
        api_version: str | None = None,
        display_name: str | None = None,
        status: Literal["active", "paused", "error"] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> Trigger:
        """Rename a trigger, or pause (`status="paused"`) and resume (`"active"`) it.

        Cancellation: cancelling the caller cancels the request; the update may still land.
        """
        body = {"display_name": display_name, "status": status}
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("PATCH", self._item_path(id), Trigger, overrides, body=body)

    async def list(
        self,
        *,
        api_version: str | None = None,
        filter_: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> ListTriggersResponse:
        """One page of triggers (`filter_` is sent as `filter`); pass its `next_page_token`
        as `page_token` for the next.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {"filter": filter_, "page_size": page_size, "page_token": page_token}
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("GET", "triggers", ListTriggersResponse, overrides, query=query)

    async def run(
        self,
        trigger_id: str,
        *,
        api_version: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> TriggerExecution:
        """Run a trigger now, outside its schedule; the execution it started.

        Cancellation: cancelling the caller cancels the request; the run may have started.
        """
        path = self._executions(trigger_id)
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call("POST", path, TriggerExecution, overrides)

    async def list_executions(
        self,
        trigger_id: str,
        *,
        api_version: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> ListTriggerExecutionsResponse:
        """One page of a trigger's runs, newest first.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {"page_size": page_size, "page_token": page_token}
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call(
            "GET",
            self._executions(trigger_id),
            ListTriggerExecutionsResponse,
            overrides,
            query=query,
        )

    def _executions(self, trigger_id: str) -> str:
        return f"triggers/{resource_id(trigger_id, 'trigger id')}/executions"
