"""The models actor: generate, stream, embed and count, rate limited per model, with single
embedding calls coalesced into batch requests."""

from __future__ import annotations

import math
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from genaio._telemetry import CURRENT, CallTrace, batch_trace, end_batch
from genaio.actors._coalesce import (
    BatchPolicy,
    BatchWork,
    Coalescer,
    Member,
    Rejoin,
    perform_batch,
)
from genaio.actors._envelope import Envelope
from genaio.actors._family import FamilyActor
from genaio.actors._limits import FamilyLimits
from genaio.actors._rest import RestWork
from genaio.engine import HttpTransport, RateLimit, Throttle
from genaio.errors import ClientClosedError

if TYPE_CHECKING:
    from genaio.engine._redis_quota import RedisQuota

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
    ) -> None:
        self.quota = quota
        self.coalescer = Coalescer(batching, self.throttle) if batching is not None else None
        # Every call's attempts pass its model's throttle, which bounds the requests in flight
        # to `concurrency`; a worker sleeping out a retry's backoff holds no request, so twice
        # as many workers keep the requests flowing while a steady share of calls back off.
        super().__init__(
            "models", transport, limits, intake=self.coalescer, workers=2 * limits.concurrency
        )
        self._model_rates = {model_id(name): rate for name, rate in model_rates.items()}

    def call(self, work: RestWork, *, deadline: float = math.inf) -> Coroutine[Any, Any, Any]:
        """Submit `work` and wait for its reply; a batchable call joins a merged request
        (see `_coalesce`), and only the caller that opens one waits for the mailbox.

        A plain function returning the waiting coroutine: a batchable call waits as its light
        `Member`, not as `work`, which nothing then keeps alive.

        Cancellation: cancelling the caller cancels exactly this call's work; a caller that
        leaves while taking a merged request to the mailbox sends its other members to
        another one.
        """
        if self.coalescer is None or work.batchable is None:
            return super().call(work, deadline=deadline)
        return self._join(Member.of(work, deadline))

    async def _join(self, member: Member) -> Any:
        coalescer = self.coalescer
        assert coalescer is not None
        while True:
            merged = coalescer.join(member)
            if merged is not None:
                try:
                    await self.actor.submit(merged)
                except ClientClosedError as error:
                    coalescer.withdraw(merged, error)
                    raise
                except BaseException:
                    coalescer.withdraw(merged, Rejoin())
                    raise
            try:
                return member.own(await member.wait())
            except Rejoin:
                member = member.renewed()

    def rate_for(self, key: str | None) -> RateLimit | None:
        if key is None:
            return None
        return self._model_rates.get(model_id(key), self.limits.rate)

    def new_throttle(self, key: str | None) -> Throttle | None:
        """Every model gets one (and calls of no model share one): even with no rate set, a
        429 pauses the model, and (with `adaptive`) latency and sustained 5xx failures move its
        concurrency limit."""
        rate = self.rate_for(key)
        return Throttle(
            rate,
            max_concurrency=self.limits.concurrency,
            adaptive=self.limits.adaptive,
            limiter=self.quota.limiter(key, rate) if self.quota and key is not None else None,
        )

    def throttle(self, key: str | None) -> Throttle | None:
        return super().throttle(model_id(key) if key is not None else None)

    async def _handle(self, envelope: Envelope[Any]) -> None:
        work = envelope.work
        if not isinstance(work, BatchWork):
            await super()._handle(envelope)
            return
        assert self.coalescer is not None
        traces = [m.trace for m in work.members if m.trace is not None]
        try:
            self.coalescer.started(envelope)
            if not traces:
                await perform_batch(self.transport, envelope, self.throttle(work.rate_key))
                return
            await self._traced_batch(envelope, traces)
        finally:
            self.coalescer.finished(work.key)

    async def _traced_batch(self, envelope: Envelope[Any], traces: list[CallTrace]) -> None:
        """`perform_batch` under a trace of its own, linked with its members' spans."""
        work: BatchWork = envelope.work
        merged = batch_trace(traces, work.key[1], work.rate_key)
        merged.serving(envelope.request_id)
        token = CURRENT.set(merged)
        error: BaseException | None = None
        try:
            await perform_batch(self.transport, envelope, self.throttle(work.rate_key))
        except BaseException as exc:
            error = exc
            raise
        finally:
            CURRENT.reset(token)
            end_batch(merged, traces, error)
