"""Finishing a long-running job while a caller waits on it, without a blind sleep."""

from __future__ import annotations

import trio


async def finish_once_polled(emulator, seconds: float = 3.0) -> None:
    """Move the emulator's clock once it has been asked again: the caller is polling, so its
    wait sees the job unfinished first and finished later."""
    before = emulator.stats()["requests"]
    with trio.fail_after(10):
        while emulator.stats()["requests"] <= before:  # noqa: ASYNC110 - server state, no event
            await trio.sleep(0.005)
    await trio.to_thread.run_sync(emulator.advance, seconds)
