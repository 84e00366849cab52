"""Chaos testing tools for code that uses genaio: run them against the emulator.

- `sweep_cancellation(call, check=...)`: cancel `call` after its 1st, 2nd, ... scheduler step
  until it completes, running `check` after each cancelled attempt (trio).
- `snapshot(client)` and `assert_no_leaks(client, baseline)`: nothing left behind (tasks,
  queued or in-flight envelopes, busy pool connections, open memory channels).
- `pool_counts(client)`, `open_sockets(port)`, `live_tasks()`, `open_channels()`: the probes
  those assertions use, for your own.

See docs/testing.md.
"""

from genaio.testing._leaks import (
    LeakError,
    PoolCounts,
    Snapshot,
    assert_no_leaks,
    live_tasks,
    open_channels,
    open_sockets,
    pool_counts,
    snapshot,
)
from genaio.testing._sweep import (
    Attempt,
    CancelAfterSteps,
    SweepReport,
    cancel_after_steps,
    sweep_cancellation,
)

__all__ = [
    "Attempt",
    "CancelAfterSteps",
    "LeakError",
    "PoolCounts",
    "Snapshot",
    "SweepReport",
    "assert_no_leaks",
    "cancel_after_steps",
    "live_tasks",
    "open_channels",
    "open_sockets",
    "pool_counts",
    "snapshot",
    "sweep_cancellation",
]
