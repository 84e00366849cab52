"""Retries, in one place: tenacity driven by the event loop's clock and an injected RNG.

The wait after a failure is the server's own (`RetryInfo.retryDelay` or `Retry-After`) when it
gave one, else exponential backoff with jitter. A server delay longer than the policy's
`max_delay`, or a wait that would end past the call's deadline, stops the retries at once: the
caller gets the typed error (with `retry_delay`) now rather than a long sleep it did not ask for.
"""

from __future__ import annotations

import math
import random
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TypeVar

import anyio
import httpx
import tenacity
import tenacity.stop

from genaio._log import get_logger
from genaio._telemetry import retrying
from genaio.engine._config import RetryPolicy
from genaio.errors import APIError, NetworkError

__all__ = ["Retrier", "is_retryable", "on_backoff"]

T = TypeVar("T")
log = get_logger("genaio.retry")

#: Set by a worker that may lend its place while its call sleeps between attempts (the models
#: actor's workers do): called with True as a backoff sleep starts, and False as it ends.
on_backoff: ContextVar[Callable[[bool], object] | None] = ContextVar(
    "genaio_on_backoff", default=None
)


async def _backoff(seconds: float) -> None:
    hook = on_backoff.get()
    if hook is None:
        await anyio.sleep(seconds)
        return
    hook(True)
    try:
        await anyio.sleep(seconds)
    finally:
        hook(False)


def is_retryable(exc: BaseException, policy: RetryPolicy, *, idempotent: bool) -> bool:
    """Whether another attempt may succeed and is safe to make."""
    if isinstance(exc, NetworkError):
        # A request that may have reached the server is repeated only if repeating is harmless.
        never_sent = isinstance(exc.__cause__, httpx.ConnectError | httpx.ConnectTimeout)
        return idempotent or never_sent
    return isinstance(exc, APIError) and exc.code in policy.status_codes


class Retrier:
    """Runs one attempt function until it succeeds, or retrying stops making sense."""

    def __init__(
        self,
        policy: RetryPolicy,
        rng: random.Random | None = None,
        clock: Callable[[], float] = anyio.current_time,
    ) -> None:
        self.policy = policy
        self._rng = rng or random.Random()
        self._clock = clock
        self.retries = 0  # attempts beyond the first, over this retrier's life (statistics)

    async def run(
        self,
        attempt: Callable[[int], Awaitable[T]],
        *,
        deadline: float = math.inf,
        idempotent: bool = True,
        request_id: str | None = None,
    ) -> T:
        """Await `attempt(n)` for n = 1, 2, ... and return the first success.

        Cancellation: a sleep between attempts is a checkpoint; cancelling there sends nothing.
        """
        # The first attempt goes without tenacity, whose setup costs more than most requests'
        # own overhead; a failure worth retrying is replayed to tenacity as its attempt 1. (No
        # closure here: its cells would live as long as every request in flight does.)
        try:
            return await attempt(1)
        except Exception as exc:
            failure = exc
        return await self.retry(
            attempt, failure, deadline=deadline, idempotent=idempotent, request_id=request_id
        )

    async def retry(
        self,
        attempt: Callable[[int], Awaitable[T]],
        failure: Exception,
        *,
        deadline: float = math.inf,
        idempotent: bool = True,
        request_id: str | None = None,
    ) -> T:
        """`run` after its first attempt, which failed with `failure` (raised again if retrying
        makes no sense): for a caller that made the first attempt itself, without `run`'s
        frame and `attempt`'s object alive while it is in flight.
        """
        if self.policy.attempts <= 1 or not is_retryable(
            failure, self.policy, idempotent=idempotent
        ):
            raise failure
        return await self._retry(attempt, failure, deadline, idempotent, request_id)

    async def _retry(
        self,
        attempt: Callable[[int], Awaitable[T]],
        first_failure: Exception,
        deadline: float,
        idempotent: bool,
        request_id: str | None,
    ) -> T:
        policy = self.policy

        async def replayed(number: int) -> T:
            if number == 1:
                raise first_failure
            return await attempt(number)

        retrying = tenacity.AsyncRetrying(
            stop=tenacity.stop_after_attempt(policy.attempts)
            | _StopPastDeadline(policy, deadline, self._clock),
            wait=self._wait,
            retry=tenacity.retry_if_exception(
                lambda exc: is_retryable(exc, policy, idempotent=idempotent)
            ),
            sleep=_backoff,
            before_sleep=lambda state: self._before_sleep(state, request_id),
            reraise=True,
        )
        number = 0
        try:
            async for trial in retrying:
                number = trial.retry_state.attempt_number
                with trial:
                    return await replayed(number)
        except APIError as exc:
            exc.attempts = number
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        server_delay = getattr(exc, "retry_delay", None)
        if server_delay is not None:
            return float(server_delay)
        return self.policy.backoff(state.attempt_number, self._rng.random())

    def _before_sleep(self, state: tenacity.RetryCallState, request_id: str | None) -> None:
        self.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        retrying(state.attempt_number, exc, state.upcoming_sleep)  # the call's span and metrics
        log.info(
            "retrying",
            request_id=request_id,
            attempt=state.attempt_number,
            wait=round(state.upcoming_sleep, 3),
            error=type(exc).__name__,
            code=getattr(exc, "code", None),
        )


class _StopPastDeadline(tenacity.stop.stop_base):
    """Stop when the next wait is longer than the policy allows (a server's delay can be) or
    would end past the call's deadline, both on the loop's clock (tenacity's own
    `stop_after_delay` reads the wall clock and ignores trio's MockClock)."""

    def __init__(self, policy: RetryPolicy, deadline: float, clock: Callable[[], float]) -> None:
        self._policy = policy
        self._deadline = deadline
        self._clock = clock

    def __call__(self, state: tenacity.RetryCallState) -> bool:
        wait = state.upcoming_sleep
        return wait > self._policy.max_delay or self._clock() + wait >= self._deadline
