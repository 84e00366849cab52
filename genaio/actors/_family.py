"""A family actor: an `Actor` whose work is REST calls, each behind its rate limiter."""

from __future__ import annotations

from typing import Any

from genaio.actors._actor import Actor, Intake
from genaio.actors._envelope import Envelope
from genaio.actors._limits import FamilyLimits
from genaio.actors._rest import RestWork, perform
from genaio.engine import HttpTransport, RateLimit, RateLimiter

__all__ = ["FamilyActor"]


class FamilyActor:
    """Serves one resource family: waits on the call's rate limiter, then performs the call."""

    def __init__(
        self,
        name: str,
        transport: HttpTransport,
        limits: FamilyLimits,
        *,
        intake: Intake | None = None,
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
        )
        self._limiters: dict[str | None, RateLimiter | None] = {}

    def rate_for(self, key: str | None) -> RateLimit | None:
        """The limit that applies to calls charged to `key`; one limit for the whole family."""
        return self.limits.rate

    async def call(self, work: RestWork, *, deadline: float = float("inf")) -> Any:
        return await self.actor.call(work, deadline=deadline)

    async def _handle(self, envelope: Envelope[Any]) -> None:
        work: RestWork = envelope.work
        limiter = self._limiter(work.rate_key)
        if limiter is not None:
            await limiter.acquire(work.tokens)
        await perform(self.transport, envelope)

    def _limiter(self, key: str | None) -> RateLimiter | None:
        try:
            return self._limiters[key]
        except KeyError:
            rate = self.rate_for(key)
            limiter = self._limiters[key] = RateLimiter(rate) if rate else None
            return limiter
