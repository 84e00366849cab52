"""The actor: a bounded mailbox, a task group of workers, and a concurrency limit.

Callers `submit` envelopes; a full mailbox makes them wait, which is the backpressure. The serve
loop takes envelopes in order and starts a worker for each, at most `concurrency` at a time. A
worker runs the actor's handler, which replies through the envelope. API errors (any
`GenaioError`) are replies; any other exception is a bug that crashes the actor, for its
supervisor to handle.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import anyio
import attrs

from genaio._log import get_logger
from genaio.actors._envelope import Envelope
from genaio.errors import ActorCrashedError, ClientClosedError, GenaioError

__all__ = ["Actor", "ActorStatistics", "Dispatch", "Handler", "Intake", "Passthrough"]

Handler = Callable[[Envelope[Any]], Awaitable[None]]
log = get_logger("genaio.actors")


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
    """A snapshot of an actor, for tests, dashboards and `repr`."""

    name: str
    queued: int
    in_flight: int
    concurrency: int
    mailbox_size: int
    submitted: int
    completed: int
    failed: int
    restarts: int
    closed: bool


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
    ):
        if mailbox_size < 0 or concurrency < 1:
            raise ValueError("mailbox_size must be >= 0 and concurrency >= 1")
        self.name = name
        self._handler = handler
        self._intake_policy = intake or Passthrough()
        self._mailbox_size = mailbox_size
        self._turn_size = max(1, mailbox_size)  # envelopes the serve loop takes in one turn
        # The buffer is the backpressure: callers beyond it wait in `submit`.
        self._send, self._receive = anyio.create_memory_object_stream[Envelope[Any]](mailbox_size)
        self._capacity = anyio.CapacityLimiter(concurrency)
        # Envelopes taken from the mailbox whose reply is not done: failed if the actor stops.
        self._held: set[Envelope[Any]] = set()
        self._intake: anyio.CancelScope | None = None
        self._closing = False
        self.submitted = self.completed = self.failed = self.restarts = 0

    async def submit(self, envelope: Envelope[Any]) -> None:
        """Put `envelope` in the mailbox, waiting while it is full.

        Cancellation: either the envelope is in the mailbox or it was never sent.
        """
        try:
            await self._send.send(envelope)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise ClientClosedError(
                f"the client is closed ({self.name} takes no more calls)"
            ) from None
        self.submitted += 1

    async def call(self, work: Any, *, deadline: float = float("inf"), **context: Any) -> Any:
        """Submit `work` and wait for its reply.

        Cancellation: cancelling the caller cancels exactly this call's work.
        """
        envelope: Envelope[Any] = Envelope(work, deadline=deadline, log_context=context)
        await self.submit(envelope)
        return await envelope.reply.wait()

    async def run(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED):
        """Serve the mailbox until `close()`; return once every worker has finished."""
        async with anyio.create_task_group() as workers:
            task_status.started()
            with anyio.CancelScope() as self._intake:
                if self._closing:
                    self._intake.cancel()
                intake = self._intake_policy
                while True:
                    try:
                        envelopes = await self._next_envelopes(intake.deadline())
                    except anyio.EndOfStream:
                        break
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
                        await self._dispatch(workers, dispatch)
            self.fail_queued()

    async def _next_envelopes(self, deadline: float) -> list[Envelope[Any]]:
        """Wait for an envelope (or the intake's deadline), then take what else is waiting in
        the same turn: one scheduling round per envelope would cost time and, on a busy loop,
        starve coalescing. At most a mailbox's worth, so what the actor holds stays bounded by its
        limits: twice the mailbox (its buffer, and a turn awaiting workers) plus the workers."""
        taken: list[Envelope[Any]] = []
        if deadline == math.inf:
            taken.append(await self._receive.receive())
        else:
            with anyio.move_on_at(deadline):
                taken.append(await self._receive.receive())
        while len(taken) < self._turn_size:
            try:
                taken.append(self._receive.receive_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
        return taken

    async def _dispatch(self, workers: anyio.abc.TaskGroup, dispatch: Dispatch) -> None:
        envelope = dispatch.envelope
        self._held.difference_update(dispatch.absorbed)
        self._held.add(envelope)
        try:
            try:  # no scheduling round when a worker slot is free: the common case
                self._capacity.acquire_on_behalf_of_nowait(envelope)
            except anyio.WouldBlock:
                await self._capacity.acquire_on_behalf_of(envelope)
        except BaseException:
            if self._closing:
                self._held.discard(envelope)
                envelope.reply.fail(self._closed_error())
            raise
        if envelope.reply.abandoned:  # its caller left while it waited for capacity
            self._held.discard(envelope)
            self._capacity.release_on_behalf_of(envelope)
            return
        workers.start_soon(self._work, envelope)

    def close(self) -> None:
        """Stop intake at once: submitters, waiting or new, and queued envelopes get
        `ClientClosedError`; work already started goes on until it ends or is cancelled."""
        self._closing = True
        self._send.close()
        if self._intake is not None:
            self._intake.cancel()

    def fail_queued(self) -> None:
        """Fail every envelope still in the mailbox with `ClientClosedError` (after `close`,
        when no serve loop will drain it)."""
        while True:
            try:
                envelope = self._receive.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                return
            envelope.reply.fail(self._closed_error())
            self.failed += 1

    def _closed_error(self) -> ClientClosedError:
        return ClientClosedError(f"the client was closed before {self.name} served this call")

    def fail_held(self, error: BaseException) -> None:
        """Fail every envelope this actor took but did not answer (after a crash or a stop)."""
        held, self._held = self._held, set()
        for envelope in held:
            envelope.reply.fail(error)
        self.failed += len(held)

    def statistics(self) -> ActorStatistics:
        running = int(self._capacity.borrowed_tokens)
        return ActorStatistics(
            name=self.name,
            # The serve loop may hold one envelope while it waits for a worker slot.
            queued=self._receive.statistics().current_buffer_used + len(self._held) - running,
            in_flight=running,
            concurrency=int(self._capacity.total_tokens),
            mailbox_size=self._mailbox_size,
            submitted=self.submitted,
            completed=self.completed,
            failed=self.failed,
            restarts=self.restarts,
            closed=self._closing,
        )

    def __repr__(self) -> str:
        s = self.statistics()
        return (
            f"<Actor {s.name} queued={s.queued}/{s.mailbox_size} "
            f"in_flight={s.in_flight}/{s.concurrency} restarts={s.restarts}>"
        )

    async def _work(self, envelope: Envelope[Any]) -> None:
        reply = envelope.reply
        try:
            with anyio.CancelScope() as scope:
                reply.bind(scope)
                try:
                    await self._handler(envelope)
                except GenaioError as exc:
                    reply.fail(exc)
                except Exception as exc:
                    reply.fail(_crash_error(self.name, exc))
                    raise
        finally:
            self._capacity.release_on_behalf_of(envelope)
            # An unanswered envelope stays held: whoever cancelled this worker fails it.
            if reply.done or reply.abandoned:
                self._held.discard(envelope)
                if reply.done:
                    self.completed += 1


def _crash_error(name: str, exc: BaseException) -> ActorCrashedError:
    error = ActorCrashedError(f"the {name} actor crashed: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error
