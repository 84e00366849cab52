"""The embedding job: input records in, one journal line per embedding out, exactly once.

The input is streamed through `embed_many` (at most `max_in_flight` texts read ahead), and each
result is appended to the journal as it arrives, so memory does not grow with the input. Ids the
journal already holds are skipped: that is the whole of resuming. Before anything is read, the
output's manifest must match the job's settings (`_manifest`), so that vectors of one kind only
share an output. A record the job will not embed (bad, a duplicate id, over the input limit,
refused for good by the API) goes to the rejects file with its reason, is counted, and makes the
exit status 3: finished, but not everything is in the output.

Stopping: the first SIGINT or SIGTERM stops intake and lets the items in flight finish (for at
most `GRACE` seconds); a second one stops at once. Either way the journal is synced and the exit
status is 128 + the signal's number, with a message saying the job can be resumed. A SIGKILL
loses only what was not yet synced, which the next run redoes.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

import anyio
import attrs
import trio

import genaio
from genaio.actors import ActorStatistics, BatchPolicy
from genaio.api._embed_many import EmbeddingResult, EmbedMany
from genaio.api.models import AsyncModels
from genaio.embedjob import _via_batch as via_batch
from genaio.embedjob._args import JobSpec
from genaio.embedjob._backend import EMULATOR, Backend, choose_backend, client_args
from genaio.embedjob._calibrate import token_ratio
from genaio.embedjob._failures import describe, permanent, refusal
from genaio.embedjob._inputs import (
    BadLine,
    Format,
    InputError,
    Record,
    count_lines,
    input_format,
    read,
)
from genaio.embedjob._journal import Journal, OutputError
from genaio.embedjob._manifest import Manifest, check_settings, manifest_path
from genaio.embedjob._parquet import convert, journal_path, read_done, require_pyarrow, uniform_ids
from genaio.embedjob._progress import Counts, EngineCounts, Progress, summary
from genaio.embedjob._rejects import Kind, Rejects, rejects_path
from genaio.embedjob._via_batch import BatchLog, batches_path
from genaio.engine import estimate_tokens
from genaio.errors import (
    ClientError,
    GenaioError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from genaio.types import ContentEmbedding

__all__ = ["GRACE", "INPUT_TOKEN_LIMIT", "run_job"]

#: Seconds the items in flight get to finish after the first SIGINT or SIGTERM.
GRACE = 10.0
#: Failures in a row that mean something is wrong beyond single items (a quota spent for the
#: day, a revoked key): the job stops instead of failing every remaining item.
MAX_FAILURES_IN_A_ROW = 200
#: The embedding models' input limit, in tokens (as `estimate_tokens` counts them).
INPUT_TOKEN_LIMIT = 2048
_CHARS_PER_TOKEN = 4  # `estimate_tokens`'s rule: a text cut to this many a token fits the limit
#: The share of `--tpm` the job plans to use: the rest absorbs the sample's error and requests
#: that reach the server a little late, in its next minute, which would otherwise overflow it.
_TPM_MARGIN = 0.995
#: Under `--tpm` without `--rpm`, batches are sized for at most this many requests a minute.
_REQUESTS_WITHOUT_RPM = 100
_SHOWN_PROBLEMS = 20  # skipped records and failed items shown one by one; all are in the rejects
_USAGE, _FAILED, _SKIPPED = 2, 1, 3


@attrs.frozen
class Fatal:
    message: str
    status: int


def run_job(spec: JobSpec, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the job to its end, or until stopped; the process's exit status."""
    journal_file = journal_path(spec.output) if spec.parquet else spec.output
    try:
        if spec.output.resolve() == spec.input.resolve():
            raise OutputError(f"{spec.output} is the input: name another output")
        backend = choose_backend(spec.emulator)
        fmt = input_format(spec.input, spec.input_format)
        items = read(spec.input, fmt, spec.columns)
        manifest = Manifest(backend.kind, backend.host, spec.model, spec.dimensions, spec.task_type)
        manifest_file = manifest_path(journal_file)
        journal = Journal.open(journal_file, fresh=spec.overwrite)
    except (InputError, OutputError) as error:
        print(f"genaio embed: error: {error}", file=err)
        return _USAGE
    rejects = batch_log = None
    try:
        try:
            if spec.parquet:
                require_pyarrow()
                items = uniform_ids(items)
                if spec.overwrite:  # asked for; the journal's lock is ours
                    spec.output.unlink(missing_ok=True)
                else:
                    done, made_with = read_done(spec.output)
                    check_settings(spec.output, made_with, manifest, bool(done))
                    journal.done |= done
                    manifest = _measured(manifest, made_with)
            before = Manifest.read(manifest_file)
            check_settings(journal_file, before, manifest, journal.size > 0)
            if not spec.overwrite:
                manifest = _measured(manifest, before)
            manifest.write(manifest_file)
            rejects = Rejects(rejects_path(spec.output), fresh=spec.overwrite)
            if via_batch.chosen(spec.via, spec.deadline):
                batch_log = BatchLog.open(batches_path(journal_file), fresh=spec.overwrite)
        except (InputError, OutputError) as error:
            print(f"genaio embed: error: {error}", file=err)
            return _USAGE
        total = max(0, count_lines(spec.input) - (fmt == "csv") - len(journal.done))
        job = _Job(spec, items, journal, rejects, Counts(total=total), out, err)
        job.manifest, job.manifest_file, job.input_format = manifest, manifest_file, fmt
        job.batch_log = batch_log
        with client_args(backend) as (arguments, where):
            print(f"genaio embed: {where}", file=out, flush=True)
            if spec.via != "online":
                print(f"genaio embed: {via_batch.why(spec.via, spec.deadline)}", file=out)
            if journal.done:
                print(f"resuming: {len(journal.done):,} ids already in {spec.output}", file=out)
            elapsed = trio.run(job.run, arguments, backend)
        journal.sync()
        if spec.parquet and job.fatal is None and job.stopped_by is None:
            if journal.size > 0:
                rows = convert(journal_file, spec.output, job.manifest)
                manifest_file.unlink(missing_ok=True)
                print(f"wrote {rows:,} rows to {spec.output}", file=out)
            elif spec.output.exists():
                print(f"nothing new: {spec.output} is left as it was", file=out)
    finally:
        journal.close()
        if rejects is not None:
            rejects.close()
        if batch_log is not None:
            batch_log.close()
        if journal_file.exists() and journal_file.stat().st_size == 0:
            journal_file.unlink()  # nothing done: leave no empty output behind
            manifest_path(journal_file).unlink(missing_ok=True)
    return job.report(elapsed)


def _measured(manifest: Manifest, before: Manifest | None) -> Manifest:
    """This job's manifest, with the tokens ratio measured by an earlier run of its output."""
    if before is None or before.differences(manifest) or manifest.tokens_per_estimate is not None:
        return manifest
    return attrs.evolve(manifest, tokens_per_estimate=before.tokens_per_estimate)


def _embed_many(models: AsyncModels, spec: JobSpec, texts: Iterable[str]) -> EmbedMany:
    return models.embed_many(
        model=spec.model, contents=texts, config=_config(spec), max_in_flight=spec.max_in_flight
    )


def _config(spec: JobSpec) -> dict[str, Any] | None:
    config = {"output_dimensionality": spec.dimensions, "task_type": spec.task_type}
    return {k: v for k, v in config.items() if v is not None} or None


def _limits(spec: JobSpec, tokens_per_estimate: float | None = None) -> genaio.Limits:
    """The client's limits; the throttle charges estimated tokens, so `--tpm` is told it in
    those (`_calibrate`)."""
    rates = {}
    tpm = spec.tpm * _TPM_MARGIN / (tokens_per_estimate or 1.0) if spec.tpm else None
    if spec.rpm or tpm:
        rates[spec.model] = genaio.RateLimit(spec.rpm, tpm, burst=False)
    quota = genaio.RedisQuota(spec.quota_url) if spec.quota_url else None
    return genaio.Limits(
        families={"models": genaio.FamilyLimits(concurrency=spec.concurrency)},
        model_rates=rates,
        batching=_batching(spec.rpm, tpm),
        quota=quota,
    )


def _batching(rpm: float | None, tpm: float | None) -> BatchPolicy:
    """How the job's calls are merged into batch requests: under `--tpm`, a batch is a small
    share of the quota. The server refuses a request that does not fit what is left of its
    minute, so batches of 5% of the quota leave about 2.5% of every minute unused. Small, but
    with requests to spare: at most half of `--rpm` when both bind."""
    policy = BatchPolicy()
    if tpm is None:
        return policy
    share = 2 * tpm / rpm if rpm else tpm / _REQUESTS_WITHOUT_RPM
    return attrs.evolve(policy, max_tokens=max(1, min(policy.max_tokens, int(share))))


def _engine_counts(aio: genaio.AsyncClient, model: str) -> EngineCounts:
    stats = aio.statistics()
    throttle = aio.quota(model)
    throttled = throttle.statistics() if throttle is not None else None
    return EngineCounts(
        rate_limited=throttled.rate_limited if throttled is not None else 0,
        retries=stats["retries"] if stats else 0,
        paused_for=throttled.paused_for if throttled is not None else 0.0,
    )


class _Job:
    """One run: the records it feeds, the results it writes, and why it stopped."""

    def __init__(
        self,
        spec: JobSpec,
        items: Iterable[Record | BadLine],
        journal: Journal,
        rejects: Rejects,
        counts: Counts,
        out: TextIO,
        err: TextIO,
    ) -> None:
        self.spec = spec
        self._items = items
        self.journal = journal
        self.rejects = rejects
        self.counts = counts
        self.engine = EngineCounts()
        self.fatal: Fatal | None = None
        self.stopped_by: int | None = None
        self._out = out
        self._err = err
        self._in_flight: dict[int, tuple[Record, int]] = {}  # index -> (record, tokens)
        self.manifest: Manifest | None = None  # what the output records, once known
        self.manifest_file: Path | None = None
        self.input_format: Format = "jsonl"
        self._scope = trio.CancelScope()  # the phase a signal stops: probing, then the work
        self.batch_log: BatchLog | None = None  # --via batch: its shards and jobs
        self.busy: set[str | int] = set()  # ids in the batch jobs of an earlier run
        self._written = 0  # indexes of the batch results written so far
        self._first_line: dict[str | int, int] = {}  # id -> the line it was first seen on
        self._failures_in_row = 0
        self._shown = 0

    async def run(self, client_args: dict[str, Any], backend: Backend) -> float:
        """Probe the model, then embed every pending record; the seconds it took.

        Cancellation: not expected (signals are handled here); a cancel ends it promptly
        with what is written kept.
        """
        started = trio.current_time()
        async with trio.open_nursery() as signals:
            await signals.start(self._watch_signals)
            ready = False
            with self._scope:
                ready = await self._prepare(client_args, backend)
            if ready and self.stopped_by is None:
                self._scope = trio.CancelScope()
                await self._work(client_args)
            signals.cancel_scope.cancel()
        return trio.current_time() - started

    async def _prepare(self, client_args: dict[str, Any], backend: Backend) -> bool:
        """Probe the model; with `--tpm`, have the server count a sample of the input's tokens
        (unless the output's manifest knows the ratio). False: the job cannot start."""
        async with genaio.Client(**client_args).aio as aio:
            if not await self._probe(aio, backend):
                return False
            if self.spec.tpm and self.manifest and self.manifest.tokens_per_estimate is None:
                await self._calibrate(aio)
        return True

    async def _calibrate(self, aio: genaio.AsyncClient) -> None:
        assert self.manifest is not None and self.manifest_file is not None
        sample = read(self.spec.input, self.input_format, self.spec.columns)
        try:
            ratio = await token_ratio(aio.models, self.spec.model, sample)
        except (GenaioError, InputError) as error:
            self._problem(
                f"cannot have the input's tokens counted ({describe(error)}): --tpm is kept "
                "with the estimate of 4 characters a token"
            )
            return
        self.manifest = attrs.evolve(self.manifest, tokens_per_estimate=round(ratio, 4))
        self.manifest.write(self.manifest_file)

    async def _work(self, client_args: dict[str, Any]) -> None:
        ratio = self.manifest.tokens_per_estimate if self.manifest else None
        async with genaio.Client(**client_args, limits=_limits(self.spec, ratio)).aio as aio:
            engine = functools.partial(_engine_counts, aio, self.spec.model)
            show = self.spec.progress is not False
            progress = Progress(self.counts, engine, self._err, live=self._err.isatty())
            with self._scope:
                async with trio.open_nursery() as drawing:
                    if show:
                        drawing.start_soon(progress.run)
                    if self.spec.metrics_port is not None:
                        await drawing.start(self._serve_metrics, aio, engine)
                    if self.batch_log is not None:
                        await via_batch.run(self, aio, self.batch_log)
                    else:
                        await self._embed(aio)
                    drawing.cancel_scope.cancel()
            progress.close()
            self.engine = engine()

    async def _serve_metrics(
        self,
        aio: genaio.AsyncClient,
        engine: Callable[[], EngineCounts],
        *,
        task_status: trio.TaskStatus[int | None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        from genaio.embedjob._metrics import serve_metrics

        def models() -> ActorStatistics | None:
            stats = aio.statistics()
            return stats["families"]["models"] if stats else None

        assert self.spec.metrics_port is not None
        await serve_metrics(
            self.spec.metrics_port,
            self.spec.metrics_address,
            self.counts,
            engine,
            models,
            self._err,
            task_status=task_status,
        )

    async def _probe(self, aio: genaio.AsyncClient, backend: Backend) -> bool:
        """One small call first: an unknown model, a refused key or setting, or a server that
        cannot be reached is one clear error before any work, not a failure per item. The
        first try is not retried: a server never reached fails at once."""
        where = "the embedded emulator" if backend.kind == EMULATOR else backend.host
        once = {"http_options": {"retry_options": {"attempts": 1}}}
        for config in ({**(_config(self.spec) or {}), **once}, _config(self.spec)):
            try:
                await aio.models.embed_content(
                    model=self.spec.model, contents="genaio probe", config=config
                )
                return True
            except (RateLimitError, ServerError):
                continue  # busy, not wrong: try again, with retries
            except NetworkError as error:
                self.fatal = Fatal(
                    f"cannot reach {where} ({error.message}): check the network, or that "
                    "GOOGLE_GEMINI_BASE_URL names a running server",
                    _FAILED,
                )
            except NotFoundError as error:
                self.fatal = Fatal(f"model {self.spec.model!r} not found: {error.message}", _USAGE)
            except ClientError as error:
                self.fatal = Fatal(refusal(error), _USAGE)
            except (GenaioError, ValueError) as error:
                self.fatal = Fatal(f"the first request failed: {describe(error)}", _FAILED)
            return False
        return True

    async def _embed(self, aio: genaio.AsyncClient) -> None:
        async with _embed_many(aio.models, self.spec, self._pending()) as results:
            async for result in results:
                self._finish(result)
                # Unthrottled, the results already there are taken without a checkpoint each:
                # a batch's results free their slots together, so the next calls go out
                # together, into one batch. Under a rate, the throttle's admission seals a
                # batch, and calls trickling in fill it; a burst would start another.
                with contextlib.suppress(anyio.WouldBlock, anyio.EndOfStream):
                    while self.fatal is None and not (self.spec.rpm or self.spec.tpm):
                        self._finish(results.receive_nowait())
                if self.fatal is not None:
                    break

    def _pending(self) -> Iterator[str]:
        """The texts still to embed, each kept in flight under its index in `embed_many`."""
        for index, (record, tokens) in enumerate(self.pending_records()):
            self._in_flight[index] = (record, tokens)
            yield record.text

    def pending_records(self) -> Iterator[tuple[Record, int]]:
        """The records still to embed (their texts fitted to the input limit) with their
        tokens; stops early on a signal or a fatal input error."""
        try:
            for item in self._items:
                if self.stopped_by is not None or self.fatal is not None:
                    return
                if isinstance(item, BadLine):
                    self._reject("bad-record", item.line, item.id, item.reason)
                    continue
                first = self._first_line.setdefault(item.id, item.line)
                if first != item.line:
                    self._reject("duplicate", item.line, item.id, f"the id of line {first} again")
                elif item.id in self.journal.done:
                    self.counts.skipped += 1
                elif item.id in self.busy:
                    continue  # in a batch job of an earlier run, collected with it
                elif item.id in self.rejects.failed:
                    self.counts.failed_before += 1
                elif (fitted := self._fitted(item)) is not None:
                    text, tokens = fitted
                    yield (item if text is item.text else attrs.evolve(item, text=text)), tokens
        except InputError as error:
            self.fatal = Fatal(str(error), _USAGE)

    def embed_config(self) -> dict[str, Any] | None:
        return _config(self.spec)

    def write_batch(self, shard: via_batch.Shard, results: list[Any]) -> None:
        """A batch job's results into the journal (synced): each result is its id's values or
        error; an id the journal holds already (written before a kill) is skipped."""
        for key, line, tokens, result in zip(
            shard.ids, shard.lines, shard.tokens, results, strict=True
        ):
            if key in self.journal.done:
                continue
            index, self._written = self._written, self._written + 1
            self._in_flight[index] = (Record(line, key, ""), tokens)
            if isinstance(result, Exception):
                self._finish(EmbeddingResult(index, error=result))
            else:
                self._finish(EmbeddingResult(index, embedding=ContentEmbedding(values=result)))
        self.journal.sync()

    def _fitted(self, record: Record) -> tuple[str, int] | None:
        """The record's text within the model's input limit (cut, with `--too-long truncate`),
        and its tokens; None: rejected."""
        tokens = estimate_tokens({"content": {"parts": [{"text": record.text}]}})
        if tokens <= INPUT_TOKEN_LIMIT:
            return record.text, tokens
        over = f"~{tokens:,} tokens, over the model's input limit of {INPUT_TOKEN_LIMIT:,}"
        if self.spec.too_long == "reject":
            self._reject(
                "too-long", record.line, record.id, f"{over} (--too-long truncate cuts it)"
            )
            return None
        self.counts.truncated += 1
        if self.counts.truncated == 1:
            self._problem(
                f"truncating texts over the input limit (first: line {record.line}, {over})"
            )
        return record.text[: INPUT_TOKEN_LIMIT * _CHARS_PER_TOKEN], INPUT_TOKEN_LIMIT

    def _reject(self, kind: Kind, line: int, key: str | int | None, reason: str) -> None:
        """Skip an input record into the rejects file, or stop, as the flags say."""
        where = f"{self.spec.input}: line {line}"
        if kind == "bad-record" and self.spec.bad_lines == "fail":
            self.fatal = Fatal(f"{where}: {reason} (--bad-lines skip skips such records)", _USAGE)
            return
        if kind == "duplicate" and self.spec.duplicate_ids == "fail":
            self.fatal = Fatal(
                f"{where}: duplicate id {key!r}, {reason} (--duplicate-ids first embeds the first)",
                _USAGE,
            )
            return
        self._keep_reject(kind, line, key, reason)
        self._problem(f"skipped {where}: {reason}")

    def _keep_reject(self, kind: Kind, line: int, key: str | int | None, reason: str) -> None:
        try:
            self.rejects.add(kind, line, key, reason)
        except OSError as error:
            self.fatal = Fatal(f"{self.rejects.path}: cannot write ({error.strerror})", _FAILED)
        self.counts.rejected[kind] += 1

    def _finish(self, result: EmbeddingResult) -> None:
        record, tokens = self._in_flight.pop(result.index)
        values = result.embedding.values if result.embedding is not None else None
        if result.error is not None or not values:
            self._failures_in_row += 1
            if result.error is not None and permanent(result.error):
                reason = f"refused for good: {describe(result.error)}"
                self._keep_reject("failed", record.line, record.id, reason)
            else:
                self.counts.failed += 1
                reason = describe(result.error) if result.error else "the answer holds no values"
            self._problem(f"failed: id {record.id!r} (line {record.line}): {reason}")
            if self._failures_in_row >= MAX_FAILURES_IN_A_ROW:
                self.fatal = Fatal(
                    f"{self._failures_in_row} items in a row failed (the last: {reason}); "
                    "something is wrong beyond single items",
                    _FAILED,
                )
            return
        try:
            self.journal.write(record.id, values)
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
            print(
                f"genaio embed: (further problems are counted, not shown; every skipped record "
                f"is in {self.rejects.path})",
                file=self._err,
            )

    async def _watch_signals(self, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as received:
            task_status.started()
            async for signum in received:
                if self.stopped_by is not None:
                    self._scope.cancel()
                    continue
                self.stopped_by = signum
                # A batch job runs on without us: nothing in flight here to finish.
                grace = 0.0 if self.batch_log is not None else GRACE
                self._scope.deadline = min(self._scope.deadline, trio.current_time() + grace)
                doing = (
                    "the batch jobs run on at the server"
                    if self.batch_log is not None
                    else "finishing the items in flight (send it again to stop at once)"
                )
                print(
                    f"\ngenaio embed: {signal.Signals(signum).name}: stopping; {doing}",
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
                print(_resume_hint(self.spec), file=self._err)
            return self.fatal.status
        if self.stopped_by is not None:
            name = signal.Signals(self.stopped_by).name
            print(f"genaio embed: interrupted by {name}. {_resume_hint(self.spec)}", file=self._err)
            return 128 + self.stopped_by
        if self.counts.failed:
            print(
                f"genaio embed: {self.counts.failed:,} items failed for now (the server or the "
                "network); run the same command again to retry them",
                file=self._err,
            )
            return _FAILED
        skipped = self.counts.skipped_records
        if skipped:
            print(
                f"finished with {skipped:,} input records skipped, each with its reason in "
                f"{self.rejects.path}; every other input id is in {self.spec.output}",
                file=self._out,
            )
            return _SKIPPED
        print(f"done: every input id is in {self.spec.output}", file=self._out)
        return 0


def _resume_hint(spec: JobSpec) -> str:
    return f"What is done is kept in {spec.output}: run the same command again to resume."
