"""Supervision: restart a crashed actor within a budget, then let the failure propagate.

A crash is a failure of an actor's own loop: one envelope's failing work is that envelope's
error (`Actor` contains it), so no answer from a server ever reaches this module.
"""

from __future__ import annotations

from collections import deque

import anyio
import attrs

from genaio._log import get_logger
from genaio.actors._actor import Actor
from genaio.actors._errors import crash_error, single_error

__all__ = ["RestartBudget", "supervise"]

log = get_logger("genaio.supervisor")


@attrs.define
class RestartBudget:
    """At most `max_restarts` restarts within any `window` seconds of the loop's clock."""

    max_restarts: int = 3
    window: float = 60.0
    _times: deque[float] = attrs.field(factory=deque, init=False)

    def allow(self, now: float) -> bool:
        while self._times and now - self._times[0] > self.window:
            self._times.popleft()
        if len(self._times) >= self.max_restarts:
            return False
        self._times.append(now)
        return True


async def supervise(
    actor: Actor,
    budget: RestartBudget,
    *,
    task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Run `actor` until its mailbox closes; restart it when it crashes.

    The envelopes a crashed incarnation held are failed with `ActorCrashedError`; queued ones
    wait in the mailbox for the next incarnation. Past the budget, the crash propagates to the
    parent (the tree's root, `ActorTree`), which tears the tree down.
    """
    status = task_status
    while True:
        try:
            await actor.run(task_status=status)
            return
        except Exception as group:
            crash = single_error(group)
            actor.fail_held(crash_error(actor.name, crash))
            if not budget.allow(anyio.current_time()):
                # No incarnation will serve the mailbox again: callers queued in it, or about
                # to submit, would wait forever.
                actor.close()
                log.error("actor crashed past its restart budget", actor=actor.name, exc_info=crash)
                raise crash_error(actor.name, crash) from crash
            actor.restarts += 1
            log.warning("actor crashed; restarting", actor=actor.name, exc_info=crash)
            status = anyio.TASK_STATUS_IGNORED
