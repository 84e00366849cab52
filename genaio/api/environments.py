"""`client.aio.environments`: the sandboxes agents run in (experimental in the API): on
demand, or self-hosted, with their sources and network policy (see docs/environments.md).

As in the official client, each method also goes by its long name (`create_environment`...).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from genaio.api._managed import ManagedCollection, Overrides
from genaio.types import Empty, ListEnvironmentsResponse, ManagedEnvironment

__all__ = ["AsyncEnvironments"]


class AsyncEnvironments(ManagedCollection[ManagedEnvironment, Empty]):
    """Create, read, list and delete environments."""

    family = "environments"
    collection = "environments"
    _item_type = ManagedEnvironment
    _deleted_type = Empty

    async def create(
        self,
        *,
        api_version: str | None = None,
        custom_config: Mapping[str, Any] | None = None,
        from_environment: str | None = None,
        mode: str | None = None,
        network: Any = None,
        sources: Iterable[Any] | None = None,
        system_instruction: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> ManagedEnvironment:
        """Create an environment (`mode`: `on_demand` or `self_hosted`), or copy one
        (`from_environment`).

        Cancellation: cancelling the caller cancels the request; the environment may exist.
        """
        body = {
            "custom_config": custom_config,
            "from_environment": from_environment,
            "mode": mode,
            "network": network,
            "sources": sources,
            "system_instruction": system_instruction,
        }
        overrides = Overrides(api_version, extra_headers, extra_query, extra_body, timeout)
        return await self._call("POST", "environments", ManagedEnvironment, overrides, body=body)

    async def list(
        self,
        *,
        api_version: str | None = None,
        mode: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - the official signature; one cancel scope
    ) -> ListEnvironmentsResponse:
        """One page of environments (of one `mode`, if given); pass its `next_page_token` as
        `page_token` for the next.

        Cancellation: cancelling the caller cancels the request.
        """
        query = {"mode": mode, "page_size": page_size, "page_token": page_token}
        overrides = Overrides(api_version, extra_headers, extra_query, None, timeout)
        return await self._call(
            "GET", "environments", ListEnvironmentsResponse, overrides, query=query
        )

    create_environment = create
    list_environments = list
    get_environment = ManagedCollection.get
    delete_environment = ManagedCollection.delete
