"""`genaio embed --via batch`: the job through the Batch API's embedding batches.

The Batch API embeds at half the online price, in hours rather than seconds. The pending input is
cut into shards (at most `--batch-items` texts and `SHARD_CHARS` characters each: one inline
batch request stays well under the API's 20 MB), one batch job a shard, and every job is polled
until it ends; a job's results go to the journal like the online path's.

Exactly once, across kills. Beside the output, a log (`OUTPUT.batches.jsonl`, append-only,
fsynced line by line) records for each shard, in this order:
1. its intent: a display name unique to the shard, its ids, lines and estimated tokens,
   written before the job is created;
2. the job's name, once the API has answered;
3. the job's end, once its results are in the journal (synced).
A rerun reads the log first. A shard with a job and no end is polled again, not submitted again.
A shard whose job's name never reached the log (killed while creating it) is looked up among the
project's batch jobs by its display name: adopted if it was created, dropped if not (its ids are
then pending again). A result whose id the journal already holds is skipped, so a kill while
results were being written costs nothing either. The input is read for ids neither done nor in a
live shard; a job that failed, was cancelled or expired leaves its ids for the next run.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs
import trio

import genaio
from genaio.embedjob._inputs import Record
from genaio.embedjob._journal import OutputError, read_lines
from genaio.errors import InvalidArgumentError, ServerError, UnknownApiResponseError
from genaio.types import BatchJob, JobError, JobState

if TYPE_CHECKING:
    from genaio.embedjob._job import _Job

__all__ = [
    "BATCH_TURNAROUND_HOURS",
    "SHARD_CHARS",
    "BatchLog",
    "Shard",
    "batches_path",
    "chosen",
    "run",
    "why",
]

#: The Batch API's stated turnaround: a job ends within 24 hours (most end much sooner).
BATCH_TURNAROUND_HOURS = 24.0
#: Characters of text in one shard at most: an inline batch request under 20 MB, with room for
#: JSON and escapes.
SHARD_CHARS = 8_000_000
_NOT_SUBMITTED = "NOT_SUBMITTED"  # the end of a shard whose job was never created


def chosen(via: str, deadline: float | None) -> bool:
    """Whether the job goes through the Batch API: asked for, or (`auto`) when the deadline
    leaves the Batch API its turnaround, so the job can have the half price."""
    if via == "auto":
        return deadline is not None and deadline >= BATCH_TURNAROUND_HOURS
    return via == "batch"


def why(via: str, deadline: float | None) -> str:
    """The path taken, in words, with the reason `auto` took it."""
    if via != "auto":
        return f"via the Batch API (--via {via})" if via == "batch" else "online (--via online)"
    if deadline is None:
        return "online (--via auto, and no --deadline: as soon as possible)"
    turnaround = f"the Batch API's {BATCH_TURNAROUND_HOURS:g} h turnaround"
    if chosen(via, deadline):
        return (
            f"via the Batch API, at half the price (--via auto: --deadline {deadline:g} h "
            f"leaves {turnaround})"
        )
    return f"online (--via auto: --deadline {deadline:g} h is shorter than {turnaround})"


def batches_path(output: Path) -> Path:
    return output.with_name(output.name + ".batches.jsonl")


@attrs.define
class Shard:
    """One batch job's share of the input, as the log records it."""

    name: str  # the job's display name: how a job whose name was lost is found again
    ids: list[str | int]
    lines: list[int]
    tokens: list[int]
    job: str | None = None  # batches/...: known once created
    end: str | None = None  # the job's final state, once its results are in the journal


class BatchLog:
    """The shards of one output's batch jobs: intents, job names and ends, kept on disk."""

    def __init__(self, path: Path, file: IO[bytes], shards: dict[str, Shard]) -> None:
        self.path = path
        self.shards = shards
        self._file = file

    @classmethod
    def open(cls, path: Path, *, fresh: bool = False) -> BatchLog:
        """Read the log (`fresh`: empty it), dropping a torn last line. The journal's lock
        covers it: only the job that holds the output writes here."""
        shards: dict[str, Shard] = {}
        end = 0
        if path.exists() and not fresh:
            for number, (offset, line) in enumerate(read_lines(path), 1):
                try:
                    _apply(shards, json.loads(line))
                except (ValueError, TypeError, KeyError):
                    raise OutputError(f"{path}: line {number} is not a batch log line") from None
                end = offset
        try:
            file = path.open("r+b" if path.exists() else "wb")
            file.truncate(end)
            file.seek(end)
        except OSError as error:
            raise OutputError(f"{path}: cannot write ({error.strerror})") from None
        return cls(path, file, shards)

    def live(self) -> list[Shard]:
        return [s for s in self.shards.values() if s.end is None]

    def intend(self, shard: Shard) -> None:
        self.shards[shard.name] = shard
        self._write(
            {"shard": shard.name, "ids": shard.ids, "lines": shard.lines, "tokens": shard.tokens}
        )

    def submitted(self, shard: Shard, job: str) -> None:
        shard.job = job
        self._write({"shard": shard.name, "job": job})

    def ended(self, shard: Shard, state: str) -> None:
        shard.end = state
        self._write({"shard": shard.name, "end": state})

    def close(self) -> None:
        self._file.close()

    def _write(self, entry: dict[str, Any]) -> None:
        self._file.write(json.dumps(entry, separators=(",", ":")).encode() + b"\n")
        self._file.flush()
        os.fsync(self._file.fileno())


def _apply(shards: dict[str, Shard], entry: dict[str, Any]) -> None:
    name = entry["shard"]
    if "ids" in entry:
        shards[name] = Shard(name, entry["ids"], entry["lines"], entry["tokens"])
    elif "job" in entry:
        shards[name].job = entry["job"]
    else:
        shards[name].end = entry["end"]


async def run(job: _Job, aio: genaio.AsyncClient, log: BatchLog) -> None:
    """Collect the jobs a killed run left, submit the rest of the input, poll every job until
    it ends, and write each one's results.

    Cancellation: stops polling and submitting; the jobs run on and a rerun collects them (a
    job being created when cancelled is found again by its display name).
    """
    await _find_lost(aio, log)
    job.busy = {key for shard in log.live() for key in shard.ids}
    async with trio.open_nursery() as polls:
        for shard in log.live():
            polls.start_soon(_collect, job, aio, log, shard)
        token = secrets.token_hex(4)
        for number, records in enumerate(_shards(job.pending_records(), job.spec.batch_items)):
            ids = [record.id for record, _ in records]
            shard = Shard(
                f"genaio-embed-{token}-{number}",
                ids,
                [record.line for record, _ in records],
                [tokens for _, tokens in records],
            )
            log.intend(shard)
            created = await aio.batches.create_embeddings(
                model=job.spec.model,
                src={
                    "inlined_requests": {
                        "contents": [record.text for record, _ in records],
                        "config": job.embed_config(),
                    }
                },
                config={"display_name": shard.name},
            )
            assert created.name is not None
            log.submitted(shard, created.name)
            polls.start_soon(_collect, job, aio, log, shard)
            if job.fatal is not None:
                break


async def _find_lost(aio: genaio.AsyncClient, log: BatchLog) -> None:
    """Adopt the jobs created by a run killed before it logged their names; drop the shards
    whose jobs were never created."""
    lost = {s.name: s for s in log.live() if s.job is None}
    if not lost:
        return
    async for batch in await aio.batches.list(config={"page_size": 100}):
        shard = lost.pop(batch.display_name or "", None)
        if shard is not None and batch.name is not None:
            log.submitted(shard, batch.name)
        if not lost:
            return
    for shard in lost.values():
        log.ended(shard, _NOT_SUBMITTED)


def _shards(
    records: Iterable[tuple[Record, int]], items: int
) -> Iterator[list[tuple[Record, int]]]:
    shard: list[tuple[Record, int]] = []
    chars = 0
    for record, tokens in records:
        if shard and (len(shard) >= items or chars + len(record.text) > SHARD_CHARS):
            yield shard
            shard, chars = [], 0
        shard.append((record, tokens))
        chars += len(record.text)
    if shard:
        yield shard


async def _collect(job: _Job, aio: genaio.AsyncClient, log: BatchLog, shard: Shard) -> None:
    assert shard.job is not None
    every = job.spec.poll_seconds
    policy = genaio.PollPolicy(initial_delay=every, factor=1.0, max_delay=every, timeout=None)
    ended = await aio.batches.wait(name=shard.job, poll=policy)
    job.write_batch(shard, _results(ended, len(shard.ids)))
    log.ended(shard, ended.state.value if ended.state is not None else "UNKNOWN")


def _results(ended: BatchJob, count: int) -> list[Any]:
    """Each item's embedding values or its error; all errors if the job did not succeed."""
    if ended.state != JobState.JOB_STATE_SUCCEEDED:
        reason = ended.error.message if ended.error and ended.error.message else None
        state = ended.state.value if ended.state is not None else "in an unknown state"
        failed = ServerError(500, {"error": {"message": reason or f"the batch job ended {state}"}})
        return [failed] * count
    answers = ended.dest.inlined_embed_content_responses if ended.dest else None
    if answers is None or len(answers) != count:
        got = "none" if answers is None else f"{len(answers):,}"
        error = UnknownApiResponseError(f"the batch job answered {got} results for {count:,}")
        return [error] * count
    results: list[Any] = []
    for answer in answers:
        embedding = answer.response.embedding if answer.response else None
        if answer.error is not None:
            results.append(_item_error(answer.error))
        elif embedding is None or not embedding.values:
            results.append(UnknownApiResponseError("the batch's answer holds no values"))
        else:
            results.append(embedding.values)
    return results


def _item_error(error: JobError) -> Exception:
    """A `google.rpc.Status` of one item as the error the online path would have raised."""
    body = {"error": {"message": error.message or "failed", "details": error.details}}
    if error.code == 3:  # INVALID_ARGUMENT: the item itself, every time
        body["error"]["status"] = "INVALID_ARGUMENT"
        return InvalidArgumentError(400, body)
    return ServerError(500, body)
