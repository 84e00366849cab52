"""The emulated clock: real time times `time_scale`, plus whatever `advance()` has added."""

from __future__ import annotations

import datetime as _dt
import time

__all__ = ["Clock", "duration", "parse_duration", "parse_timestamp", "timestamp"]


class Clock:
    """Emulated seconds since the epoch. Thread-safe enough: `advance` only adds to a float."""

    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("time_scale must be positive")
        self.scale = scale
        self._wall0 = time.time()
        self._mono0 = time.perf_counter()
        self._offset = 0.0

    def now(self) -> float:
        return self._wall0 + (time.perf_counter() - self._mono0) * self.scale + self._offset

    def advance(self, seconds: float) -> None:
        """Jump the emulated clock forward (tests use it instead of sleeping)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds

    def to_real(self, emulated_seconds: float) -> float:
        return emulated_seconds / self.scale

    def __repr__(self) -> str:
        return f"Clock(scale={self.scale}, offset={self._offset})"


def timestamp(seconds: float) -> str:
    """RFC 3339 with microseconds and `Z`, as the API writes them."""
    moment = _dt.datetime.fromtimestamp(seconds, _dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> float:
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = _dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.UTC)
    return moment.timestamp()


def duration(seconds: float) -> str:
    """A protobuf Duration string: `"53s"`, or `"0.250s"` below whole seconds."""
    if seconds == int(seconds):
        return f"{int(seconds)}s"
    return f"{seconds:.3f}s"


def parse_duration(text: str) -> float:
    text = str(text).strip()
    if not text.endswith("s"):
        raise ValueError(f"not a duration: {text!r}")
    return float(text[:-1])
