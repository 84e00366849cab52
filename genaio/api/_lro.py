"""Waiting for a long-running thing to finish: one poll loop for every family.

Operations (videos, file search imports and uploads), batch jobs and tuning jobs all finish on
the server's schedule; the caller asks again with backoff until it is done or a deadline passes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import attrs

from genaio.errors import DeadlineExceededError

__all__ = ["PollPolicy", "poll_policy", "wait_until_done"]

T = TypeVar("T")


@attrs.frozen
class PollPolicy:
    """Ask after `initial_delay` seconds, then `factor` times longer each time, up to
    `max_delay`; give up with `DeadlineExceededError` after `timeout` seconds (None: never)."""

    initial_delay: float = 1.0
    factor: float = 1.5
    max_delay: float = 20.0
    timeout: float | None = 900.0

    def delays(self) -> Callable[[], float]:
        delay = self.initial_delay

        def next_delay() -> float:
            nonlocal delay
            current, delay = delay, min(delay * self.factor, self.max_delay)
            return current

        return next_delay


def poll_policy(poll: PollPolicy | None, timeout: float | None) -> PollPolicy:
    """`poll` (default `PollPolicy()`), its timeout replaced by `timeout` when one is given."""
    policy = poll or PollPolicy()
    return policy if timeout is None else attrs.evolve(policy, timeout=timeout)


async def wait_until_done(
    current: T,
    refresh: Callable[[T], Awaitable[T]],
    is_done: Callable[[T], bool],
    policy: PollPolicy = PollPolicy(),
) -> T:
    """Refresh `current` until `is_done` says so; return the finished value.

    Cancellation: the sleeps between polls are checkpoints; cancelling leaves nothing behind.
    """
    next_delay = policy.delays()
    with anyio.move_on_after(
        policy.timeout if policy.timeout is not None else float("inf")
    ) as scope:
        while not is_done(current):
            await anyio.sleep(next_delay())
            current = await refresh(current)
        return current
    assert scope.cancelled_caught and policy.timeout is not None
    raise DeadlineExceededError(policy.timeout)
