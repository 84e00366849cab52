"""A family actor: an `Actor` whose work is REST calls, each attempt admitted by the throttle
of the quota it is charged to."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from genaio._telemetry import CURRENT, CallTrace
from genaio.actors._actor import Actor, ActorStatistics
from genaio.actors._envelope import Envelope
from genaio.actors._limits import FamilyLimits
from genaio.actors._rest import RestWork, perform
from genaio.engine import HttpTransport, RateLimit, Throttle

__all__ = ["FamilyActor"]


class FamilyActor(Actor):
    """Serves one resource family: performs each call under its quota's throttle.

    A family has one quota (its `limits.rate`), and a throttle only where that rate is set;
    the models actor keeps one per model (`ModelsActor`).
    """

    def __init__(
        self,
        name: str,
        transport: HttpTransport,
        limits: FamilyLimits,
        *,
        workers: int | None = None,
    ) -> None:
        super().__init__(
            name,
            self._handle,
            mailbox_size=limits.mailbox_size,
            concurrency=limits.concurrency,
            max_waiting=limits.max_waiting,
            max_wait=limits.max_wait,
            fail_when_full=limits.when_full == "fail",
            workers=workers,
        )
        self.transport = transport
        self.limits = limits
        self._throttles: dict[str | None, Throttle | None] = {}

    def quota_key(self, rate_key: str | None) -> str | None:
        """The quota a call charged to `rate_key` spends: the family's one (None)."""
        return None

    def new_throttle(self, quota: str | None) -> Throttle | None:
        """The admission control of `quota`: only where a rate is set."""
        rate = self.limits.rate
        if not rate:
            return None
        return self._throttle(rate)

    def throttle(self, rate_key: str | None) -> Throttle | None:
        """The throttle of the quota a call charged to `rate_key` spends, made on first use."""
        quota = self.quota_key(rate_key)
        try:
            return self._throttles[quota]
        except KeyError:
            throttle = self._throttles[quota] = self.new_throttle(quota)
            return throttle

    def quota(self, rate_key: str | None) -> Throttle | None:
        """Like `throttle`, but reads only: None until a call has made it (for statistics)."""
        return self._throttles.get(self.quota_key(rate_key))

    async def aclose_throttles(self) -> None:
        """Release every throttle's outside resources, once the actor has stopped."""
        for throttle in self._throttles.values():
            if throttle is not None:
                await throttle.aclose()

    def statistics(self) -> ActorStatistics:
        """The actor's snapshot, with each quota's throttle (its limit, pause and waiters)."""
        quotas = {
            quota or self.name: throttle.statistics()
            for quota, throttle in self._throttles.items()
            if throttle is not None
        }
        return super().statistics().with_quotas(quotas)

    def _throttle(self, rate: RateLimit | None, **kwargs: Any) -> Throttle:
        return Throttle(
            rate, max_concurrency=self.limits.concurrency, adaptive=self.limits.adaptive, **kwargs
        )

    def _handle(self, envelope: Envelope[Any]) -> Awaitable[None]:
        """The envelope's work, to await. (A plain function returning what to await: no frame
        of its own alive while the call is in flight.)"""
        work: RestWork = envelope.work
        throttle = self.throttle(work.rate_key)
        if work.trace is None:
            return perform(self.transport, envelope, throttle)
        return self._traced(envelope, work.trace, throttle)

    async def _traced(
        self, envelope: Envelope[Any], trace: CallTrace, throttle: Throttle | None
    ) -> None:
        trace.serving(envelope.request_id)
        token = CURRENT.set(trace)  # where the engine's hooks find it
        try:
            await perform(self.transport, envelope, throttle)
        finally:
            CURRENT.reset(token)
