"""Leak assertions: what a client holds after a call ends, compared with a baseline.

A call that was cancelled, timed out or failed must leave nothing behind: no task, no open
memory channel, no envelope queued or in flight in any actor, no pool connection busy or
waited for. Take a `Snapshot` once the client is warm (its actor tree started), then call
`assert_no_leaks` after each call under test.

The pool is read through `pool_counts`, which knows genaio's own pool (anything with a
`statistics()` that has `open`, `idle`, `busy` and `waiting`) and falls back to httpx's;
that is the one place these internals are touched, so that the checks outlive a new transport.
"""

from __future__ import annotations

import gc
import os
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import anyio
import attrs
import sniffio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from genaio.actors._actor import worker_name

if TYPE_CHECKING:
    from genaio.api import AsyncClient

__all__ = [
    "LeakError",
    "PoolCounts",
    "Snapshot",
    "assert_no_leaks",
    "live_tasks",
    "open_channels",
    "open_sockets",
    "pool_counts",
    "snapshot",
]


class LeakError(AssertionError):
    """Something outlived the call that owned it."""


@attrs.frozen
class PoolCounts:
    """Connections open (idle or busy) and requests waiting for one."""

    open: int
    idle: int
    busy: int
    waiting: int


class _CountingPool(Protocol):
    def statistics(self) -> Any: ...


@attrs.frozen
class Snapshot:
    """What is alive when the client is at rest: the tasks and channels that may stay."""

    tasks: frozenset[object]
    channels: frozenset[int]


def live_tasks() -> set[object]:
    """Every task of the running event loop (trio's whole task tree, or asyncio's tasks)."""
    if sniffio.current_async_library() == "trio":
        import trio

        return set(_walk(trio.lowlevel.current_root_task()))
    import asyncio

    return set(asyncio.all_tasks())


def _walk(task: Any) -> Iterator[Any]:
    if task is None:
        return
    yield task
    for nursery in task.child_nurseries:
        for child in nursery.child_tasks:
            yield from _walk(child)


def open_channels() -> set[int]:
    """The ids of the memory object streams (anyio's) alive and not closed.

    It collects garbage first and scans the heap: call it once per check, not per step.
    """
    gc.collect()
    kinds = (MemoryObjectSendStream, MemoryObjectReceiveStream)
    # By type, not isinstance: isinstance asks a dead weak proxy for its class, and raises.
    return {id(o) for o in gc.get_objects() if issubclass(type(o), kinds) and not o._closed}


def pool_counts(client: AsyncClient) -> PoolCounts | None:
    """The client's connection pool now, or None if no tree runs or the pool is unknown."""
    connection = client._runtime.current()
    if connection is None:
        return None
    inner = getattr(connection.transport.client, "_transport", None)
    if callable(getattr(inner, "statistics", None)):
        stats = inner.statistics()  # type: ignore[union-attr]
        return PoolCounts(stats.open, stats.idle, stats.busy, stats.waiting)
    pool = getattr(inner, "_pool", None)  # httpx's transport: an httpcore pool
    if pool is None:
        return None
    connections = [c for c in pool.connections if not c.is_closed()]
    idle = sum(1 for c in connections if c.is_idle())
    waiting = sum(1 for r in getattr(pool, "_requests", ()) if r.is_queued())
    return PoolCounts(len(connections), idle, len(connections) - idle, waiting)


def open_sockets(port: int) -> int | None:
    """Sockets this process holds open to `port` (on any host), or None off Linux.

    Read from `/proc`: it counts what the kernel sees, whatever pool or library opened them.
    """
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return None
    inodes = set()
    for fd in fds:
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[9] in inodes:
                count += 1
    return count


async def snapshot(client: AsyncClient, *, channels: bool = True) -> Snapshot:
    """The baseline: take it once the client's tree runs and nothing is in flight."""
    await anyio.wait_all_tasks_blocked()
    return Snapshot(frozenset(live_tasks()), frozenset(open_channels() if channels else ()))


async def assert_no_leaks(
    client: AsyncClient, baseline: Snapshot, *, channels: bool = False
) -> None:
    """Let cancellations land, then check that the client is back at rest.

    Raises `LeakError` naming what is left: tasks beyond the baseline, envelopes queued or in
    flight in any actor, pool connections busy or waited for, and (with `channels=True`, which
    scans the heap) memory channels left open. An actor's workers are not leaks: started as
    calls need them, they stay (at most its `concurrency`) for the next calls, and one that
    did not finish its work shows as in flight.
    """
    await anyio.wait_all_tasks_blocked()
    problems = []
    families = (client.statistics() or {}).get("families", {})
    live = live_tasks()
    # As many tasks by an actor's worker name as it has workers, counting those in the baseline.
    workers = Counter({worker_name(name): actor.workers for name, actor in families.items()})
    workers.subtract(_name(t) for t in live & baseline.tasks)
    extra = [t for t in live - baseline.tasks if not _spend(workers, _name(t))]
    if extra:
        problems.append(f"tasks left: {sorted(_name(t) for t in extra)}")
    for name, actor in families.items():
        if actor.queued or actor.in_flight:
            problems.append(f"{name}: queued={actor.queued} in_flight={actor.in_flight}")
    pool = pool_counts(client)
    if pool is not None and (pool.busy or pool.waiting):
        problems.append(f"pool: {pool}")
    if channels:
        left = open_channels() - baseline.channels
        if left:
            problems.append(f"{len(left)} memory channels left open")
    if problems:
        raise LeakError("; ".join(problems))


def _spend(allowance: Counter[str], name: str) -> bool:
    if allowance[name] <= 0:
        return False
    allowance[name] -= 1
    return True


def _name(task: Any) -> str:
    get_name = getattr(task, "get_name", None)  # asyncio's tasks
    return get_name() if callable(get_name) else str(getattr(task, "name", task))
