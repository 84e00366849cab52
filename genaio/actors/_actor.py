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

An intake that merges envelopes (coalescing) puts a serve loop in between: it takes the
mailbox's envelopes in turns, lets the intake merge them, and puts what it makes in a mailbox of
size 0 that the same workers and staffing loop serve.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol

import anyio
import attrs

from genaio._log import get_logger
from genaio.actors._envelope import Envelope
from genaio.actors._mailbox import Mailbox, failing_fast
from genaio.engine import ThrottleStatistics
from genaio.engine._retry import on_backoff
from genaio.errors import (
    ActorCrashedError,
    ClientClosedError,
    GenaioError,
    InternalError,
    QueueFullError,
)

__all__ = [
    "Actor",
    "ActorStatistics",
    "Dispatch",
    "Handler",
    "Intake",
    "Passthrough",
    "call_error",
    "single_error",
    "worker_name",
]

log = get_logger("genaio.actor")

Handler = Callable[[Envelope[Any]], Awaitable[None]]


@attrs.frozen
class Dispatch:
    """An envelope to run, and the envelopes it stands for (merged into it), if any."""

    envelope: Envelope[Any]
    absorbed: tuple[Envelope[Any], ...] = ()


class Intake(Protocol):
    """How envelopes taken from the mailbox become work to run: synchronous, no I/O.

    `idle` says that nothing else waits in the mailbox right now.
    """

    def accept(self, envelope: Envelope[Any], now: float, idle: bool) -> list[Dispatch]: ...

    def due(self, now: float, idle: bool) -> list[Dispatch]: ...

    def deadline(self) -> float: ...


class Passthrough:
    """Every envelope runs as it is, at once."""

    def accept(self, envelope: Envelope[Any], now: float, idle: bool) -> list[Dispatch]:
        return [Dispatch(envelope)]

    def due(self, now: float, idle: bool) -> list[Dispatch]:
        return []

    def deadline(self) -> float:
        return math.inf


@attrs.frozen
class ActorStatistics:
    """A snapshot of an actor, for tests, dashboards and `repr`.

    Each caller is counted in one place: `waiting` (to submit, beyond the mailbox:
    `waiting_to_submit`; in the mailbox or the actor's hands: `queued`; at its quota's throttle,
    for a pause, the rate or a slot: `throttled`) or `in_flight` (being sent, or between
    retries). Each call ends counted once: `completed` (answered), `failed` (an error reached
    the caller, by class in `failed_by`: API errors after retries, deadlines, refusals by the
    shedding policy, a closed client), `cancelled` (its caller left after submitting it) or
    `abandoned` (its caller left while waiting to submit). A call whose caller left at its
    deadline counts as failed with `DeadlineExceededError`. Calls merged into one request
    (coalesced embeddings) count as that one request.

    `limit` is how many requests may be in flight now: `concurrency`, or fewer where an
    adaptive limit has shrunk a quota's; `paused_until` is when the latest 429 pause ends, on
    the loop's clock (None: none). `quotas` has each quota's own (one per model for `models`).
    `workers` counts the worker tasks alive, busy or idle (at most `concurrency`; twice that
    for `models`, whose throttles bound the requests themselves).
    """

    name: str
    waiting: int
    waiting_to_submit: int
    queued: int
    throttled: int
    in_flight: int
    concurrency: int
    limit: int
    paused_until: float | None
    mailbox_size: int
    submitted: int
    completed: int
    failed: int
    failed_by: Mapping[str, int]
    cancelled: int
    abandoned: int
    restarts: int
    closed: bool
    workers: int
    quotas: Mapping[str, ThrottleStatistics] = attrs.field(factory=dict)

    def with_quotas(self, quotas: Mapping[str, ThrottleStatistics]) -> ActorStatistics:
        """This snapshot with its quotas' throttles folded in."""
        if not quotas:
            return self
        throttled = sum(q.waiting for q in quotas.values())
        paused = [q.paused_until for q in quotas.values() if q.paused_until is not None]
        return attrs.evolve(
            self,
            waiting=self.waiting + throttled,
            throttled=throttled,
            in_flight=max(0, self.in_flight - throttled),
            limit=min(self.concurrency, sum(q.limit for q in quotas.values())),
            paused_until=max(paused, default=None),
            quotas=dict(quotas),
        )


class Actor:
    """One family's mailbox, workers and concurrency limit."""

    def __init__(
        self,
        name: str,
        handler: Handler,
        *,
        mailbox_size: int,
        concurrency: int,
        intake: Intake | None = None,
        max_waiting: int | None = None,
        max_wait: float | None = None,
        fail_when_full: bool = False,
        workers: int | None = None,
    ):
        if mailbox_size < 0 or concurrency < 1:
            raise ValueError("mailbox_size must be >= 0 and concurrency >= 1")
        self.name = name
        self._handler = handler
        self._intake_policy = intake or Passthrough()
        self._mailbox_size = mailbox_size
        self._concurrency = concurrency
        # Up to `workers`, spare workers stand in for those whose call sleeps out a retry's
        # backoff: only where throttles bound the requests themselves (models).
        self._max_workers = max(workers or concurrency, concurrency)
        self._backing_off = 0
        self._spare_wanted: anyio.Event | None = None
        self._turn_size = max(1, mailbox_size)  # envelopes the serve loop takes in one turn
        # The buffer is the backpressure: callers beyond it wait in `submit`.
        self._mailbox: Mailbox[Envelope[Any]] = Mailbox(mailbox_size)
        # The shedding policy: how many callers may wait for room, how long, or none at all.
        self._max_waiting = max_waiting
        self._max_wait = max_wait
        self._fail_when_full = fail_when_full
        # Envelopes taken from the mailbox whose reply is not done: failed if the actor stops.
        self._held: set[Envelope[Any]] = set()
        self._started = self._busy = 0  # this run's workers, and those serving an envelope
        self._intake: anyio.CancelScope | None = None
        self._closing = False
        self.submitted = self.completed = self.failed = self.restarts = 0
        self.cancelled = self.abandoned = 0
        self._failed_by: Counter[str] = Counter()

    async def submit(self, envelope: Envelope[Any]) -> None:
        """Put `envelope` in the mailbox (or hand it to an idle worker), waiting while the
        mailbox is full.

        Cancellation: either the envelope is in the mailbox or it was never sent (see
        `Mailbox.put` for asyncio, where `call` abandons the envelope).
        """
        await anyio.lowlevel.checkpoint()
        await self._put(envelope)

    async def call(self, work: Any, *, deadline: float = float("inf"), **context: Any) -> Any:
        """Submit `work` and wait for its reply.

        Cancellation: cancelling the caller cancels exactly this call's work; an envelope whose
        caller has gone before a worker took it is never started.
        """
        envelope: Envelope[Any] = Envelope(work, deadline=deadline, log_context=context)
        try:
            await self._put(envelope)  # no checkpoint if there is room: waiting below is one
        except BaseException:
            envelope.reply.abandon()
            raise
        try:
            return await envelope.reply.wait()
        except Exception:
            raise  # the reply's error: counted by whoever failed it
        except BaseException:
            self._left(envelope, submitted=True)
            raise

    async def _put(self, envelope: Envelope[Any]) -> None:
        """Into the mailbox, or wait for room as the shedding policy allows.

        Raises `QueueFullError` when the policy refuses to wait (longer), and
        `ClientClosedError` once the actor is closed.
        """
        mailbox = self._mailbox
        try:
            if not mailbox.put_nowait(envelope):
                await self._wait_for_room(envelope)
        except anyio.ClosedResourceError:
            await anyio.lowlevel.checkpoint()  # refused at once, but still a checkpoint
            error = ClientClosedError(f"the client is closed ({self.name} takes no more calls)")
            self._count_failure(error)
            raise error from None
        self.submitted += 1

    async def _wait_for_room(self, envelope: Envelope[Any]) -> None:
        waiting = self._mailbox.statistics().waiting_put
        if self._fail_when_full or failing_fast():
            await self._shed(f"the {self.name} queue is full and this call does not wait")
        if self._max_waiting is not None and waiting >= self._max_waiting:
            await self._shed(f"the {self.name} queue is full and {waiting} callers wait already")
        try:
            if self._max_wait is None:
                await self._mailbox.put(envelope)
                return
            with anyio.move_on_after(self._max_wait) as scope:
                await self._mailbox.put(envelope)
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

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED):
        """Serve the mailbox until `close()`; return once every worker has finished.

        Cancellation: cancels every worker; what they held stays held, for `fail_held`.
        """
        self._started = self._busy = self._backing_off = 0
        if self._max_workers > self._concurrency:
            self._spare_wanted = anyio.Event()
            on_backoff.set(self._on_backoff)  # the workers started below inherit it
        async with anyio.create_task_group() as workers:
            task_status.started()
            if isinstance(self._intake_policy, Passthrough):
                await self._staff(workers, self._mailbox)
                return
            dispatched: Mailbox[Envelope[Any]] = Mailbox(0)  # the serve loop waits for a worker
            workers.start_soon(self._staff, workers, dispatched)
            try:
                await self._serve(dispatched)
            finally:
                dispatched.close()  # workers end once they find it empty

    async def _staff(self, workers: anyio.abc.TaskGroup, source: Mailbox[Envelope[Any]]) -> None:
        """Start a worker for each envelope that found none idle, until there are
        `concurrency`; from then on, what arrives waits in `source` for a worker to finish.

        Workers are started here, in the actor's own task, so that none runs in the context
        variables of a caller. Ends when `source` is closed.
        """
        while True:
            while self._started < min(self._max_workers, self._concurrency + self._backing_off):
                try:
                    envelope = await source.get(last=True)
                except anyio.EndOfStream:
                    return
                self._held.add(envelope)
                self._started += 1
                workers.start_soon(self._work, source, envelope, name=worker_name(self.name))
            if self._spare_wanted is None or self._closing:
                return
            await self._spare_wanted.wait()  # a worker went to sleep out a backoff (or close)
            self._spare_wanted = anyio.Event()

    def _on_backoff(self, sleeping: bool) -> None:
        self._backing_off += 1 if sleeping else -1
        if sleeping and self._spare_wanted is not None:
            self._spare_wanted.set()

    async def _work(self, source: Mailbox[Envelope[Any]], first: Envelope[Any]) -> None:
        """Serve `first`, then every next one `source` gives, until it is closed.

        Cancellation: each envelope runs in a cancel scope bound to its reply, so that a caller
        who leaves cancels exactly its work. The scope serves one envelope after another and is
        replaced only once cancelled: a new one per envelope would cost more than the hand-off.
        """
        envelope: Envelope[Any] | None = first
        while True:
            with anyio.CancelScope() as scope:
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
                    # Only a caller who left cancels the scope (trio's `cancel_called` reads
                    # the clock: asked only then, not per envelope).
                    if served.reply.abandoned and scope.cancel_called:
                        break

    async def _perform(self, envelope: Envelope[Any], scope: anyio.CancelScope) -> None:
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

    async def _serve(self, dispatched: Mailbox[Envelope[Any]]) -> None:
        """The serve loop of an intake that merges: take the mailbox's envelopes in turns, and
        put what the intake makes of them in `dispatched`, until `close()`."""
        with anyio.CancelScope() as self._intake:
            if self._closing:
                self._intake.cancel()
            intake = self._intake_policy
            while True:
                try:
                    envelopes = await self._next_envelopes(intake.deadline())
                except anyio.EndOfStream:
                    return
                # Idle: the mailbox had nothing more when this turn took what it held (the
                # drain stopped short), so the last envelope has no company coming.
                idle = len(envelopes) < self._turn_size
                now = anyio.current_time()
                ready: list[Dispatch] = []
                last = len(envelopes) - 1
                for i, envelope in enumerate(envelopes):
                    if not envelope.reply.abandoned:
                        self._held.add(envelope)
                        ready += intake.accept(envelope, now, idle and i == last)
                ready += intake.due(now, idle)
                for dispatch in ready:
                    await self._dispatch(dispatched, dispatch)

    async def _next_envelopes(self, deadline: float) -> list[Envelope[Any]]:
        """Wait for an envelope (or the intake's deadline), then take what else is waiting in
        the same turn: one scheduling round per envelope would cost time and, on a busy loop,
        starve coalescing. At most a mailbox's worth, so what the actor holds stays bounded by its
        limits: twice the mailbox (its buffer, and a turn awaiting workers) plus the workers."""
        await anyio.lowlevel.checkpoint()  # a turn per scheduling round, even when never idle
        taken: list[Envelope[Any]] = []
        if deadline == math.inf:
            taken.append(await self._mailbox.get())
        else:
            with anyio.move_on_at(deadline):
                taken.append(await self._mailbox.get())
        while len(taken) < self._turn_size:
            try:
                taken.append(self._mailbox.get_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
        return taken

    async def _dispatch(self, dispatched: Mailbox[Envelope[Any]], dispatch: Dispatch) -> None:
        envelope = dispatch.envelope
        self._held.difference_update(dispatch.absorbed)
        self._held.add(envelope)
        try:
            await dispatched.put(envelope)  # to an idle worker, the staffing loop, or the next free
        except BaseException:
            if self._closing:
                self._held.discard(envelope)
                envelope.reply.fail(self._closed_error())
            raise

    def close(self) -> None:
        """Stop intake at once: submitters, waiting or new, and queued envelopes get
        `ClientClosedError`; work already started goes on until it ends or is cancelled."""
        self._closing = True
        self._mailbox.close()
        if self._spare_wanted is not None:
            self._spare_wanted.set()
        if self._intake is not None:
            self._intake.cancel()
        while True:
            try:
                envelope = self._mailbox.get_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                return
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

    def statistics(self) -> ActorStatistics:
        mailbox = self._mailbox.statistics()
        # Taken but not running: merging, or waiting for a worker in the serve loop.
        queued = mailbox.buffered + len(self._held) - self._busy
        return ActorStatistics(
            name=self.name,
            waiting=mailbox.waiting_put + queued,
            waiting_to_submit=mailbox.waiting_put,
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
        return (
            f"<Actor {s.name} waiting={s.waiting} queued={s.queued}/{s.mailbox_size} "
            f"in_flight={s.in_flight}/{s.concurrency} restarts={s.restarts}>"
        )


def worker_name(actor: str) -> str:
    """The task name of an actor's workers (what `genaio.testing` tells apart from leaks)."""
    return f"genaio {actor} worker"


def call_error(exc: BaseException, where: str) -> BaseException:
    """What the caller of work that raised `exc` gets: one genaio error (an API error as it is),
    or `InternalError` with the bug as its cause, logged, for anything else. `where` names the
    work, for the message."""
    error = single_error(exc)
    if isinstance(error, GenaioError) or not isinstance(error, Exception):
        return error
    log.error("a call failed on an unexpected exception", where=where, exc_info=error)
    internal = InternalError(f"genaio failed on this call ({where}): {_describe(error)}")
    internal.__cause__ = error
    return internal


def _crash_error(name: str, exc: BaseException) -> ActorCrashedError:
    error = ActorCrashedError(f"the {name} actor crashed: {_describe(exc)}")
    error.__cause__ = exc
    return error


def single_error(exc: BaseException) -> BaseException:
    """One error for what may be an exception group (groups never leave the facade): its first
    genaio error, else its first `Exception`, else its first leaf.

    The others are not dropped: a note on the error names them, and they are its `__cause__`
    (an exception group) unless it has a cause of its own.
    """
    if not isinstance(exc, BaseExceptionGroup):
        return exc
    leaves = list(_leaves(exc))
    if not leaves:
        return exc
    error = next(
        (e for e in leaves if isinstance(e, GenaioError)),
        next((e for e in leaves if isinstance(e, Exception)), leaves[0]),
    )
    others = [e for e in leaves if e is not error]
    if others:
        error.add_note(
            f"{len(others)} more error(s) raised with it: "
            + "; ".join(_describe(other) for other in others)
        )
        if error.__cause__ is None:
            error.__cause__ = BaseExceptionGroup("the errors raised with it", others)
    error.__suppress_context__ = True  # the group it came in adds nothing
    return error


def _leaves(exc: BaseException) -> Iterator[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
