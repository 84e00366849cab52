"""The sweep's own rules, on trio, with calls whose steps are known exactly."""

from __future__ import annotations

import trio
import trio.testing

from genaio.testing import sweep_cancellation


async def test_a_late_attempt_is_followed_by_another(nursery):
    """A call woken by another task: cancelled after its own first step it is cancelled; after
    the waker's step it has already been rescheduled with its value, so it completes (late);
    the sweep calls it again, and that attempt completes uncancelled."""
    attempts = 0

    async def wake(woken: trio.Event) -> None:
        woken.set()

    async def call() -> int:
        nonlocal attempts
        attempts += 1
        woken = trio.Event()
        nursery.start_soon(wake, woken)  # step 2: the waker
        await woken.wait()  # step 1 ends here; step 3 completes the call
        return attempts

    # Before each attempt the last one's waker has run: it is not counted among the steps.
    report = await sweep_cancellation(call, before=trio.testing.wait_all_tasks_blocked)
    assert (report.points, report.late, attempts) == (1, 1, 3)
    assert report.complete and report.result == 3
