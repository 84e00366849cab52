"""Cancel a call at every checkpoint: for k = 1, 2, ... cancel it after the k-th step,
until it completes without being cancelled.

On trio a step is one run of one task between two checkpoints, counted over the whole run
while the call is active (trio's instrumentation API): the caller's own steps and those of
every task that works for it (the actor's serve loop and worker, the connection's reads).
Cancelling the caller at each of them exercises every point of the request's way through the
engine: queued, connecting, sending, waiting for the head, reading the body, retrying.

On asyncio, which has no such instrumentation, a step is one suspension of the call itself
(each `await` that yields to the loop): the sweep drives the call's coroutine and counts them.
That reaches every point where the caller can be cancelled, whatever the client (google-genai
included). After each cancelled attempt the driver runs `check` (typically `assert_no_leaks`
and a probe call), so that a leak or a broken client is caught at the step that caused it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import attrs
import sniffio
import trio

__all__ = [
    "Attempt",
    "CancelAfterSteps",
    "SweepReport",
    "cancel_after_steps",
    "sweep_cancellation",
]


class CancelAfterSteps(trio.abc.Instrument):
    """Counts task steps and cancels `scope` once `k` of them have run."""

    def __init__(self, k: int, scope: trio.CancelScope) -> None:
        self.k = k
        self.scope = scope
        self.steps = 0

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        self.steps += 1
        if self.steps == self.k:
            # The task has just yielded: cancelling now delivers Cancelled to the caller at
            # the checkpoint where it waits, exactly as a timeout expiring there would.
            self.scope.cancel(reason=f"genaio.testing: cancelled after step {self.k}")


@contextmanager
def cancel_after_steps(k: int) -> Iterator[CancelAfterSteps]:
    """A cancel scope around the block that is cancelled after the k-th step of the run.

    The scope is `.scope` of the value; `.steps` says how many steps ran inside the block.
    """
    if k < 1:
        raise ValueError("k counts steps from 1")
    with trio.CancelScope() as scope:
        counter = CancelAfterSteps(k, scope)
        trio.lowlevel.add_instrument(counter)
        try:
            yield counter
        finally:
            trio.lowlevel.remove_instrument(counter)


class _CountSuspensions:
    """Drives a coroutine, counting its suspensions, and cancels `scope` at the k-th one (the
    cancel lands at that very suspension: the caller's k-th checkpoint)."""

    def __init__(self, k: int, scope: anyio.CancelScope) -> None:
        self.k = k
        self.scope = scope
        self.steps = 0

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Generator[Any, Any, Any]:
        send: Any = None
        error: BaseException | None = None
        while True:
            try:
                yielded = coroutine.throw(error) if error is not None else coroutine.send(send)
            except StopIteration as stop:
                return stop.value
            self.steps += 1
            if self.steps == self.k:
                self.scope.cancel()
            try:
                send, error = (yield yielded), None
            except BaseException as thrown:  # a cancellation (or any error) for the coroutine
                send, error = None, thrown


class _Driven:
    def __init__(self, driver: Generator[Any, Any, Any]) -> None:
        self._driver = driver

    def __await__(self) -> Generator[Any, Any, Any]:
        return self._driver


@attrs.frozen
class Attempt:
    """One attempt of a sweep, as `check` sees it: cancelled after step `k`, or completed
    (`cancelled` False) because the cancel came after its last checkpoint."""

    k: int
    cancelled: bool


@attrs.frozen
class SweepReport:
    """What a sweep did.

    `points`: attempts cancelled (each at a different step); `late`: attempts whose cancel
    came after the call's last checkpoint (the call still completed, as it should); `steps`:
    the steps of the one attempt that ran uncancelled; `complete`: whether the sweep reached
    it within `max_points`.
    """

    points: int
    late: int
    steps: int
    complete: bool
    result: Any = None


async def sweep_cancellation(
    call: Callable[[], Awaitable[Any]],
    *,
    before: Callable[[], Awaitable[object]] | None = None,
    check: Callable[[Attempt], Awaitable[object]] | None = None,
    max_points: int = 1000,
    stride: int = 1,
) -> SweepReport:
    """Run `call()` for k = 1, 1 + stride, ... cancelling it after its k-th step (trio: of any
    task; asyncio: of the call itself), until it completes uncancelled. Before every attempt,
    await `before()` (outside the cancelled scope: set up what the attempt needs, e.g. other
    callers); after every attempt whose cancel was called, await `check(attempt)`.

    A cancelled attempt must end in the loop's cancellation and nothing else: any other
    exception propagates at once, with a note naming the step. An attempt whose cancel came
    too late (it completed) is followed by another, so `call` must be able to run again.
    `stride` > 1 samples the steps of a long call; `max_points` bounds the sweep (then
    `complete` is False).

    Cancellation: cancelling the sweep cancels the attempt in progress.
    """
    on_trio = sniffio.current_async_library() == "trio"
    points = late = 0
    k = 1
    while points + late < max_points:
        if before is not None:
            await before()
        counter: CancelAfterSteps | _CountSuspensions
        scope: trio.CancelScope | anyio.CancelScope
        try:
            if on_trio:
                with cancel_after_steps(k) as counter:
                    scope = counter.scope
                    result = await call()
            else:
                with anyio.CancelScope() as scope:
                    counter = _CountSuspensions(k, scope)
                    coroutine = call()
                    if not isinstance(coroutine, Coroutine):
                        raise TypeError("on asyncio, call() must return a coroutine")
                    result = await _Driven(counter.run(coroutine))
        except Exception as exc:
            when = "after its cancel at" if scope.cancel_called else "before"
            exc.add_note(f"genaio.testing: the call raised this {when} step {k}")
            raise
        if not scope.cancel_called:
            return SweepReport(points, late, counter.steps, True, result)
        cancelled = scope.cancelled_caught
        points += cancelled
        late += not cancelled
        if check is not None:
            try:
                await check(Attempt(k, cancelled))
            except BaseException as exc:
                exc.add_note(f"genaio.testing: after cancelling the call at step {k}")
                raise
        k += stride
    return SweepReport(points, late, 0, False)
