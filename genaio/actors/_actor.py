"""The actor: a bounded mailbox, workers, and a concurrency limit.

Callers `submit` envelopes; a full mailbox makes them wait, which is the backpressure, as long
and as many as the shedding policy allows (`max_waiting`, `max_wait`, `fail_when_full`; then
`QueueFullError`). Workers serve them, one envelope at a time each, at most `concurrency` at
once (the models actor adds spares for calls sleeping out a retry's backoff). A worker runs the
actor's handler, which replies through the envelope. API errors (any `GenaioError`) are replies.
Any other exception raised by one envelope's work (a bug, or an answer the work could not handle)
fails that envelope alone, with `InternalError`: the blast radius of anything a server sends is
one call, so no answer can crash the actor or spend its restart budget. Only a failure of the
actor's own loop (taking, merging and handing out envelopes) crashes it, for its supervisor.

A worker stays for the next envelope: when it has finished one it takes the next from the
mailbox, or waits there, idle, to be handed the next that arrives. So a call at concurrency 1
costs two hand-offs (caller -> worker, then the reply back), and no task is spawned per call.
Workers are started lazily, by the actor's staffing loop, which waits in the mailbox behind every
idle worker: it only receives an envelope that found none, and starts a worker for it, until
there are `concurrency`. Workers stay until the actor closes.

A family actor is an `Actor` whose handler performs REST calls (`FamilyActor`); the models
actor adds a second intake for coalesced embeddings (`ModelsActor`), whose serve loop puts the
merged requests it decides to send in this same mailbox. Every other call takes the way above.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import sniffio
import trio

from genaio.actors._envelope import Envelope
from genaio.actors._errors import call_error
from genaio.actors._mailbox import Mailbox, failing_fast
from genaio.actors._reply import Cancellable
from genaio.actors._statistics import ActorStatistics
from genaio.engine._retry import on_backoff
from genaio.errors import ClientClosedError, QueueFullError

__all__ = ["Actor", "ActorStatistics", "Handler", "worker_name"]

Handler = Callable[[Envelope[Any]], Awaitable[None]]


class Actor:
    """One family's mailbox, workers and concurrency limit."""

    def __init__(
        self,
        name: str,
        handler: Handler,
        *,
        mailbox_size: int,
        concurrency: int,
        max_waiting: int | None = None,
        max_wait: float | None = None,
        fail_when_full: bool = False,
        workers: int | None = None,
    ):
        if mailbox_size < 0 or concurrency < 1:
            raise ValueError("mailbox_size must be >= 0 and concurrency >= 1")
        self.name = name
        self._handler = handler
        self._mailbox_size = mailbox_size
        self._concurrency = concurrency
        # Up to `workers`, spare workers stand in for those whose call sleeps out a retry's
        # backoff: only where throttles bound the requests themselves (models).
        self._max_workers = max(workers or concurrency, concurrency)
        self._backing_off = 0
        self._spare_wanted: anyio.Event | None = None
        # The buffer is the backpressure: callers beyond it wait in `call`.
        self._mailbox: Mailbox[Envelope[Any]] = Mailbox(mailbox_size)
        # Every mailbox callers put in (the models actor adds its coalescer's), for `close` and
        # `statistics`.
        self._mailboxes = [self._mailbox]
        # The shedding policy: how many callers may wait for room, how long, or none at all.
        self._max_waiting = max_waiting
        self._max_wait = max_wait
        self._fail_when_full = fail_when_full
        # Envelopes taken from the mailbox whose reply is not done: failed if the actor stops.
        self._held: set[Envelope[Any]] = set()
        self._started = self._busy = 0  # this run's workers, and those serving an envelope
        self._closing = False
        self.submitted = self.completed = self.failed = self.restarts = 0
        self.cancelled = self.abandoned = 0
        self._failed_by: Counter[str] = Counter()

    async def submit(self, envelope: Envelope[Any]) -> None:
        """Put `envelope` in the mailbox (or hand it to an idle worker), waiting while the
        mailbox is full; its reply is the caller's to await.

        Cancellation: either the envelope is in the mailbox or it was never sent (see
        `Mailbox.put` for asyncio, where `call` abandons the envelope).
        """
        await anyio.lowlevel.checkpoint()
        await self._put(envelope)

    async def call(self, work: Any, *, deadline: float = float("inf")) -> Any:
        """Submit `work` and wait for its reply.

        Cancellation: cancelling the caller cancels exactly this call's work; an envelope whose
        caller has gone before a worker took it is never started.
        """
        envelope: Envelope[Any] = Envelope(work, deadline=deadline)
        try:
            await self._put(envelope)  # no checkpoint if there is room: waiting below is one
        except BaseException:
            envelope.reply.abandon()
            raise
        try:
            return await envelope.reply.result()
        except Exception:
            raise  # the reply's error: counted by whoever failed it
        except BaseException:
            self._left(envelope, submitted=True)
            raise

    async def _put(
        self, envelope: Envelope[Any], mailbox: Mailbox[Envelope[Any]] | None = None
    ) -> None:
        """Into `mailbox` (the actor's own by default), or wait for room as the shedding policy
        allows.

        Raises `QueueFullError` when the policy refuses to wait (longer), and
        `ClientClosedError` once the actor is closed.
        """
        mailbox = mailbox or self._mailbox
        try:
            if not mailbox.put_nowait(envelope):
                await self._wait_for_room(envelope, mailbox)
        except anyio.ClosedResourceError:
            await anyio.lowlevel.checkpoint()  # refused at once, but still a checkpoint
            error = ClientClosedError(f"the client is closed ({self.name} takes no more calls)")
            self._count_failure(error)
            raise error from None
        self.submitted += 1

    async def _wait_for_room(
        self, envelope: Envelope[Any], mailbox: Mailbox[Envelope[Any]]
    ) -> None:
        waiting = mailbox.statistics().waiting_put
        if self._fail_when_full or failing_fast():
            await self._shed(f"the {self.name} queue is full and this call does not wait")
        if self._max_waiting is not None and waiting >= self._max_waiting:
            await self._shed(f"the {self.name} queue is full and {waiting} callers wait already")
        try:
            if self._max_wait is None:
                await mailbox.put(envelope)
                return
            with anyio.move_on_after(self._max_wait) as scope:
                await mailbox.put(envelope)
        except anyio.ClosedResourceError:
            raise
        except BaseException:
            self._left(envelope, submitted=False)
            raise
        if scope.cancelled_caught:
            await self._shed(f"the {self.name} queue had no room for {self._max_wait:g} s")

    async def _shed(self, message: str) -> None:
        await anyio.lowlevel.checkpoint()
        error = QueueFullError(message)
        self._count_failure(error)
        raise error

    def _left(self, envelope: Envelope[Any], *, submitted: bool) -> None:
        """The caller left: at its deadline (a failure), or of its own accord. (Left as its
        answer came: the worker has counted that.)"""
        if envelope.reply.done:
            return
        if anyio.current_time() >= envelope.deadline:
            self.failed += 1
            self._failed_by["DeadlineExceededError"] += 1
        elif submitted:
            self.cancelled += 1
        else:
            self.abandoned += 1

    def _count_failure(self, error: BaseException, count: int = 1) -> None:
        self.failed += count
        self._failed_by[type(error).__name__] += count

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Serve the mailbox until `close()`; return once every worker has finished.

        Cancellation: cancels every worker; what they held stays held, for `fail_held`.
        """
        self._started = self._busy = self._backing_off = 0
        if self._max_workers > self._concurrency:
            self._spare_wanted = anyio.Event()
            on_backoff.set(self._on_backoff)  # the workers started below inherit it
        async with self._open_workers() as start_worker:
            task_status.started()
            await self._staff(start_worker)

    @asynccontextmanager
    async def _open_workers(self) -> AsyncIterator[Callable[[Envelope[Any]], object]]:
        """The task group the workers run in, as the function that starts one for an envelope.

        On trio, trio's own nursery: anyio's task group gives each task a handle with its own
        cancel scope and event (measured: ~15 µs and ten objects more per task), and a burst
        of calls starts a worker for each, on the way to its first request out. Cancelling,
        and a crash, go through both alike.
        """
        name = worker_name(self.name)
        if sniffio.current_async_library() == "trio":
            async with trio.open_nursery() as nursery:
                yield lambda envelope: nursery.start_soon(self._work, envelope, name=name)
        else:
            async with anyio.create_task_group() as group:
                yield lambda envelope: group.start_soon(self._work, envelope, name=name)

    async def _staff(self, start_worker: Callable[[Envelope[Any]], object]) -> None:
        """Start a worker for each envelope that found none idle, until there are
        `concurrency`; from then on, what arrives waits in the mailbox for a worker to finish.

        Workers are started here, in the actor's own task, so that none runs in the context
        variables of a caller. Ends when the mailbox is closed.
        """
        source = self._mailbox
        while True:
            while self._started < min(self._max_workers, self._concurrency + self._backing_off):
                try:
                    envelope = await source.get(last=True)
                except anyio.EndOfStream:
                    return
                self._held.add(envelope)
                self._started += 1
                start_worker(envelope)
                del envelope  # the worker's now: this loop must not keep it alive
            if self._spare_wanted is None or self._closing:
                return
            await self._spare_wanted.wait()  # a worker went to sleep out a backoff (or close)
            self._spare_wanted = anyio.Event()

    def _on_backoff(self, sleeping: bool) -> None:
        self._backing_off += 1 if sleeping else -1
        if sleeping and self._spare_wanted is not None:
            self._spare_wanted.set()

    async def _work(self, first: Envelope[Any]) -> None:
        """Serve `first`, then every next one the mailbox gives, until it is closed.

        Cancellation: each envelope runs in a cancel scope bound to its reply, so that a caller
        who leaves cancels exactly its work. The scope serves one envelope after another and is
        replaced only once cancelled: a new one per envelope would cost more than the hand-off.
        """
        source = self._mailbox
        # Nothing here may hold an envelope once it is served: a worker lives as long as the
        # actor, and an envelope holds its call's request and answer.
        envelope: Envelope[Any] | None = first
        del first
        on_trio = sniffio.current_async_library() == "trio"
        while True:
            # trio's own scope on trio: anyio's wraps one, two objects more per worker.
            with trio.CancelScope() if on_trio else anyio.CancelScope() as scope:
                while True:
                    if envelope is None:
                        if self._started > self._concurrency + self._backing_off:
                            self._started -= 1  # a spare no longer needed
                            return
                        try:
                            envelope = await source.get()
                        except anyio.EndOfStream:
                            return
                        self._held.add(envelope)
                    served, envelope = envelope, None
                    await self._perform(served, scope)
                    left = served.reply.abandoned
                    del served
                    # Only a caller who left cancels the scope (trio's `cancel_called` reads
                    # the clock: asked only then, not per envelope).
                    if left and scope.cancel_called:
                        break

    async def _perform(self, envelope: Envelope[Any], scope: Cancellable) -> None:
        """Run the handler with `scope` bound to the reply, unless the caller has gone."""
        reply = envelope.reply
        if reply.abandoned:
            self._held.discard(envelope)
            return
        self._busy += 1
        reply.bind(scope)
        failed = False
        try:
            try:
                await self._handler(envelope)
            except Exception as exc:  # this envelope's failure, never the actor's
                failed = True
                error = call_error(exc, f"{self.name} actor")
                if not reply.abandoned:
                    self._count_failure(error)
                reply.fail(error)
        finally:
            reply.unbind()  # the scope goes on to the next envelope
            self._busy -= 1
            # An unanswered envelope stays held: whoever cancelled this worker fails it.
            if reply.done or reply.abandoned:
                self._held.discard(envelope)
                if reply.done and not failed and not reply.abandoned:
                    self.completed += 1

    def close(self) -> None:
        """Stop intake at once: submitters, waiting or new, and queued envelopes get
        `ClientClosedError`; work already started goes on until it ends or is cancelled."""
        self._closing = True
        if self._spare_wanted is not None:
            self._spare_wanted.set()
        for mailbox in self._mailboxes:
            mailbox.close()
            while True:
                try:
                    envelope = mailbox.get_nowait()
                except (anyio.WouldBlock, anyio.EndOfStream):
                    break
                error = self._closed_error()
                envelope.reply.fail(error)
                self._count_failure(error)

    def _closed_error(self) -> ClientClosedError:
        return ClientClosedError(f"the client was closed before {self.name} served this call")

    def fail_held(self, error: BaseException) -> None:
        """Fail every envelope this actor took but did not answer (after a crash or a stop)."""
        held, self._held = self._held, set()
        for envelope in held:
            envelope.reply.fail(error)
        self._count_failure(error, len(held))

    @property
    def closed(self) -> bool:
        """Whether `close()` has been called (work already started may still be running)."""
        return self._closing

    def statistics(self) -> ActorStatistics:
        """A snapshot; reads only."""
        buffered = waiting_put = 0
        for mailbox in self._mailboxes:
            counts = mailbox.statistics()
            buffered += counts.buffered
            waiting_put += counts.waiting_put
        # Taken but not running: being merged (coalescing), or just taken by a worker.
        queued = buffered + len(self._held) - self._busy
        return ActorStatistics(
            name=self.name,
            waiting=waiting_put + queued,
            waiting_to_submit=waiting_put,
            queued=queued,
            throttled=0,
            in_flight=self._busy,
            concurrency=self._concurrency,
            limit=self._concurrency,
            paused_until=None,
            mailbox_size=self._mailbox_size,
            submitted=self.submitted,
            completed=self.completed,
            failed=self.failed,
            failed_by=dict(self._failed_by),
            cancelled=self.cancelled,
            abandoned=self.abandoned,
            restarts=self.restarts,
            closed=self._closing,
            workers=self._started,
        )

    def __repr__(self) -> str:
        s = self.statistics()
        state = " closed" if s.closed else ""
        return (
            f"<{type(self).__name__} {s.name}{state} waiting={s.waiting} "
            f"queued={s.queued}/{s.mailbox_size} in_flight={s.in_flight}/{s.limit} "
            f"workers={s.workers} restarts={s.restarts}>"
        )


def worker_name(actor: str) -> str:
    """The task name of an actor's workers (what `genaio.testing` tells apart from leaks)."""
    return f"genaio {actor} worker"
