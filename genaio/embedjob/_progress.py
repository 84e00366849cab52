"""The job's progress display and its closing summary.

The job counts what it sees (items, estimated tokens, failures); the engine counts what it hides
(429s and retries), read through a callable. On a terminal, rich draws a live progress bar (its
own speed and ETA estimates included); in a log file or a pipe, where a live display has nothing
to redraw, `render` prints a plain line every few seconds. `render` and `summary` are pure
functions of the numbers, so tests check them without a terminal.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from typing import TextIO

import anyio
import attrs
from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    Task,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

__all__ = ["Counts", "EngineCounts", "Progress", "render", "summary"]

_BAR = 20
_RATE_WINDOW = 10.0  # seconds of history the items/s and the ETA are measured over


@attrs.define
class Counts:
    """What the job has seen so far."""

    total: int | None = None  # items this run expects to embed (an estimate)
    embedded: int = 0
    tokens: int = 0  # estimated, as the rate limiter charges them
    failed: int = 0  # failed for now (retried by the next run)
    skipped: int = 0  # found done in the output already
    truncated: int = 0  # cut to the model's input limit (--too-long truncate)
    failed_before: int = 0  # refused for good by an earlier run (in the rejects file)
    rejected: Counter[str] = attrs.Factory(Counter)  # skipped into the rejects file, by kind

    @property
    def skipped_records(self) -> int:
        """Input records that are not in the output, and will not be by running it again."""
        return sum(self.rejected.values()) + self.failed_before


@attrs.frozen
class EngineCounts:
    rate_limited: int = 0  # 429s answered to this model's requests
    retries: int = 0  # attempts repeated, for any reason
    paused_for: float = 0.0  # seconds left of a pause the server asked for (a 429's RetryInfo)


def render(counts: Counts, engine: EngineCounts, rate: float) -> str:
    """One progress line: bar, share, items, tokens, items/s (or why not), 429s, retries, ETA."""
    done = _done(counts)
    if counts.total:
        share = min(1.0, done / counts.total)
        filled = round(share * _BAR)
        head = f"[{'#' * filled}{'.' * (_BAR - filled)}] {share:4.0%} {done:,}/{counts.total:,}"
    else:
        head = f"{done:,}"
    eta = ""
    if counts.total and rate > 0 and not engine.paused_for:
        eta = f" | ETA {_clock(max(0, counts.total - done) / rate)}"
    return (
        f"{head} items | {counts.tokens:,} tokens | {_speed(rate, engine)} | "
        f"429s {engine.rate_limited:,} | retries {engine.retries:,}{eta}"
    )


def _done(counts: Counts) -> int:
    """Input records dealt with, one way or another: the bar reaches its end."""
    return counts.embedded + counts.failed + counts.skipped_records


def _speed(rate: float, engine: EngineCounts) -> str:
    if engine.paused_for > 0:
        return f"waiting for quota, {engine.paused_for:.0f} s"
    return f"{rate:,.0f} items/s"


def summary(counts: Counts, engine: EngineCounts, elapsed: float) -> str:
    rate = counts.embedded / elapsed if elapsed > 0 else 0.0
    parts = [
        f"embedded {counts.embedded:,} items (~{counts.tokens:,} tokens) in {elapsed:.1f} s, "
        f"{rate:,.0f} items/s; 429s: {engine.rate_limited:,}, retries: {engine.retries:,}"
    ]
    if counts.skipped:
        parts.append(f"{counts.skipped:,} already done")
    if counts.truncated:
        parts.append(f"{counts.truncated:,} texts truncated to the input limit")
    skipped = [
        f"{counts.rejected[kind]:,} {words}" for kind, words in _REJECTED if counts.rejected[kind]
    ]
    if counts.failed_before:
        skipped.append(f"{counts.failed_before:,} refused for good by an earlier run")
    if skipped:
        parts.append(f"skipped {counts.skipped_records:,} ({', '.join(skipped)})")
    if counts.failed:
        parts.append(f"{counts.failed:,} failed for now")
    return "; ".join(parts)


_REJECTED = (
    ("bad-record", "bad records"),
    ("duplicate", "duplicate ids"),
    ("too-long", "over the input limit"),
    ("failed", "refused for good (permanent)"),
)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class Progress:
    """Shows the counts over time: `run` redraws until cancelled; `close` leaves the final state."""

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
        self._clock = clock
        self._samples: deque[tuple[float, int]] = deque()
        self._bar = _rich_bar(stream) if live else None
        self._task = (
            self._bar.add_task(
                "embedding", total=counts.total, tokens=0, limited=0, retries=0, paused=0.0
            )
            if self._bar is not None
            else None
        )

    def rate(self) -> float:
        """Items per second over the last few seconds (for the plain lines)."""
        now = self._clock()
        self._samples.append((now, self.counts.embedded))
        while len(self._samples) > 2 and now - self._samples[1][0] >= _RATE_WINDOW:
            self._samples.popleft()
        (start, first), (end, last) = self._samples[0], self._samples[-1]
        return (last - first) / (end - start) if end > start else 0.0

    def draw(self) -> None:
        engine = self._engine()
        if self._bar is not None and self._task is not None:
            self._bar.update(
                self._task,
                completed=_done(self.counts),
                total=self.counts.total,
                tokens=self.counts.tokens,
                limited=engine.rate_limited,
                retries=engine.retries,
                paused=engine.paused_for,
            )
            self._bar.refresh()
            return
        self._stream.write(render(self.counts, engine, self.rate()) + "\n")
        self._stream.flush()

    async def run(self) -> None:
        """Redraw until cancelled.

        Cancellation: the normal way to stop it; nothing is left half-written.
        """
        if self._bar is not None:
            self._bar.start()
        interval = 0.25 if self._bar is not None else 5.0
        while True:
            await anyio.sleep(interval)
            self.draw()

    def close(self) -> None:
        """Draw the final state and end the live display, so what follows starts on its own line."""
        if self._bar is not None and self._bar.live.is_started:
            self.draw()
            self._bar.stop()


class _Share(ProgressColumn):
    """The share done and the counts, with thousands separators (rich's own column has none)."""

    def render(self, task: Task) -> Text:
        total = f"{task.total:,.0f}" if task.total is not None else "?"
        share = f"{task.percentage:3.0f}% " if task.total else ""
        return Text(f"{share}{task.completed:,.0f}/{total}")


class _Stats(ProgressColumn):
    """Items/s (or why there are none), tokens, 429s and retries in one short column (rich's
    speed counts bytes)."""

    def render(self, task: Task) -> Text:
        fields = task.fields
        paused = fields["paused"]
        speed = f"waiting for quota, {paused:.0f} s" if paused > 0 else f"{task.speed or 0:,.0f}/s"
        return Text(
            f"{speed} {_short(fields['tokens'])} tok "
            f"429s {fields['limited']:,} retries {fields['retries']:,}"
        )


def _short(n: int) -> str:
    """A count in four characters or so: 950, 29.7k, 17.3M."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def _rich_bar(stream: TextIO) -> RichProgress:
    # Fits 80 columns. Refreshed by `run` in the job's own event loop: no thread of rich's.
    return RichProgress(
        BarColumn(bar_width=12),
        _Share(),
        _Stats(),
        TimeRemainingColumn(),
        console=Console(file=stream, force_terminal=True),
        auto_refresh=False,
    )
