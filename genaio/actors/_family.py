"""A family actor: an `Actor` whose work is REST calls, each attempt admitted by the throttle
of the quota it is charged to."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from genaio._telemetry import CURRENT
from genaio.actors._actor import Actor, ActorStatistics, Intake
from genaio.actors._envelope import Envelope
from genaio.actors._limits import FamilyLimits
from genaio.actors._rest import RestWork, perform
from genaio.engine import HttpTransport, RateLimit, Throttle

__all__ = ["FamilyActor"]


class FamilyActor:
    """Serves one resource family: performs each call under its quota's throttle."""

    def __init__(
        self,
        name: str,
        transport: HttpTransport,
        limits: FamilyLimits,
        *,
        intake: Intake | None = None,
        workers: int | None = None,
    ) -> None:
        self.name = name
        self.transport = transport
        self.limits = limits
        self.actor = Actor(
            name,
            self._handle,
            mailbox_size=limits.mailbox_size,
            concurrency=limits.concurrency,
            intake=intake,
            max_waiting=limits.max_waiting,
            max_wait=limits.max_wait,
            fail_when_full=limits.when_full == "fail",
            workers=workers,
        )
        self._throttles: dict[str | None, Throttle | None] = {}

    def rate_for(self, key: str | None) -> RateLimit | None:
        """The limit that applies to calls charged to `key`; one limit for the whole family."""
        return self.limits.rate

    def call(self, work: RestWork, *, deadline: float = float("inf")) -> Coroutine[Any, Any, Any]:
        """The actor's call of `work` (its coroutine: no layer of this family's own)."""
        return self.actor.call(work, deadline=deadline)

    def new_throttle(self, key: str | None) -> Throttle | None:
        """The admission control of calls charged to `key`: only where a rate is set."""
        rate = self.rate_for(key)
        if not rate:
            return None
        return Throttle(
            rate, max_concurrency=self.limits.concurrency, adaptive=self.limits.adaptive
        )

    def throttle(self, key: str | None) -> Throttle | None:
        try:
            return self._throttles[key]
        except KeyError:
            throttle = self._throttles[key] = self.new_throttle(key)
            return throttle

    async def aclose_throttles(self) -> None:
        """Release every throttle's outside resources, once the actor has stopped."""
        for throttle in self._throttles.values():
            if throttle is not None:
                await throttle.aclose()

    def statistics(self) -> ActorStatistics:
        """The actor's snapshot, with each quota's throttle (its limit, pause and waiters)."""
        quotas = {
            key or self.name: throttle.statistics()
            for key, throttle in self._throttles.items()
            if throttle is not None
        }
        return self.actor.statistics().with_quotas(quotas)

    async def _handle(self, envelope: Envelope[Any]) -> None:
        work: RestWork = envelope.work
        if work.trace is None:
            await perform(self.transport, envelope, self.throttle(work.rate_key))
            return
        work.trace.serving(envelope.request_id)
        token = CURRENT.set(work.trace)  # where the engine's hooks find it
        try:
            await perform(self.transport, envelope, self.throttle(work.rate_key))
        finally:
            CURRENT.reset(token)
