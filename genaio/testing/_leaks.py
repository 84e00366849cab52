"""Leak assertions: what a client holds after a call ends, compared with a baseline.

A call that was cancelled, timed out or failed must leave nothing behind: no task, no thread,
no socket to the server, no open memory channel and, for a genaio client, no envelope queued
or in flight in any actor and no pool connection busy or waited for. Take a `Snapshot` once
the client is warm, then call `assert_no_leaks` after each call under test.

Tasks, threads and sockets are counted from outside (the event loop, `threading`, `/proc`), so
the checks work on any client: genaio's, google-genai's, or code of your own that uses them.

The pool is read through `pool_counts`, which knows genaio's own pool (anything with a
`statistics()` that has `open`, `idle`, `busy` and `waiting`) and falls back to httpx's;
that is the one place these internals are touched, so that the checks outlive a new transport.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

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


@attrs.frozen
class Snapshot:
    """What is alive when the client is at rest: the tasks, threads, channels and sockets (to
    `port`, when given) that may stay."""

    tasks: frozenset[object]
    channels: frozenset[int]
    threads: frozenset[int] = frozenset()
    port: int | None = None
    sockets: int | None = None


# Threads that event loops keep for blocking work (DNS lookups, files) and reuse: not leaks.
_POOL_THREADS = ("asyncio_", "Trio thread", "ThreadPoolExecutor-")


def _threads() -> frozenset[int]:
    return frozenset(
        t.ident for t in threading.enumerate() if t.ident and not t.name.startswith(_POOL_THREADS)
    )


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


def pool_counts(client: AsyncClient | object) -> PoolCounts | None:
    """A genaio client's connection pool now, or None if no tree runs, the pool is unknown or
    the client is not genaio's."""
    runtime = getattr(client, "_runtime", None)
    connection = runtime.current() if runtime is not None else None
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


async def snapshot(
    client: AsyncClient | object = None, *, channels: bool = True, port: int | None = None
) -> Snapshot:
    """The baseline: take it once the client is warm (a first call made) and nothing is in
    flight. `port`: the server's, to count the sockets open to it (e.g. `emulator.port`).

    Cancellation: a plain checkpoint.
    """
    await anyio.wait_all_tasks_blocked()
    return Snapshot(
        frozenset(live_tasks()),
        frozenset(open_channels() if channels else ()),
        _threads(),
        port,
        open_sockets(port) if port is not None else None,
    )


async def assert_no_leaks(
    client: AsyncClient | object, baseline: Snapshot, *, channels: bool = False
) -> None:
    """Let cancellations land, then check that the client is back at rest.

    Raises `LeakError` naming what is left: tasks and threads beyond the baseline, more
    sockets to the baseline's `port` than it had, and (with `channels=True`, which scans the
    heap) memory channels left open. For a genaio client also envelopes queued or in flight in
    any actor and pool connections busy or waited for; an actor's workers are not leaks:
    started as calls need them, they stay (at most its `concurrency`) for the next calls.
    Threads that event loops keep for blocking work (asyncio's executor, trio's thread cache)
    are not counted.

    Cancellation: a plain checkpoint.
    """
    await anyio.wait_all_tasks_blocked()
    problems = []
    statistics = getattr(client, "statistics", None)  # a genaio client's introspection
    families = ((statistics() if callable(statistics) else None) or {}).get("families", {})
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
    threads = _threads() - baseline.threads
    if threads:
        names = sorted(t.name for t in threading.enumerate() if t.ident in threads)
        problems.append(f"threads left: {names}")
    if baseline.port is not None and baseline.sockets is not None:
        sockets = open_sockets(baseline.port)
        if sockets is not None and sockets > baseline.sockets:
            problems.append(f"sockets to port {baseline.port}: {sockets} (was {baseline.sockets})")
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
