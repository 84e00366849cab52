"""Admission of each attempt to one quota: rate buckets, the server's pause, and an adaptive
concurrency limit.

Every attempt (retries included) passes here, so the quota sees every request that is sent. The
two signals an answer can carry are kept apart:
- a 429 (RESOURCE_EXHAUSTED) is the quota speaking: it pauses the whole quota for its RetryInfo
  delay (`QUOTA_PAUSE` without one), not just the one request (the other callers would only
  collect 429s of their own meanwhile); a per-day quota's 429 carries the time to its reset, so
  callers wait for the reset instead of hammering. It does not touch the concurrency limit: a
  rate is not a concurrency.
- the service's health (latency, 5xx answers, network failures) drives the concurrency limit
  (`Gradient`), which shrinks when latency climbs well past its long-run level or when failures
  are sustained, and ignores scattered errors, which the retries absorb.
An attempt whose deadline falls before its turn fails at once: a pause that ends past the
deadline with `RateLimitError` (its `retry_delay` the pause left), a rate bucket that would make
it wait past the deadline with `DeadlineExceededError`. The tokens charged before sending are
corrected by the usage the answer reports.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import attrs
import sniffio

from genaio._telemetry import admitted
from genaio.engine._ratelimit import RateLimit, RateLimiter
from genaio.errors import (
    DeadlineExceededError,
    NetworkError,
    RateLimitError,
    ServerError,
)

__all__ = ["QUOTA_PAUSE", "Attempt", "Gradient", "Throttle", "ThrottleStatistics"]

#: Seconds a 429 without RetryInfo pauses its quota: the server did not say, and sending again
#: at once would only collect more 429s.
QUOTA_PAUSE = 1.0


@attrs.define
class Attempt:
    """One admitted attempt: when it was admitted, and the tokens its answer reports."""

    estimated: int
    started: float
    actual: int | None = None

    def used(self, tokens: int | None) -> None:
        self.actual = tokens


@attrs.frozen
class ThrottleStatistics:
    """A snapshot of one quota's admission.

    `limit` is how many attempts may be in flight now (the adaptive limit, or the maximum);
    `waiting` counts the attempts waiting to be admitted (a pause, the rate, a slot);
    `paused_until` is when a 429's pause ends, on the loop's clock (None: no pause);
    `overloaded` counts 5xx answers and network failures.
    """

    limit: int
    in_flight: int
    waiting: int
    paused_until: float | None
    paused_for: float
    rate_limited: int
    overloaded: int
    waited: float


#: Successes averaged into the recent latency, and into the long-run latency.
_SHORT, _LONG = 10, 600
#: Attempts averaged into the failure rate, and the rate past which failures count.
_FAILURE_WINDOW, SUSTAINED_FAILURE = 100, 0.5
#: How far recent latency may climb over its long-run level before the limit shrinks.
_TOLERANCE = 2.0
#: How much of each step towards its target the limit takes.
_SMOOTHING = 0.2


@attrs.define
class Gradient:
    """A concurrency limit learned from the latency and failures of attempts: no I/O, no clock.

    In the spirit of Netflix's Gradient2: after each success the limit moves towards
    `limit * gradient + sqrt(limit)`, where the gradient is the long-run latency over the recent
    one, times a tolerance of 2, capped at 1 and floored at 0.5. So the limit stays where it is
    while latency holds, and shrinks only once recent latency is more than twice its long-run
    level: the service is queueing. Failures (5xx, network) count only when sustained: while
    more than half of the last ~100 attempts failed, each failure moves the limit towards half
    of itself, down to `minimum` (a breaker that closes to a trickle rather than opening on
    one error). A 5% error rate leaves the limit alone. It starts at `maximum`.
    """

    maximum: float
    minimum: float = 1.0
    limit: float = attrs.field(init=False)
    _short: float = attrs.field(default=0.0, init=False)
    _long: float = attrs.field(default=0.0, init=False)
    _failures: float = attrs.field(default=0.0, init=False)

    def __attrs_post_init__(self) -> None:
        self.limit = self.maximum

    def succeeded(self, latency: float, in_flight: int) -> None:
        """An attempt took `latency` seconds, with `in_flight` attempts (itself included)."""
        self._failures -= self._failures / _FAILURE_WINDOW
        if self._long <= 0.0:
            self._short = self._long = max(latency, 1e-6)
            return
        self._short += (latency - self._short) / _SHORT
        self._long += (latency - self._long) / _LONG
        if self._long > 2.0 * self._short:  # the service got faster: forget the slow past
            self._long *= 0.95
        if in_flight < self.limit / 2:
            return  # the callers, not the limit, hold the load down: no evidence either way
        gradient = max(0.5, min(1.0, _TOLERANCE * self._long / max(self._short, 1e-9)))
        self._move(self.limit * gradient + math.sqrt(self.limit))

    def failed(self) -> None:
        """An attempt failed in a way that speaks of the service's health (5xx, network)."""
        self._failures += (1.0 - self._failures) / _FAILURE_WINDOW
        if self._failures > SUSTAINED_FAILURE:
            self._move(self.limit / 2)

    def _move(self, target: float) -> None:
        limit = self.limit + (target - self.limit) * _SMOOTHING
        self.limit = min(self.maximum, max(self.minimum, limit))


class Throttle:
    """One quota's admission control (a model's, for the models family).

    `adaptive` False keeps the concurrency limit at `max_concurrency`; 429 pauses still apply.
    """

    def __init__(
        self,
        limit: RateLimit | None,
        *,
        max_concurrency: int,
        adaptive: bool = True,
        clock: Callable[[], float] | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        clock = clock or loop_clock()
        has_rate = limit is not None and (limit.requests_per_minute or limit.tokens_per_minute)
        # `limiter`: a quota kept elsewhere (`RedisQuota`'s), in place of the local buckets.
        if limiter is None and has_rate and limit is not None:
            limiter = RateLimiter(limit, clock)
        self._rate = limiter
        self._clock = clock
        self._gradient = Gradient(max_concurrency) if adaptive else None
        self.limit = float(max_concurrency)
        self._in_flight = 0
        self._entering = 0  # attempts inside `enter`: waiting out a pause, the rate or a slot
        self._waiters: deque[anyio.Event] = deque()
        self._paused_until = -math.inf
        # Attempts waiting out a pause: not yet in the buckets, but ahead of any that asks.
        self._pausing = self._pausing_tokens = 0
        self.rate_limited = 0
        self.overloaded = 0

    async def enter(self, tokens: int, deadline: float = math.inf) -> Attempt:
        """Wait until one more attempt of `tokens` tokens may go; `exit` must follow.

        Raises `RateLimitError` at once if a pause ends past `deadline` (on the loop's clock),
        and `DeadlineExceededError` if the rate would make it wait past it.

        Cancellation: a cancelled wait takes nothing (reservations are given back).
        """
        now = self._clock()
        if now >= self._paused_until and self._rate is None and self._has_slot():
            # The common case, no wait: one reading of the clock, and no checkpoint but the
            # exchange's that follows at once.
            self._in_flight += 1
            return admitted(Attempt(tokens, now))
        self._entering += 1
        try:
            if self._paused_until > now:
                await self._wait_pause(tokens, deadline)
            if self._rate is not None:
                await self._acquire(tokens, deadline)
            try:
                await self._wait_slot()
            except BaseException:
                if self._rate is not None:
                    self._rate.refund(tokens)
                raise
        finally:
            self._entering -= 1
        return admitted(Attempt(tokens, self._clock()))  # the call's wait, for its telemetry

    def exit(self, attempt: Attempt, error: BaseException | None) -> None:
        """The attempt has ended (`error` None: it succeeded); learn from it, free its slot."""
        try:
            self._learn(attempt, error)
            if error is None and self._rate is not None and attempt.actual is not None:
                self._rate.charge_tokens(attempt.actual - attempt.estimated)
        finally:
            self._release()

    @asynccontextmanager
    async def attempt(self, tokens: int, deadline: float = math.inf) -> AsyncIterator[Attempt]:
        """`enter` and `exit` around a block (for callers that are not on the hot path)."""
        admitted = await self.enter(tokens, deadline)
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
        too. The concurrency limit is left out: a slot frees when an attempt ends, which no
        clock foretells."""
        if self._rate is None:
            return self._paused_until
        start = max(self._clock(), self._paused_until)
        ahead, ahead_tokens = ahead + self._pausing, ahead_tokens + self._pausing_tokens
        wait = self._rate.delay(tokens, start=start, ahead=ahead, ahead_tokens=ahead_tokens)
        # No wait: the pause's end, not the clock read here, which is already past the `now`
        # of a caller that compares.
        return start + wait if wait > 0 else self._paused_until

    @property
    def limiter(self) -> RateLimiter | None:
        """The rate limiter that admits by requests and tokens per minute (a `RedisRateLimiter`
        for a shared quota); None where no rate is set."""
        return self._rate

    @property
    def paused_until(self) -> float:
        """When the current pause ends on the loop's clock (-inf: there has been none)."""
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Hold every attempt back for `seconds` (the server's RetryInfo delay)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        if self._rate is not None:  # embed (issue 15): the buckets save up no burst meanwhile
            self._rate.hold(self._paused_until)

    async def aclose(self) -> None:
        """Release the quota's outside resources (a shared quota's connection)."""
        if self._rate is not None:
            await self._rate.aclose()

    def statistics(self) -> ThrottleStatistics:
        now = self._clock()
        return ThrottleStatistics(
            limit=max(1, int(self.limit)),
            in_flight=self._in_flight,
            waiting=self._entering,
            paused_until=self._paused_until if self._paused_until > now else None,
            paused_for=max(0.0, self._paused_until - now),
            rate_limited=self.rate_limited,
            overloaded=self.overloaded,
            waited=self._rate.waited if self._rate is not None else 0.0,
        )

    def _learn(self, attempt: Attempt, error: BaseException | None) -> None:
        gradient = self._gradient
        if error is None:
            if gradient is not None:
                gradient.succeeded(self._clock() - attempt.started, self._in_flight)
                self.limit = gradient.limit
        elif isinstance(error, RateLimitError):
            self.rate_limited += 1
            self.pause(error.retry_delay or QUOTA_PAUSE)
        elif isinstance(error, ServerError | NetworkError):
            self.overloaded += 1
            if gradient is not None:
                gradient.failed()
                self.limit = gradient.limit

    async def _wait_pause(self, tokens: int, deadline: float) -> None:
        self._pausing += 1
        self._pausing_tokens += tokens
        try:
            # A loop, not an event: another 429 may push the pause further while we sleep.
            while (wait := self._paused_until - self._clock()) > 0:
                if self._paused_until >= deadline:
                    await anyio.lowlevel.checkpoint()
                    raise _paused_error(wait)
                await anyio.sleep(wait)
        finally:
            self._pausing -= 1
            self._pausing_tokens -= tokens

    async def _acquire(self, tokens: int, deadline: float) -> None:
        assert self._rate is not None
        if deadline < math.inf:
            now = self._clock()
            wait = self._rate.delay(tokens)
            if wait > 0 and now + wait >= deadline:
                await anyio.lowlevel.checkpoint()
                raise DeadlineExceededError(max(0.0, deadline - now))
        await self._rate.acquire(tokens)

    def _has_slot(self) -> bool:
        return self._in_flight < self.limit and not self._waiters

    async def _wait_slot(self) -> None:
        if self._has_slot():
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
        while self._waiters and self._in_flight < self.limit:
            self._in_flight += 1
            self._waiters.popleft().set()


def loop_clock() -> Callable[[], float]:
    """The running loop's own clock, read without `anyio.current_time`'s backend lookups (two
    of them per reading, and the hot path reads it twice per attempt). A throttle belongs to one
    loop's tree, so binding its clock once is safe; outside a loop, anyio's."""
    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return anyio.current_time
    if library == "trio":
        import trio

        return trio.lowlevel.current_clock().current_time
    return asyncio.get_running_loop().time


def _paused_error(wait: float) -> RateLimitError:
    message = (
        f"the quota is paused for {wait:.3g} s more by the server's 429, past this call's deadline"
    )
    body = {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": message}}
    return RateLimitError(429, body, retry_delay=wait)
