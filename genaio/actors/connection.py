"""The connection actor: the root of a client's tree, owner of the pool and the family actors.

Everything a client runs lives in the task group opened here: the supervised family actors and
their workers. `aclose()` stops intake everywhere, lets in-flight work finish within the grace
period, cancels what is left, fails every waiting caller with `ClientClosedError`, and closes the
pool; it is shielded and bounded, idempotent, and safe to call from any task.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio

from genaio._log import get_logger
from genaio.actors._family import FamilyActor
from genaio.actors._limits import Limits
from genaio.actors._supervisor import RestartBudget, supervise
from genaio.actors.live import LiveSessionActor
from genaio.actors.models import ModelsActor
from genaio.engine import Auth, EngineConfig, HttpTransport
from genaio.errors import ClientClosedError

__all__ = ["Connection", "open_connection_actor"]

log = get_logger("genaio.connection")

#: How long closing the pool may take once every worker has stopped.
_POOL_CLOSE_TIMEOUT = 5.0

FamilyFactory = Callable[[HttpTransport, Limits], FamilyActor]


def _family(name: str) -> FamilyFactory:
    return lambda transport, limits: FamilyActor(name, transport, limits.family(name))


#: The family actors every client runs, by the attribute name of their facade. Each has its own
#: mailbox, workers and limits, so that (say) a flood of uploads never delays generate_content.
FAMILIES: dict[str, FamilyFactory] = {
    "models": lambda transport, limits: ModelsActor(
        transport, limits.family("models"), limits.model_rates, limits.batching, limits.quota
    ),
    **{
        name: _family(name)
        for name in (
            "files",
            "caches",
            "batches",
            "tunings",
            "operations",
            "file_search_stores",
            "auth_tokens",
            "interactions",
            "agents",
            "credentials",
            "decisions",
            "environments",
            "triggers",
            "voices",
            "webhooks",
        )
    },
}


class Connection:
    """A running tree: its family actors and its transport."""

    def __init__(self, transport: HttpTransport, limits: Limits) -> None:
        self.transport = transport
        self.limits = limits
        self.families = {name: make(transport, limits) for name, make in FAMILIES.items()}
        self._scopes: dict[str, anyio.CancelScope] = {}
        self._exited: dict[str, anyio.Event] = {name: anyio.Event() for name in self.families}
        self._closing = False
        self._closed = anyio.Event()
        # Live sessions run in their callers' `async with` task groups, outside this tree; each
        # registers here while it is open so that `aclose` closes it too (`api/live.py`).
        self.live_sessions: set[LiveSessionActor[Any]] = set()  # Live and music sessions

    def family(self, name: str) -> FamilyActor:
        return self.families[name]

    @property
    def closed(self) -> bool:
        return self._closing

    async def serve_family(
        self, name: str, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Run one supervised family actor until `aclose` stops it."""
        family = self.families[name]
        budget = RestartBudget(self.limits.max_restarts, self.limits.restart_window)
        try:
            with anyio.CancelScope() as self._scopes[name]:
                await supervise(family.actor, budget, task_status=task_status)
        finally:
            self._exited[name].set()

    async def aclose(self) -> None:
        """Close gracefully, then forcefully; bounded, and a no-op the second time."""
        if self._closing:
            return
        self._closing = True
        with anyio.CancelScope(shield=True):
            for session in list(self.live_sessions):  # each close is shielded and bounded
                await session.aclose(ClientClosedError("the client was closed; so is its session"))
            for family in self.families.values():
                family.actor.close()
            with anyio.move_on_after(self.limits.shutdown_grace):
                for name in self._scopes:  # an actor exits once its workers are done
                    await self._exited[name].wait()
            for scope in self._scopes.values():
                scope.cancel()
            # Cancelled work ends at its next checkpoint; only a shielded cleanup (a stream's
            # bounded close) can hold it, and not past this.
            with anyio.move_on_after(_POOL_CLOSE_TIMEOUT):
                for name in self._scopes:
                    await self._exited[name].wait()
            closed = ClientClosedError("the client was closed while this call was in flight")
            for family in self.families.values():
                family.actor.fail_held(closed)
            with anyio.move_on_after(_POOL_CLOSE_TIMEOUT):
                for family in self.families.values():  # a shared quota's connections
                    await family.aclose_throttles()
                await self.transport.aclose()
            self._closed.set()
            log.debug("client closed", retries=self.transport.retries)

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def statistics(self) -> dict[str, Any]:
        return {
            "families": {name: f.statistics() for name, f in self.families.items()},
            "retries": self.transport.retries,
            "pool": self.transport.pool_statistics(),
            "closed": self._closing,
        }


@asynccontextmanager
async def open_connection_actor(
    config: EngineConfig, auth: Auth, limits: Limits, *, rng: random.Random | None = None
) -> AsyncIterator[Connection]:
    """Start a client's actor tree in the current task; yield it once every actor is ready."""
    pool_size = sum(limits.family(name).concurrency for name in FAMILIES)
    connection = Connection(HttpTransport(config, auth, pool_size=pool_size, rng=rng), limits)
    try:
        async with anyio.create_task_group() as tree:
            for name in connection.families:
                await tree.start(connection.serve_family, name)
            try:
                yield connection
            finally:
                await connection.aclose()
    finally:
        await connection.aclose()  # a no-op unless starting failed half-way
