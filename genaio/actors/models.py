"""The models actor: generate, stream, embed and count, rate limited per model, with single
embedding calls coalesced into batch requests.

A call that cannot be coalesced takes the ordinary way (`Actor.call`: the mailbox, a worker).
A batchable call (a single `embed_content`, with a batch policy) joins a merged request
(`_coalesce`); the caller that opens one takes it to the batch mailbox, whose serve loop merges
and times the batches and puts each it sends in the ordinary mailbox, for the same workers.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

import anyio

from genaio._telemetry import CURRENT, CallTrace, batch_trace, end_batch
from genaio.actors._batch import BatchWork, Member, Rejoin, perform_batch
from genaio.actors._coalesce import BatchPolicy, Coalescer, Dispatch
from genaio.actors._envelope import Envelope
from genaio.actors._family import FamilyActor
from genaio.actors._limits import FamilyLimits
from genaio.actors._mailbox import Mailbox
from genaio.actors._rest import RestWork
from genaio.engine import HttpTransport, RateLimit, Throttle
from genaio.errors import ClientClosedError

if TYPE_CHECKING:
    from genaio.engine._redis_quota import RedisQuota, Spawn

__all__ = ["ModelsActor", "model_id"]


def model_id(model: str) -> str:
    """The bare id a rate limit is keyed by: `models/x`, `publishers/google/models/x` -> `x`."""
    return model.rsplit("/", 1)[-1]


class ModelsActor(FamilyActor):
    """Each model has its own requests and tokens per minute, as the API's quotas do; with a
    batch policy, batchable calls (embeddings) share requests."""

    def __init__(
        self,
        transport: HttpTransport,
        limits: FamilyLimits,
        model_rates: Mapping[str, RateLimit],
        batching: BatchPolicy | None = None,
        quota: RedisQuota | None = None,
        *,
        spawn: Spawn | None = None,
    ) -> None:
        # Every call's attempts pass its model's throttle, which bounds the requests in flight
        # to `concurrency`; a worker sleeping out a retry's backoff holds no request, so twice
        # as many workers keep the requests flowing while a steady share of calls back off.
        super().__init__("models", transport, limits, workers=2 * limits.concurrency)
        self.quota_store = quota
        self._spawn = spawn  # the tree's, for a shared quota's background publishes
        self._model_rates = {model_id(name): rate for name, rate in model_rates.items()}
        self.coalescer = Coalescer(batching, self.throttle) if batching is not None else None
        # Merged envelopes on their way to the serve loop: bounded like the ordinary mailbox.
        self._batches: Mailbox[Envelope[Any]] = Mailbox(limits.mailbox_size)
        self._mailboxes.append(self._batches)
        self._turn_size = max(1, limits.mailbox_size)  # envelopes the loop takes in one turn
        self._serving: anyio.CancelScope | None = None

    def call(self, work: RestWork, *, deadline: float = math.inf) -> Coroutine[Any, Any, Any]:
        """Submit `work` and wait for its reply; a batchable call joins a merged request.

        Not `async`: a batchable call's waiting coroutine then holds its light `Member`, not
        `work` (10,000 coalesced calls, measured: a quarter less CPU, a full collection fewer).

        Cancellation: cancelling the caller cancels exactly this call's work; a caller that
        leaves while taking a merged request to the mailbox sends its other members to
        another one.
        """
        if self.coalescer is None or work.batchable is None:
            return super().call(work, deadline=deadline)
        return self._join(Member.of(work, deadline))

    def quota_key(self, rate_key: str | None) -> str | None:
        """Each model is a quota of its own (and calls of no model share one)."""
        return model_id(rate_key) if rate_key is not None else None

    def new_throttle(self, quota: str | None) -> Throttle:
        """Every model gets one, even with no rate set: a 429 pauses the model, and (with
        `adaptive`) latency and sustained 5xx failures move its concurrency limit."""
        rate = self.limits.rate if quota is None else self._model_rates.get(quota, self.limits.rate)
        store = self.quota_store
        limiter = None
        if store is not None and quota is not None:
            limiter = store.limiter(quota, rate, spawn=self._spawn)
        return self._throttle(rate, limiter=limiter)

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Serve both mailboxes until `close()` (the batch one only with a batch policy).

        Cancellation: as `Actor.run`; batches the serve loop held stay held, for `fail_held`.
        """
        if self.coalescer is None:
            await super().run(task_status=task_status)
            return
        async with anyio.create_task_group() as group:
            await group.start(super().run)
            task_status.started()
            await self._serve_batches(self.coalescer)

    def close(self) -> None:
        super().close()
        if self._serving is not None:
            self._serving.cancel()

    async def _join(self, member: Member) -> Any:
        coalescer = self.coalescer
        assert coalescer is not None
        while True:
            merged = coalescer.join(member)
            if merged is not None:
                try:
                    await anyio.lowlevel.checkpoint()
                    await self._put(merged, self._batches)
                except ClientClosedError as error:
                    coalescer.withdraw(merged, error)
                    raise
                except BaseException:
                    coalescer.withdraw(merged, Rejoin())
                    raise
            try:
                return member.own(await member.result())
            except Rejoin:
                member = member.renewed()

    async def _serve_batches(self, coalescer: Coalescer) -> None:
        """Take the batch mailbox's envelopes in turns, let the coalescer merge them, and put
        what it sends in the ordinary mailbox, until `close()`."""
        with anyio.CancelScope() as self._serving:
            if self.closed:
                self._serving.cancel()
            while True:
                try:
                    envelopes = await self._next_batches(coalescer.deadline())
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
                        ready += coalescer.accept(envelope, now, idle and i == last)
                ready += coalescer.due(now, idle)
                for dispatch in ready:
                    await self._dispatch(dispatch)

    async def _next_batches(self, deadline: float) -> list[Envelope[Any]]:
        """Wait for a merged envelope (or the coalescer's deadline), then take what else is
        waiting in the same turn: one scheduling round per envelope would cost time and, on a
        busy loop, starve coalescing. At most a mailbox's worth, so what the actor holds stays
        bounded by its limits."""
        await anyio.lowlevel.checkpoint()  # a turn per scheduling round, even when never idle
        taken: list[Envelope[Any]] = []
        if deadline == math.inf:
            taken.append(await self._batches.get())
        else:
            with anyio.move_on_at(deadline):
                taken.append(await self._batches.get())
        while len(taken) < self._turn_size:
            try:
                taken.append(self._batches.get_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
        return taken

    async def _dispatch(self, dispatch: Dispatch) -> None:
        """Into the ordinary mailbox, waiting for room like any caller (the backpressure of
        batches and calls alike); a worker takes it from there, and holds it."""
        envelope = dispatch.envelope
        self._held.difference_update(dispatch.absorbed)
        try:
            await self._mailbox.put(envelope)
        except BaseException:
            if self.closed:
                self._held.discard(envelope)
                envelope.reply.fail(self._closed_error())
            raise
        self._held.discard(envelope)  # in the mailbox now: `close` or a worker answers for it

    def _handle(self, envelope: Envelope[Any]) -> Awaitable[None]:
        if isinstance(envelope.work, BatchWork):
            return self._handle_batch(envelope)
        return super()._handle(envelope)

    async def _handle_batch(self, envelope: Envelope[Any]) -> None:
        work: BatchWork = envelope.work
        assert self.coalescer is not None
        traces = [m.trace for m in work.members if m.trace is not None]
        throttle = self.throttle(work.rate_key)
        try:
            self.coalescer.started(envelope)
            if not traces:
                await perform_batch(self.transport, envelope, throttle)
                return
            await self._traced_batch(envelope, traces, throttle)
        finally:
            self.coalescer.finished(work.key)

    async def _traced_batch(
        self, envelope: Envelope[Any], traces: list[CallTrace], throttle: Throttle | None
    ) -> None:
        """`perform_batch` under a trace of its own, linked with its members' spans."""
        work: BatchWork = envelope.work
        merged = batch_trace(traces, work.key[1], work.rate_key)
        merged.serving(envelope.request_id)
        token = CURRENT.set(merged)
        error: BaseException | None = None
        try:
            await perform_batch(self.transport, envelope, throttle)
        except BaseException as exc:
            error = exc
            raise
        finally:
            CURRENT.reset(token)
            end_batch(merged, traces, error)
