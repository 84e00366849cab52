"""`genaio embed --ray`: the job's shards as Ray tasks, one quota shared through Redis, each id
written exactly once across the cluster.

The driver splits the input into spans (`_shards`) and keeps the plan in the output directory,
so a rerun shards the same way. Each shard is one Ray task (`run_shard`) that runs today's job
(`run_job`) on its span, in its own trio loop with its own client, into its own journal
(`shards/NNNNN.jsonl`); the quota is the Redis one (`--quota-url`), shared by every task.

Exactly once: a task first takes the shard's lease in Redis (`_lease`): a fencing token, kept
alive by a thread while the job runs. A finished journal is staged as a part file of its own
(`part-NNNNN.parquet.TOKEN.staged`); then Redis is asked, atomically, to mark the shard
published by that token, which it refuses if the lease has lapsed or the shard is already
published; only then is the staged file linked into place (`os.link`, which never replaces a
file). So a duplicated or retried task cannot overwrite a finished part, a part is whole or
absent, and rerunning the command skips published shards and resumes the others from their
journals. The output directory must be shared by every node (NFS, a mounted bucket with
POSIX semantics) and Redis reachable from every node.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any, TextIO

import attrs
import trio

from genaio.embedjob._args import JobSpec
from genaio.embedjob._backend import EMULATOR, choose_backend
from genaio.embedjob._inputs import InputError, Span, count_lines, input_format
from genaio.embedjob._journal import OutputError
from genaio.embedjob._manifest import Manifest
from genaio.embedjob._parquet import require_pyarrow
from genaio.embedjob._progress import Counts, EngineCounts, Progress, summary
from genaio.embedjob._ray_task import LEASE_SECONDS, ShardResult, ShardTask, fsync, run_shard
from genaio.embedjob._rejects import rejects_path

__all__ = ["run_ray_job", "shard_tasks"]

#: Bytes of input per shard when --shards is not given.
SHARD_BYTES = 64 << 20
_ENV = ("GOOGLE_API_KEY", "GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL")
_USAGE, _FAILED, _SKIPPED = 2, 1, 3


class _Tally:
    """A Ray actor: the latest counts of each shard's job, for the driver's progress bar."""

    def __init__(self) -> None:
        self._shards: dict[int, tuple[Counts, EngineCounts]] = {}

    def update(self, shard: int, counts: Counts, engine: EngineCounts) -> None:
        self._shards[shard] = (counts, engine)

    def snapshot(self) -> dict[int, tuple[Counts, EngineCounts]]:
        return dict(self._shards)


@attrs.frozen
class _Plan:
    job: str
    input: str
    size: int
    mtime_ns: int
    format: str  # the parts': "parquet" or "jsonl"
    spans: tuple[Span, ...]

    @classmethod
    def read(cls, path: Path) -> _Plan | None:
        try:
            data = json.loads(path.read_bytes())
            spans = tuple(Span(*span) for span in data.pop("spans"))
            return cls(spans=spans, **data)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError):
            raise OutputError(f"{path}: not a genaio embed --ray plan") from None

    def write(self, path: Path) -> None:
        data = attrs.asdict(self, recurse=False)
        data["spans"] = [[s.start, s.end, s.line] for s in self.spans]
        _write_atomically(path, json.dumps(data, indent=1).encode() + b"\n")


def run_ray_job(
    spec: JobSpec,
    *,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
    lease_seconds: float = LEASE_SECONDS,
) -> int:
    """Run the job's shards on Ray until every one is published (or one fails); the exit
    status, as `run_job`'s."""
    try:
        import ray
    except ImportError:
        print("genaio embed: error: --ray needs Ray: pip install 'genaio[ray]'", file=err)
        return _USAGE
    try:
        tasks = shard_tasks(spec, lease_seconds)
    except (InputError, OutputError) as error:
        print(f"genaio embed: error: {error}", file=err)
        return _USAGE
    pending = [task for task in tasks if not task.part.exists()]
    print(
        f"genaio embed: {len(tasks)} shards of {spec.input}, {len(tasks) - len(pending)} "
        f"done already; {choose_backend(spec.emulator).reason}",
        file=out,
        flush=True,
    )
    if not ray.is_initialized():
        ray.init(address=spec.ray or None, log_to_driver=False)
    driver = _Driver(spec, pending, out, err)
    elapsed = trio.run(driver.run)
    return driver.report(tasks, elapsed)


def shard_tasks(spec: JobSpec, lease_seconds: float = LEASE_SECONDS) -> list[ShardTask]:
    """The job's shards, planned (or the plan read back from the output directory).

    Raises `InputError` or `OutputError` for a command that cannot run.
    """
    if not spec.quota_url:
        raise OutputError(
            "--ray needs --quota-url (or $GENAIO_QUOTA_URL): the shards' leases and their "
            "shared quota are kept in that Redis"
        )
    backend = choose_backend(spec.emulator)
    if backend.kind == EMULATOR:
        raise OutputError(
            "--ray needs one server every worker reaches: set GOOGLE_API_KEY (and "
            "GOOGLE_GEMINI_BASE_URL for an emulator served with `genaio emulator`)"
        )
    parts = spec.output_format or "parquet"
    if parts == "parquet":
        require_pyarrow()
    plan = _plan(spec, parts)
    (spec.output / "shards").mkdir(exist_ok=True)
    manifest = Manifest(backend.kind, backend.host, spec.model, spec.dimensions, spec.task_type)
    env = {key: os.environ[key] for key in _ENV if os.environ.get(key)}
    return [
        ShardTask(
            attrs.evolve(
                spec,
                output=spec.output / "shards" / f"{shard:05}.jsonl",
                output_format="jsonl",
                span=span,
                progress=False,
                overwrite=False,
                metrics_port=None,
                ray=None,
                shards=None,
            ),
            spec.output / f"part-{shard:05}.{plan.format}",
            shard,
            plan.job,
            manifest,
            env,
            lease_seconds,
        )
        for shard, span in enumerate(plan.spans)
    ]


def _plan(spec: JobSpec, parts: str) -> _Plan:
    """The job's plan: the one in the output directory, else a new one (written there)."""
    from genaio.embedjob._shards import plan_spans

    if not spec.input.is_file():
        raise InputError(f"{spec.input}: no such file")
    stat = spec.input.stat()
    where = spec.output / "plan.json"
    if spec.overwrite and spec.output.exists():
        shutil.rmtree(spec.output)
    if spec.output.exists() and not spec.output.is_dir():
        raise OutputError(f"{spec.output}: with --ray, the output is a directory")
    spec.output.mkdir(parents=True, exist_ok=True)
    plan = _Plan.read(where)
    if plan is not None:
        if (plan.size, plan.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            raise OutputError(
                f"{spec.input} changed since {spec.output} was started: --overwrite starts anew"
            )
        if plan.format != parts:
            raise OutputError(f"{spec.output} holds {plan.format} parts: --overwrite starts anew")
        return plan
    fmt = input_format(spec.input, spec.input_format)
    shards = spec.shards or max(1, stat.st_size // SHARD_BYTES + 1)
    spans = tuple(plan_spans(spec.input, fmt, shards))
    plan = _Plan(uuid.uuid4().hex, str(spec.input), stat.st_size, stat.st_mtime_ns, parts, spans)
    plan.write(where)
    return plan


class _Driver:
    """Submits the pending shards, resubmits those another task held, draws the progress."""

    def __init__(self, spec: JobSpec, pending: list[ShardTask], out: TextIO, err: TextIO) -> None:
        self.spec = spec
        self.pending = pending
        self.results: dict[int, ShardResult] = {}
        self.counts = Counts(total=sum(count_lines(t.spec.input, t.spec.span) for t in pending))
        self.engine = EngineCounts()
        self._planned = {t.shard: count_lines(t.spec.input, t.spec.span) for t in pending}
        self._refused: dict[int, list[tuple[Counts, EngineCounts]]] = {}
        self._out = out
        self._err = err

    async def run(self) -> float:
        """Cancellation: cancels the shards' tasks (what they wrote is kept)."""
        import ray

        started = trio.current_time()
        tally: Any = ray.remote(num_cpus=0)(_Tally).remote()
        shard = ray.remote(num_cpus=1)(run_shard)
        waiting = {t.shard: (t, 0.0) for t in self.pending}  # shard -> (task, when to submit)
        running: dict[Any, ShardTask] = {}
        show = self.spec.progress is not False
        progress = Progress(self.counts, lambda: self.engine, self._err, live=self._err.isatty())
        try:
            async with trio.open_nursery() as drawing:
                if show:
                    drawing.start_soon(progress.run)
                while waiting or running:
                    now = time.monotonic()
                    for task in [task for task, when in waiting.values() if when <= now]:
                        del waiting[task.shard]
                        running[shard.remote(task, tally)] = task
                    ready = await trio.to_thread.run_sync(_wait, list(running))
                    for ref in ready:
                        task = running.pop(ref)
                        result = await trio.to_thread.run_sync(_result, ref, task.shard)
                        if result.state == "refused" and result.counts is not None:
                            refused = self._refused.setdefault(task.shard, [])
                            refused.append((result.counts, result.engine))
                        if result.state in ("held", "refused"):
                            waiting[task.shard] = (task, time.monotonic() + result.retry_after)
                        else:
                            self.results[task.shard] = result
                        if result.state == "ran" and result.status == _USAGE:
                            waiting.clear()  # a mistake in the command: every shard has it
                    self._tally(await trio.to_thread.run_sync(ray.get, tally.snapshot.remote()))
                drawing.cancel_scope.cancel()
        finally:
            for ref in running:
                ray.cancel(ref)
            progress.close()
            ray.kill(tally)
        return trio.current_time() - started

    def _tally(self, shards: dict[int, tuple[Counts, EngineCounts]]) -> None:
        """Sum the shards' counts: a finished shard's from its result (the actor may not have
        its last update yet), the others' from the actor; plus what attempts the fence refused
        did (their items are in the journal, which the next attempt counts as done before)."""
        for shard, result in self.results.items():
            if result.counts is not None:
                shards[shard] = (result.counts, result.engine)
        counts, engine = Counts(total=0), EngineCounts()
        for shard, planned in self._planned.items():
            latest = shards.get(shard, (Counts(total=planned), EngineCounts()))
            for part, part_engine in [latest, *self._refused.get(shard, [])]:
                counts, engine = _plus(counts, part), _plus_engine(engine, part_engine)
            for part, _ in self._refused.get(shard, []):
                counts.skipped -= part.embedded
                counts.total = (counts.total or 0) + part.embedded
        for name in attrs.fields_dict(Counts):
            setattr(self.counts, name, getattr(counts, name))
        self.engine = engine

    def report(self, tasks: list[ShardTask], elapsed: float) -> int:
        """Print the summary and each shard's problems; write the manifest once all parts are
        in place; the exit status."""
        print(summary(self.counts, self.engine, elapsed), file=self._out)
        status = 0
        for shard, result in sorted(self.results.items()):
            for line in result.messages.splitlines():
                print(f"shard {shard}: {line}", file=self._err)
            if result.state == "ran":
                status = max(status, result.status) if status != _USAGE else status
        missing = [t for t in tasks if not t.part.exists()]
        if missing or status:
            print(
                f"genaio embed: {len(missing)} of {len(tasks)} shards not finished; what is done "
                f"is kept in {self.spec.output}: run the same command again to resume.",
                file=self._err,
            )
            return status or _FAILED
        _write_manifest(self.spec, tasks)
        rejected = sum(1 for t in tasks if _has_rejects(t))
        if rejected:
            print(
                f"finished; {rejected} shards skipped records, each with its reason in "
                f"{self.spec.output / 'shards'}/*.rejects.jsonl",
                file=self._out,
            )
            return _SKIPPED
        print(f"done: every input id is in {self.spec.output}", file=self._out)
        return 0


def _plus(a: Counts, b: Counts) -> Counts:
    return Counts(
        total=(a.total or 0) + (b.total or 0),
        embedded=a.embedded + b.embedded,
        tokens=a.tokens + b.tokens,
        failed=a.failed + b.failed,
        skipped=a.skipped + b.skipped,
        truncated=a.truncated + b.truncated,
        failed_before=a.failed_before + b.failed_before,
        rejected=a.rejected + b.rejected,
    )


def _plus_engine(a: EngineCounts, b: EngineCounts) -> EngineCounts:
    return EngineCounts(
        a.rate_limited + b.rate_limited, a.retries + b.retries, max(a.paused_for, b.paused_for)
    )


def _wait(refs: list[Any]) -> list[Any]:
    import ray

    if not refs:
        return []
    ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0.25)
    return list(ready)


def _result(ref: Any, shard: int) -> ShardResult:
    """The task's result; a task that raised (its worker died every retry) ran and failed."""
    import ray

    try:
        result: ShardResult = ray.get(ref)
        return result
    except ray.exceptions.RayError as error:
        return ShardResult(shard, "ran", _FAILED, messages=f"the task failed: {error}")


def _has_rejects(task: ShardTask) -> bool:
    path = rejects_path(task.spec.output)
    return path.exists() and path.stat().st_size > 0


def _write_manifest(spec: JobSpec, tasks: list[ShardTask]) -> None:
    data = {
        **(attrs.asdict(tasks[0].manifest) if tasks else {}),
        "input": str(spec.input),
        "parts": [
            {"file": t.part.name, "shard": t.shard, "bytes": [s.start, s.end], "line": s.line}
            for t in tasks
            if (s := t.spec.span) is not None
        ],
    }
    _write_atomically(spec.output / "manifest.json", json.dumps(data, indent=1).encode() + b"\n")


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_bytes(data)
    fsync(partial)
    os.replace(partial, path)
