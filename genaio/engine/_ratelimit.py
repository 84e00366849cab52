"""Requests-per-minute and tokens-per-minute limits, as token buckets on the loop's clock.

Each bucket holds at most one minute's allowance and refills continuously. A caller reserves
before it sends: the bucket may go into debt, and the caller waits until the debt is repaid, so
waiters are served in the order they came and none is starved. A cost larger than the whole
bucket is charged as a full bucket: such a request waits for a full bucket and then goes alone,
instead of waiting for an allowance that can never exist.

By default the buckets start full and refill during a 429's pause: a burst is ready at once.
A server that counts each minute's requests (the Gemini API does) counts such a burst on top of
the steady rate that follows it, and answers the excess with 429s; so a long job that sends at
the quota for minutes sets `RateLimit(burst=False)`: the buckets start empty, and refill nothing
while the server has paused the quota (`hold`), since the server has not forgotten the requests
that filled its window.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio
import attrs

__all__ = ["RateLimit", "RateLimiter", "TokenBucket"]


@attrs.frozen
class RateLimit:
    """A quota to stay under. None means unlimited."""

    requests_per_minute: float | None = None
    tokens_per_minute: float | None = None
    #: False: no saved-up burst; the buckets start empty and do not refill during a 429's
    #: pause (for a long job against a server that counts per minute).
    burst: bool = True

    def __attrs_post_init__(self) -> None:
        for name in ("requests_per_minute", "tokens_per_minute"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"{name} must be positive, not {value!r}")


@attrs.define
class TokenBucket:
    """The synchronous core: how long a reservation must wait. No I/O, no clock of its own."""

    per_minute: float
    level: float
    updated: float

    @classmethod
    def full(cls, per_minute: float, now: float) -> TokenBucket:
        return cls(per_minute=per_minute, level=per_minute, updated=now)

    @classmethod
    def empty(cls, per_minute: float, now: float) -> TokenBucket:
        return cls(per_minute=per_minute, level=0.0, updated=now)

    def reserve(self, cost: float, now: float) -> float:
        """Take `cost` now and return the seconds until it is covered (0 if it already is)."""
        self._refill(now)
        self.level -= min(cost, self.per_minute)
        return self._wait(self.level, now)

    def delay(self, cost: float, now: float, ahead: float = 0.0) -> float:
        """The seconds `reserve(cost, now)` would return once `ahead` more were taken, taking
        nothing: when a reservation of `cost` could go without waiting, for callers deciding
        whether to go yet."""
        level = min(
            self.per_minute, self.level + max(0.0, now - self.updated) * self.per_minute / 60.0
        )
        level -= ahead + min(cost, self.per_minute)
        return self._wait(level, now)

    def refund(self, cost: float, now: float) -> None:
        """Give back a reservation that was never used (its caller was cancelled)."""
        self._refill(now)
        self.level = min(self.per_minute, self.level + min(cost, self.per_minute))

    def adjust(self, delta: float, now: float) -> None:
        """Take `delta` more (or give back, if negative) without waiting: a correction."""
        self._refill(now)
        self.level = min(self.per_minute, self.level - delta)

    def hold(self, until: float, now: float) -> None:
        """Refill nothing between now and `until` (a pause the server asked for)."""
        self._refill(now)
        self.updated = max(self.updated, until)

    def _wait(self, level: float, now: float) -> float:
        """The seconds until a debt of -`level` is repaid (refilling starts once held no more)."""
        if level >= 0:
            return 0.0
        return max(0.0, self.updated - now) + -level * 60.0 / self.per_minute

    def _refill(self, now: float) -> None:
        if now <= self.updated:
            return  # held (or no time has passed)
        elapsed = now - self.updated
        self.level = min(self.per_minute, self.level + elapsed * self.per_minute / 60.0)
        self.updated = now


class RateLimiter:
    """A requests bucket and a tokens bucket, waited on together."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = anyio.current_time) -> None:
        self.limit = limit
        self._clock = clock
        now = clock()
        rpm, tpm = limit.requests_per_minute, limit.tokens_per_minute
        bucket = TokenBucket.full if limit.burst else TokenBucket.empty
        self._requests = bucket(rpm, now) if rpm else None
        self._tokens = bucket(tpm, now) if tpm else None
        self.waited = 0.0  # seconds callers spent waiting here (statistics)

    def reserve(self, tokens: int) -> float:
        """Reserve one request and `tokens` tokens; the seconds to wait before sending."""
        now = self._clock()
        wait = 0.0
        if self._requests is not None:
            wait = self._requests.reserve(1, now)
        if self._tokens is not None:
            wait = max(wait, self._tokens.reserve(tokens, now))
        return wait

    def delay(
        self, tokens: int, *, start: float | None = None, ahead: int = 0, ahead_tokens: int = 0
    ) -> float:
        """The seconds after `start` (now, or a later time on the clock) until one request of
        `tokens` tokens could be reserved without waiting, behind `ahead` requests of
        `ahead_tokens` in all reserved at `start`; reserves nothing."""
        now = self._clock() if start is None else max(start, self._clock())
        wait = 0.0
        if self._requests is not None:
            wait = self._requests.delay(1, now, ahead)
        if self._tokens is not None:
            wait = max(wait, self._tokens.delay(tokens, now, ahead_tokens))
        return wait

    def refund(self, tokens: int) -> None:
        now = self._clock()
        if self._requests is not None:
            self._requests.refund(1, now)
        if self._tokens is not None:
            self._tokens.refund(tokens, now)

    def hold(self, until: float) -> None:
        """A pause the server asked for, until `until`: without `burst`, refill nothing."""
        if self.limit.burst:
            return
        now = self._clock()
        for bucket in (self._requests, self._tokens):
            if bucket is not None:
                bucket.hold(until, now)

    def charge_tokens(self, delta: int) -> None:
        """Correct an estimate once the answer tells the real count (a negative delta refunds)."""
        if self._tokens is not None and delta:
            self._tokens.adjust(delta, self._clock())

    async def acquire(self, tokens: int) -> None:
        """Wait until one more request of `tokens` tokens fits the limit.

        Cancellation: a cancelled wait gives its reservation back.
        """
        wait = self.reserve(tokens)
        if wait <= 0:
            return
        try:
            await anyio.sleep(wait)
        except BaseException:
            self.refund(tokens)
            raise
        self.waited += wait

    async def aclose(self) -> None:
        """Release what the limiter holds outside this process (nothing, for local buckets)."""
        await anyio.lowlevel.checkpoint()
