"""The root of a client's actor tree: owner of the transport (and so the pool) and the family
actors.

Everything a client runs lives in the task group opened here: the supervised family actors,
their workers, and the tree's own background work (a shared quota's pause publishes, one-off
preparations done while the loop is idle).
`aclose()` stops intake everywhere, lets in-flight work finish within the grace period, cancels
what is left, fails every waiting caller with `ClientClosedError`, and closes the pool; it is
shielded and bounded, idempotent, and safe to call from any task.
"""

from __future__ import annotations

import functools
import random
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, Protocol

import anyio

from genaio._log import get_logger
from genaio.actors._family import FamilyActor
from genaio.actors._idle import wait_idle
from genaio.actors._limits import Limits
from genaio.actors._supervisor import RestartBudget, supervise
from genaio.actors.models import ModelsActor
from genaio.engine import Auth, EngineConfig, HttpTransport, Throttle
from genaio.engine._redis_quota import Spawn
from genaio.errors import ClientClosedError

__all__ = ["ActorTree", "open_actor_tree"]

log = get_logger("genaio.tree")

#: How long closing the pool may take once every worker has stopped.
_POOL_CLOSE_TIMEOUT = 5.0

#: Makes a family actor from the tree's transport and limits, and the tree's `start_soon` (for
#: the background work it may own).
FamilyFactory = Callable[[HttpTransport, Limits, Spawn], FamilyActor]


def _family(name: str) -> FamilyFactory:
    return lambda transport, limits, spawn: FamilyActor(name, transport, limits.family(name))


#: The family actors every client runs, by the attribute name of their facade. Each has its own
#: mailbox, workers and limits, so that (say) a flood of uploads never delays generate_content.
FAMILIES: dict[str, FamilyFactory] = {
    "models": lambda transport, limits, spawn: ModelsActor(
        transport,
        limits.family("models"),
        limits.model_rates,
        limits.batching,
        limits.quota,
        spawn=spawn,
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


class OpenSession(Protocol):
    """A websocket session the tree closes with itself: `reason` is what its callers get."""

    async def aclose(self, reason: BaseException | None = None) -> None: ...


class ActorTree:
    """A running tree: its family actors, its transport, and the task group they run in."""

    def __init__(self, transport: HttpTransport, limits: Limits) -> None:
        self.transport = transport
        self.limits = limits
        self.families = {
            name: make(transport, limits, self.start_soon) for name, make in FAMILIES.items()
        }
        self._scopes: dict[str, anyio.CancelScope] = {}
        self._exited: dict[str, anyio.Event] = {name: anyio.Event() for name in self.families}
        self._closing = False
        self._closed = anyio.Event()
        self._group: anyio.abc.TaskGroup | None = None  # set once the tree runs
        # Websocket sessions (Live, music, live interactions) run in their callers' tasks,
        # outside this tree; each registers here while it is open so that `aclose` closes it.
        self.live_sessions: set[OpenSession] = set()
        self._prepared: set[Callable[[], object]] = set()

    def family(self, name: str) -> FamilyActor:
        return self.families[name]

    @property
    def closing(self) -> bool:
        """Whether `aclose` has begun: the tree takes no more calls."""
        return self._closing

    @property
    def closed(self) -> bool:
        """Whether `aclose` has finished: every actor stopped, the pool closed."""
        return self._closed.is_set()

    def quota(self, model: str) -> Throttle | None:
        """The throttle of `model`'s quota (its statistics, its rate limiter), if a call to the
        model has made one; reads only."""
        return self.families["models"].quota(model)

    def start_soon(
        self, work: Callable[[], Coroutine[Any, Any, None]], name: str | None = None
    ) -> None:
        """Run `work` in the tree's task group, cancelled when the tree ends (owned background
        work, such as a shared quota's pause publish). Dropped if the tree is not running."""
        if self._group is not None and not self._closing:
            self._group.start_soon(work, name=name)

    def prepare(self, work: Callable[[], object]) -> None:
        """Run `work` once (the same callable again is a no-op), in the tree's task group when
        the loop is next idle (`wait_idle`): first-use work (a response class's validator) that
        would otherwise be done by the first answer, in the way of every answer behind it.

        If `work` fails, the error is left for the first use to meet in its caller's context.
        """
        if work not in self._prepared:
            self._prepared.add(work)
            self.start_soon(functools.partial(_when_idle, work), name="genaio prepare")

    async def serve_family(
        self, name: str, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Run one supervised family actor until `aclose` stops it."""
        family = self.families[name]
        budget = RestartBudget(self.limits.max_restarts, self.limits.restart_window)
        try:
            with anyio.CancelScope() as self._scopes[name]:
                await supervise(family, budget, task_status=task_status)
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
                family.close()
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
                family.fail_held(closed)
            with anyio.move_on_after(_POOL_CLOSE_TIMEOUT):
                for family in self.families.values():  # a shared quota's connections
                    await family.aclose_throttles()
                await self.transport.aclose()
            self._closed.set()
            log.debug("client closed", retries=self.transport.retries)

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def statistics(self) -> dict[str, Any]:
        """Each family actor's snapshot, the transport's retries and the pool's; reads only."""
        return {
            "families": {name: f.statistics() for name, f in self.families.items()},
            "retries": self.transport.retries,
            "pool": self.transport.pool_statistics(),
            "closed": self._closing,
        }

    def __repr__(self) -> str:
        state = "closed" if self.closed else "closing" if self._closing else "running"
        families = " ".join(
            f"{name}={f.statistics().in_flight}" for name, f in self.families.items()
        )
        return f"<ActorTree {state} in_flight: {families} retries={self.transport.retries}>"


async def _when_idle(work: Callable[[], object]) -> None:
    await wait_idle()
    try:
        work()
    except Exception:  # the first use does it again and raises it to its caller
        log.debug("preparation failed", work=repr(work), exc_info=True)


@asynccontextmanager
async def open_actor_tree(
    config: EngineConfig, auth: Auth, limits: Limits, *, rng: random.Random | None = None
) -> AsyncIterator[ActorTree]:
    """Start a client's actor tree in the current task; yield it once every actor is ready."""
    pool_size = sum(limits.family(name).concurrency for name in FAMILIES)
    tree = ActorTree(HttpTransport(config, auth, pool_size=pool_size, rng=rng), limits)
    try:
        async with anyio.create_task_group() as group:
            for name in tree.families:
                await group.start(tree.serve_family, name)
            tree._group = group
            try:
                yield tree
            finally:
                await tree.aclose()
                group.cancel_scope.cancel()  # owned background work ends with the tree
    finally:
        await tree.aclose()  # a no-op unless starting failed half-way
