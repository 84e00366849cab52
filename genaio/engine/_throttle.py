"""Admission of each attempt to one quota: rate buckets, the server's pause, and an adaptive
concurrency window.

Every attempt (retries included) passes here, so the quota sees every request that is sent:
- the requests and tokens buckets (`RateLimiter`) keep the rate under the limit;
- a 429 carrying `RetryInfo` pauses the whole quota for that long, not just the one request
  (the other callers would only collect 429s of their own meanwhile); a per-day quota's 429
  carries the time to its reset, so callers wait for the reset instead of hammering;
- a window of concurrent attempts shrinks by half on a 429 or a 503 and grows by about one per
  window's worth of successes (AIMD), so load backs off while the service is saturated;
- the tokens charged before sending are corrected by the usage the answer reports.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import attrs

from genaio.engine._ratelimit import RateLimit, RateLimiter
from genaio.errors import RateLimitError, ServiceUnavailableError

__all__ = ["Attempt", "Throttle", "ThrottleStatistics"]


@attrs.define
class Attempt:
    """One admitted attempt; `used` records the tokens its answer reports."""

    estimated: int
    actual: int | None = None

    def used(self, tokens: int | None) -> None:
        self.actual = tokens


@attrs.frozen
class ThrottleStatistics:
    window: float
    in_flight: int
    waiting: int
    paused_for: float
    rate_limited: int
    overloaded: int
    waited: float


class Throttle:
    """One quota's admission control (a model's, for the models family)."""

    def __init__(
        self,
        limit: RateLimit | None,
        *,
        max_concurrency: int,
        clock: Callable[[], float] = anyio.current_time,
    ) -> None:
        has_rate = limit is not None and (limit.requests_per_minute or limit.tokens_per_minute)
        self._rate = RateLimiter(limit, clock) if has_rate and limit is not None else None
        self._clock = clock
        self._max = float(max_concurrency)
        self.window = self._max
        self._in_flight = 0
        self._waiters: deque[anyio.Event] = deque()
        self._paused_until = -math.inf
        # Attempts waiting out a pause: not yet in the buckets, but ahead of any that asks.
        self._pausing = self._pausing_tokens = 0
        self.rate_limited = 0
        self.overloaded = 0

    async def enter(self, tokens: int) -> Attempt:
        """Wait until one more attempt of `tokens` tokens may go; `exit` must follow.

        Cancellation: a cancelled wait takes nothing (reservations are given back).
        """
        if self._paused_until > self._clock():
            self._pausing += 1
            self._pausing_tokens += tokens
            try:
                await self._wait_pause()
            finally:
                self._pausing -= 1
                self._pausing_tokens -= tokens
        if self._rate is not None:
            await self._rate.acquire(tokens)
        try:
            await self._wait_slot()
        except BaseException:
            if self._rate is not None:
                self._rate.refund(tokens)
            raise
        return Attempt(tokens)

    def exit(self, attempt: Attempt, error: BaseException | None) -> None:
        """The attempt has ended (`error` None: it succeeded); learn from it, free its slot."""
        try:
            self._learn(error)
            if error is None and self._rate is not None and attempt.actual is not None:
                self._rate.charge_tokens(attempt.actual - attempt.estimated)
        finally:
            self._release()

    @asynccontextmanager
    async def attempt(self, tokens: int) -> AsyncIterator[Attempt]:
        """`enter` and `exit` around a block (for callers that are not on the hot path)."""
        admitted = await self.enter(tokens)
        try:
            yield admitted
        except BaseException as error:
            self.exit(admitted, error)
            raise
        self.exit(admitted, None)

    def ready_at(self, tokens: int, *, ahead: int = 0, ahead_tokens: int = 0) -> float:
        """When (on the clock) an attempt of `tokens` tokens could pass the pause and the rate
        buckets without waiting, behind `ahead` attempts (of `ahead_tokens` in all) about to
        enter; takes nothing. A caller that can still improve what it sends (a batch that keeps
        filling) waits until then instead of in `enter`. Attempts waiting out a pause are ahead
        too. The concurrency window is left out: a slot frees when an attempt ends, which no
        clock foretells."""
        if self._rate is None:
            return self._paused_until
        start = max(self._clock(), self._paused_until)
        ahead, ahead_tokens = ahead + self._pausing, ahead_tokens + self._pausing_tokens
        wait = self._rate.delay(tokens, start=start, ahead=ahead, ahead_tokens=ahead_tokens)
        # No wait: the pause's end, not the clock read here, which is already past the `now`
        # of a caller that compares.
        return start + wait if wait > 0 else self._paused_until

    def pause(self, seconds: float) -> None:
        """Hold every attempt back for `seconds` (the server's RetryInfo delay)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        if self._rate is not None:  # embed (issue 15): the buckets save up no burst meanwhile
            self._rate.hold(self._paused_until)

    def statistics(self) -> ThrottleStatistics:
        return ThrottleStatistics(
            window=round(self.window, 2),
            in_flight=self._in_flight,
            waiting=len(self._waiters),
            paused_for=max(0.0, self._paused_until - self._clock()),
            rate_limited=self.rate_limited,
            overloaded=self.overloaded,
            waited=self._rate.waited if self._rate is not None else 0.0,
        )

    def _learn(self, error: BaseException | None) -> None:
        if error is None:
            self.window = min(self._max, self.window + 1.0 / self.window)
            return
        if isinstance(error, RateLimitError):
            self.rate_limited += 1
            if error.retry_delay:
                self.pause(error.retry_delay)
        elif isinstance(error, ServiceUnavailableError):
            self.overloaded += 1
        else:
            return
        self.window = max(1.0, self.window / 2)

    async def _wait_pause(self) -> None:
        # A loop, not an event: another 429 may push the pause further while we sleep.
        while (wait := self._paused_until - self._clock()) > 0:  # noqa: ASYNC110
            await anyio.sleep(wait)

    async def _wait_slot(self) -> None:
        if self._in_flight < self.window and not self._waiters:
            self._in_flight += 1
            return
        turn = anyio.Event()
        self._waiters.append(turn)
        try:
            await turn.wait()
        except BaseException:
            if turn in self._waiters:
                self._waiters.remove(turn)
            else:  # woken and cancelled at once: pass the slot on
                self._release()
            raise

    def _release(self) -> None:
        self._in_flight -= 1
        while self._waiters and self._in_flight < self.window:
            self._in_flight += 1
            self._waiters.popleft().set()
