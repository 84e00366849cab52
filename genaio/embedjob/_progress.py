"""The job's live progress line and its closing summary.

The job counts what it sees (items, estimated tokens, failures); the engine counts what it hides
(429s and retries), read through a callable. Rendering is a pure function of those numbers, so
tests check it without a terminal. On a terminal the line is redrawn in place a few times a
second; otherwise (a log file, a pipe) a plain line is printed every few seconds.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TextIO

import anyio
import attrs

__all__ = ["Counts", "EngineCounts", "Progress", "render", "summary"]

_BAR = 20
_RATE_WINDOW = 10.0  # seconds of history the items/s and the ETA are measured over


@attrs.define
class Counts:
    """What the job has seen so far."""

    total: int | None = None  # items this run expects to embed (an estimate)
    embedded: int = 0
    tokens: int = 0  # estimated, as the rate limiter charges them
    failed: int = 0
    bad_lines: int = 0
    skipped: int = 0  # found done in the output already


@attrs.frozen
class EngineCounts:
    rate_limited: int = 0  # 429s answered to this model's requests
    retries: int = 0  # attempts repeated, for any reason


def render(counts: Counts, engine: EngineCounts, rate: float) -> str:
    """One progress line: bar, items, tokens, items/s, 429s, retries, ETA."""
    done = counts.embedded + counts.failed
    if counts.total:
        share = min(1.0, done / counts.total)
        filled = round(share * _BAR)
        head = f"[{'#' * filled}{'.' * (_BAR - filled)}] {share:4.0%} {done:,}/{counts.total:,}"
    else:
        head = f"{done:,}"
    eta = ""
    if counts.total and rate > 0:
        eta = f" | ETA {_clock(max(0, counts.total - done) / rate)}"
    return (
        f"{head} items | {counts.tokens:,} tokens | {rate:,.0f} items/s | "
        f"429s {engine.rate_limited:,} | retries {engine.retries:,}{eta}"
    )


def summary(counts: Counts, engine: EngineCounts, elapsed: float) -> str:
    rate = counts.embedded / elapsed if elapsed > 0 else 0.0
    parts = [
        f"embedded {counts.embedded:,} items (~{counts.tokens:,} tokens) in {elapsed:.1f} s, "
        f"{rate:,.0f} items/s; 429s: {engine.rate_limited:,}, retries: {engine.retries:,}"
    ]
    if counts.skipped:
        parts.append(f"{counts.skipped:,} already done")
    if counts.bad_lines:
        parts.append(f"{counts.bad_lines:,} bad input lines skipped")
    if counts.failed:
        parts.append(f"{counts.failed:,} failed")
    return "; ".join(parts)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class Progress:
    """Draws `render` over time. `run` redraws until cancelled; `close` leaves a clean line."""

    def __init__(
        self,
        counts: Counts,
        engine: Callable[[], EngineCounts],
        stream: TextIO,
        *,
        live: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.counts = counts
        self._engine = engine
        self._stream = stream
        self._live = live
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._drawn = False

    def rate(self) -> float:
        """Items per second over the last few seconds."""
        now = self._clock()
        self._samples.append((now, self.counts.embedded))
        while len(self._samples) > 2 and now - self._samples[1][0] >= _RATE_WINDOW:
            self._samples.popleft()
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        return (last - first) / (end - start) if end > start else 0.0

    def draw(self) -> None:
        line = render(self.counts, self._engine(), self.rate())
        if self._live:
            self._stream.write(f"\r{line}\x1b[K")
            self._drawn = True
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    async def run(self) -> None:
        """Redraw until cancelled.

        Cancellation: the normal way to stop it; nothing is left half-written.
        """
        interval = 0.25 if self._live else 5.0
        while True:
            await anyio.sleep(interval)
            self.draw()

    def close(self) -> None:
        """End the live line so that what follows starts on a fresh one."""
        if self._drawn:
            self._stream.write("\r" + render(self.counts, self._engine(), self.rate()) + "\n")
            self._stream.flush()
            self._drawn = False
