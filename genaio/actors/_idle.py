"""Waiting for the event loop to be idle: when one-off work costs no caller anything.

Some first-use work is large and done once per process (building a deferred response model's
validator takes tens of milliseconds). Done where it is first needed, it lands on a burst's
critical path: the first answer of two thousand builds it while the other answers queue up
behind it. The loop is idle instead while the calls wait for their answers, and that is when
`wait_idle` returns.

"Idle" is every task blocked for `IDLE_CUSHION` seconds in a row: long enough that the short
waits inside a burst (a TLS handshake on a near server, a scheduling gap) do not count, short
enough to fall well within a call's wait for a model's answer. On trio, the run loop itself
tells (`trio.testing.wait_all_tasks_blocked`, which costs nothing while tasks run). asyncio has
no such hook: there anyio looks at every task every 0.1 s after the cushion, until all are
blocked at once.
"""

from __future__ import annotations

import anyio
import sniffio

# The function `trio.testing` exports, from where trio defines it: importing `trio.testing`
# imports pytest (about 90 ms), which a client has no business loading. (Should trio move it,
# the public name still works, at that price.)
try:
    from trio._core._run import wait_all_tasks_blocked
except ImportError:  # pragma: no cover - a trio that moved it
    from trio.testing import wait_all_tasks_blocked

__all__ = ["IDLE_CUSHION", "wait_idle"]

#: How long every task must have been blocked for the loop to count as idle, in seconds.
IDLE_CUSHION = 0.02


async def wait_idle() -> None:
    """Return once every other task has been blocked for `IDLE_CUSHION` seconds.

    Cancellation: a plain wait; cancelling it ends it at once.
    """
    if sniffio.current_async_library() == "trio":
        await wait_all_tasks_blocked(IDLE_CUSHION)
    else:
        await anyio.sleep(IDLE_CUSHION)
        await anyio.wait_all_tasks_blocked()
