"""The embedding job: input records in, one journal line per embedding out, exactly once.

The input is streamed through `embed_many` (at most `max_in_flight` texts read ahead), and each
result is appended to the journal as it arrives, so memory does not grow with the input. Ids the
journal already holds are skipped: that is the whole of resuming.

Stopping: the first SIGINT or SIGTERM stops intake and lets the items in flight finish (for at
most `GRACE` seconds); a second one stops at once. Either way the journal is synced and the exit
status is 128 + the signal's number, with a message saying the job can be resumed. A SIGKILL
loses only what was not yet synced, which the next run redoes.
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

import attrs
import trio

import genaio
from genaio.api._embed_many import EmbeddingResult, EmbedMany
from genaio.api.models import AsyncModels
from genaio.embedjob._args import JobSpec
from genaio.embedjob._backend import backend
from genaio.embedjob._inputs import BadLine, InputError, Record, count_lines, input_format, read
from genaio.embedjob._journal import Journal, OutputError
from genaio.embedjob._parquet import convert, journal_path, require_pyarrow, restore, uniform_ids
from genaio.embedjob._progress import Counts, EngineCounts, Progress, summary
from genaio.engine import estimate_tokens
from genaio.errors import ClientError, GenaioError, NotFoundError

__all__ = ["GRACE", "run_job"]

#: Seconds the items in flight get to finish after the first SIGINT or SIGTERM.
GRACE = 10.0
#: Failures in a row that mean something is wrong beyond single items (a quota spent for the
#: day, a revoked key): the job stops instead of failing every remaining item.
MAX_FAILURES_IN_A_ROW = 200
_SHOWN_PROBLEMS = 20  # bad lines and failed items reported one by one; the rest are counted
_USAGE, _FAILED = 2, 1


@attrs.frozen
class Fatal:
    message: str
    status: int


def run_job(spec: JobSpec, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the job to its end, or until stopped; the process's exit status."""
    journal_file = journal_path(spec.output) if spec.parquet else spec.output
    try:
        fmt = input_format(spec.input, spec.input_format)
        items = read(spec.input, fmt, spec.columns)
        if spec.parquet:
            require_pyarrow()
            restore(spec.output, journal_file)
            items = uniform_ids(items)
        journal = Journal.open(journal_file)
    except (InputError, OutputError) as error:
        print(f"genaio embed: error: {error}", file=err)
        return _USAGE
    try:
        total = max(0, count_lines(spec.input) - (fmt == "csv") - len(journal.done))
        job = _Job(spec, items, journal, Counts(total=total), out, err)
        with backend() as (client_args, where):
            print(f"genaio embed: {where}", file=out, flush=True)
            if journal.done:
                print(f"resuming: {len(journal.done):,} ids already in {journal.path}", file=out)
            elapsed = trio.run(job.run, client_args)
        journal.sync()
        if spec.parquet and job.fatal is None and job.stopped_by is None:
            rows = convert(journal_file, spec.output)
            print(f"wrote {rows:,} rows to {spec.output}", file=out)
    finally:
        journal.close()
        if journal_file.exists() and journal_file.stat().st_size == 0:
            journal_file.unlink()  # nothing done: leave no empty output behind
    return job.report(elapsed)


def _embed_many(models: AsyncModels, spec: JobSpec, texts: Iterable[str]) -> EmbedMany:
    return models.embed_many(
        model=spec.model, contents=texts, config=_config(spec), max_in_flight=spec.max_in_flight
    )


def _config(spec: JobSpec) -> dict[str, Any] | None:
    config = {"output_dimensionality": spec.dimensions, "task_type": spec.task_type}
    return {k: v for k, v in config.items() if v is not None} or None


def _limits(spec: JobSpec) -> genaio.Limits:
    rates = {}
    if spec.rpm or spec.tpm:
        rates[spec.model] = genaio.RateLimit(spec.rpm, spec.tpm)
    quota = genaio.RedisQuota(spec.quota_url) if spec.quota_url else None
    return genaio.Limits(
        families={"models": genaio.FamilyLimits(concurrency=spec.concurrency)},
        model_rates=rates,
        quota=quota,
    )


def _engine_counts(aio: genaio.AsyncClient, model: str) -> EngineCounts:
    stats = aio.statistics()
    # Private: until the client exposes each model's throttle statistics (its 429 count).
    connection = aio._runtime.current()
    throttle = connection.family("models").throttle(model) if connection is not None else None
    return EngineCounts(
        rate_limited=throttle.statistics().rate_limited if throttle is not None else 0,
        retries=stats["retries"] if stats else 0,
    )


class _Job:
    """One run: the records it feeds, the results it writes, and why it stopped."""

    def __init__(
        self,
        spec: JobSpec,
        items: Iterable[Record | BadLine],
        journal: Journal,
        counts: Counts,
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.spec = spec
        self._items = items
        self.journal = journal
        self.counts = counts
        self.engine = EngineCounts()
        self.fatal: Fatal | None = None
        self.stopped_by: int | None = None
        self._out = out
        self._err = err
        self._in_flight: dict[int, tuple[str | int, int]] = {}  # index -> (id, tokens)
        self._failures_in_row = 0
        self._shown = 0

    async def run(self, client_args: dict[str, Any]) -> float:
        """Probe the model, then embed every pending record; the seconds it took.

        Cancellation: not expected (signals are handled here); a cancel ends it promptly
        with what is written kept.
        """
        started = trio.current_time()
        client = genaio.Client(**client_args, limits=_limits(self.spec))
        work = trio.CancelScope()
        async with trio.open_nursery() as signals:
            await signals.start(self._watch_signals, work)
            async with client.aio as aio:
                engine = functools.partial(_engine_counts, aio, self.spec.model)
                show = self.spec.progress is not False
                progress = Progress(self.counts, engine, self._err, live=self._err.isatty())
                with work:
                    if await self._probe(aio):
                        async with trio.open_nursery() as drawing:
                            if show:
                                drawing.start_soon(progress.run)
                            await self._embed(aio)
                            drawing.cancel_scope.cancel()
                progress.close()
                self.engine = engine()
            signals.cancel_scope.cancel()
        return trio.current_time() - started

    async def _probe(self, aio: genaio.AsyncClient) -> bool:
        """One small call first: an unknown model or a refused setting is one clear error
        before any work, not a failure per item."""
        try:
            await aio.models.embed_content(
                model=self.spec.model, contents="genaio probe", config=_config(self.spec)
            )
        except NotFoundError as error:
            self.fatal = Fatal(f"model {self.spec.model!r} not found: {error.message}", _USAGE)
        except ClientError as error:
            self.fatal = Fatal(f"the API refused the job's settings: {error.message}", _USAGE)
        except (GenaioError, ValueError) as error:
            self.fatal = Fatal(f"the first request failed: {error}", _FAILED)
        return self.fatal is None

    async def _embed(self, aio: genaio.AsyncClient) -> None:
        async with _embed_many(aio.models, self.spec, self._pending()) as results:
            async for result in results:
                self._finish(result)
                if self.fatal is not None:
                    break

    def _pending(self) -> Iterator[str]:
        """The texts still to embed; stops early on a signal or a fatal input error."""
        index = 0
        try:
            for item in self._items:
                if self.stopped_by is not None or self.fatal is not None:
                    return
                if isinstance(item, BadLine):
                    self._bad_line(item)
                elif item.id in self.journal.done:
                    self.counts.skipped += 1
                else:
                    tokens = estimate_tokens({"content": {"parts": [{"text": item.text}]}})
                    self._in_flight[index] = (item.id, tokens)
                    index += 1
                    yield item.text
        except InputError as error:
            self.fatal = Fatal(str(error), _USAGE)

    def _bad_line(self, bad: BadLine) -> None:
        where = f"{self.spec.input}: line {bad.line}"
        if self.spec.bad_lines == "fail":
            self.fatal = Fatal(f"{where}: {bad.reason} (--bad-lines skip skips such lines)", _USAGE)
            return
        self.counts.bad_lines += 1
        self._problem(f"skipped {where}: {bad.reason}")

    def _finish(self, result: EmbeddingResult) -> None:
        key, tokens = self._in_flight.pop(result.index)
        values = result.embedding.values if result.embedding is not None else None
        if result.error is not None or not values:
            self.counts.failed += 1
            self._failures_in_row += 1
            reason = result.error or "the answer holds no values"
            self._problem(f"failed: id {key!r}: {reason}")
            if self._failures_in_row >= MAX_FAILURES_IN_A_ROW:
                self.fatal = Fatal(f"{self._failures_in_row} items in a row failed", _FAILED)
            return
        try:
            self.journal.write(key, values)
        except OSError as error:
            self.fatal = Fatal(f"{self.journal.path}: cannot write ({error.strerror})", _FAILED)
            return
        self._failures_in_row = 0
        self.counts.embedded += 1
        self.counts.tokens += tokens

    def _problem(self, message: str) -> None:
        self._shown += 1
        if self._shown <= _SHOWN_PROBLEMS:
            print(f"genaio embed: {message}", file=self._err)
        elif self._shown == _SHOWN_PROBLEMS + 1:
            print("genaio embed: (further problems are counted, not shown)", file=self._err)

    async def _watch_signals(
        self, work: trio.CancelScope, *, task_status: Any = trio.TASK_STATUS_IGNORED
    ) -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as received:
            task_status.started()
            async for signum in received:
                if self.stopped_by is not None:
                    work.cancel()
                    continue
                self.stopped_by = signum
                work.deadline = min(work.deadline, trio.current_time() + GRACE)
                print(
                    f"\ngenaio embed: {signal.Signals(signum).name}: stopping; finishing the "
                    f"items in flight (send it again to stop at once)",
                    file=self._err,
                    flush=True,
                )

    def report(self, elapsed: float) -> int:
        """Print the summary and what went wrong; the exit status."""
        if self.fatal is None or self.counts != Counts(total=self.counts.total):
            print(summary(self.counts, self.engine, elapsed), file=self._out)
        if self.fatal is not None:
            print(f"genaio embed: error: {self.fatal.message}", file=self._err)
            if self.counts.embedded:
                print(_resume_hint(self.journal), file=self._err)
            return self.fatal.status
        if self.stopped_by is not None:
            name = signal.Signals(self.stopped_by).name
            print(
                f"genaio embed: interrupted by {name}. {_resume_hint(self.journal)}", file=self._err
            )
            return 128 + self.stopped_by
        if self.counts.failed:
            print(
                f"genaio embed: {self.counts.failed:,} items failed; run the same command again "
                "to retry them",
                file=self._err,
            )
            return _FAILED
        print(f"done: every input id is in {self.spec.output}", file=self._out)
        return 0


def _resume_hint(journal: Journal) -> str:
    return f"What is done is kept in {journal.path}: run the same command again to resume."
