"""One shard of `genaio embed --ray`, on a Ray worker: take the shard's lease, run the job on
its span, publish its part through the fence (see `_ray` for the whole)."""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import resource
import shutil
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs
import trio

from genaio.embedjob._args import JobSpec
from genaio.embedjob._job import run_job
from genaio.embedjob._lease import Lease, Leases, Outcome
from genaio.embedjob._manifest import Manifest, manifest_path
from genaio.embedjob._parquet import convert
from genaio.embedjob._progress import Counts, EngineCounts

__all__ = ["LEASE_SECONDS", "ShardResult", "ShardTask", "fsync", "publish", "run_shard"]

#: Seconds a shard's lease lasts unless renewed (a third of it between renewals): how long a
#: shard whose worker died waits before another task may take it.
LEASE_SECONDS = 30.0
_MESSAGES = 4000  # characters of a shard's messages handed back to the driver
_SKIPPED = 3  # the job's exit status: finished, with records skipped
_T = TypeVar("_T")

State = Literal["published", "finished", "held", "refused", "ran"]


@attrs.frozen
class ShardTask:
    """What one Ray task needs: the job (with its span and journal), where its part goes."""

    spec: JobSpec  # the shard's job: `span` set, `output` its journal
    part: Path
    shard: int
    job: str  # the job's id (from the plan): names its leases in Redis
    manifest: Manifest
    env: dict[str, str]  # the client's key and base URL, as the driver has them
    lease_seconds: float = LEASE_SECONDS


@attrs.frozen
class ShardResult:
    shard: int
    state: State  # published now, found finished, held by another, refused by the fence, ran
    status: int = 0  # the job's exit status (`ran`: not finished, so not published)
    retry_after: float = 0.0  # `held`: seconds the other's lease has left
    counts: Counts | None = None
    engine: EngineCounts = attrs.Factory(EngineCounts)
    messages: str = ""
    peak_rss: int = 0  # bytes: the worker process's peak resident memory so far


def run_shard(task: ShardTask, tally: Any = None) -> ShardResult:
    """Run one shard to a published part, or say why not; `tally` (a `_Tally` actor) is fed
    the shard's counts while it runs."""
    os.environ.update(task.env)
    if task.part.exists():
        return ShardResult(task.shard, "finished")
    outcome = _redis(task, lambda leases: leases.acquire(task.shard))
    if outcome.kind == "done":
        if _recover(task, outcome.value):
            return ShardResult(task.shard, "finished")
        outcome = _redis(task, lambda leases: _reopen(leases, task.shard, outcome.value))
    if outcome.kind != "ok":
        return ShardResult(task.shard, "held", retry_after=outcome.value / 1000)
    lease = Lease(task.shard, outcome.value)
    if _journal_busy(task.spec.output):  # a task whose lease lapsed still runs: let it end
        _redis(task, lambda leases: leases.release(lease))
        return ShardResult(task.shard, "held", retry_after=task.lease_seconds)
    messages = io.StringIO()
    last: list[tuple[Counts, EngineCounts]] = []

    def watch(counts: Counts, engine: EngineCounts) -> None:
        last[:] = [(attrs.evolve(counts), engine)]
        if tally is not None:
            tally.update.remote(task.shard, *last[0])

    with _kept(task, lease):
        status = run_job(task.spec, out=io.StringIO(), err=messages, watch=watch)
    counts, engine = last[0] if last else (None, EngineCounts())
    text = messages.getvalue()[-_MESSAGES:]
    state: State = "ran"
    if status not in (0, _SKIPPED):
        _redis(task, lambda leases: leases.release(lease))
    else:
        state = "published" if publish(task, lease) else "refused"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    return ShardResult(task.shard, state, status, 0.0, counts, engine, text, rss)


def _journal_busy(journal: Path) -> bool:
    """Whether another process holds the journal's lock (`Journal.open` takes it)."""
    if not journal.exists():
        return False
    with journal.open("ab") as file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False


def publish(task: ShardTask, lease: Lease) -> bool:
    """Stage the shard's journal as its part, and put it in place if the fence allows;
    False: refused (the lease lapsed and another task owns the shard, or it is published)."""
    journal = task.spec.output
    journal.touch()  # a shard whose every record was skipped has an empty part
    staged = _staged(task.part, lease.token)
    if task.part.suffix == ".parquet":
        snapshot = journal.with_name(f"{journal.name}.{lease.token}")
        snapshot.unlink(missing_ok=True)
        os.link(journal, snapshot)  # `convert` deletes what it converts: not the journal
        convert(snapshot, staged, task.manifest)
    else:
        shutil.copyfile(journal, staged)
        fsync(staged)
    if not _redis(task, lambda leases: leases.finish(lease)):
        staged.unlink()
        return False
    _put_in_place(staged, task.part)
    for path in (journal, manifest_path(journal)):
        path.unlink(missing_ok=True)
    return True


def _staged(part: Path, token: int) -> Path:
    return part.with_name(f"{part.name}.{token}.staged")


def _put_in_place(staged: Path, part: Path) -> None:
    with contextlib.suppress(FileExistsError):  # put there before a crash: the same file
        os.link(staged, part)
    fsync(part.parent)
    staged.unlink()


def _recover(task: ShardTask, token: int) -> bool:
    """A shard Redis says is published: True if its part is (or now is) in place; False if
    it was lost before it was (the task that published it died between the two steps)."""
    staged = _staged(task.part, token)
    if staged.exists():
        _put_in_place(staged, task.part)
    return task.part.exists()


async def _reopen(leases: Leases, shard: int, token: int) -> Outcome:
    await leases.reopen(shard, token)
    return await leases.acquire(shard)


def _redis(task: ShardTask, call: Callable[[Leases], Awaitable[_T]]) -> _T:
    """One lease operation, in a trio loop of its own (the job runs its own loop between)."""
    assert task.spec.quota_url is not None

    async def run() -> _T:
        leases = Leases(task.spec.quota_url or "", task.job, ttl=task.lease_seconds)
        try:
            return await call(leases)
        finally:
            await leases.aclose()

    return trio.run(run)


@contextlib.contextmanager
def _kept(task: ShardTask, lease: Lease) -> Iterator[None]:
    """Renew the lease from a thread (with a trio loop of its own) while the block runs. A
    renewal that finds the lease gone stops renewing: the fence refuses the part later."""
    started: list[tuple[trio.lowlevel.TrioToken, trio.CancelScope]] = []
    ready = threading.Event()

    async def keep() -> None:
        leases = Leases(task.spec.quota_url or "", task.job, ttl=task.lease_seconds)
        with trio.CancelScope() as scope:
            started.append((trio.lowlevel.current_trio_token(), scope))
            ready.set()
            try:
                while True:
                    await trio.sleep(task.lease_seconds / 3)
                    with contextlib.suppress(OSError, Exception):
                        if not await leases.renew(lease):
                            return
            finally:
                with trio.CancelScope(shield=True):
                    await leases.aclose()

    thread = threading.Thread(target=trio.run, args=(keep,), daemon=True)
    thread.start()
    ready.wait()
    try:
        yield
    finally:
        token, scope = started[0]
        with contextlib.suppress(trio.RunFinishedError):
            trio.from_thread.run_sync(scope.cancel, trio_token=token)
        thread.join()


def fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
