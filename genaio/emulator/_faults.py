"""Fault injection decisions: one seeded draw per request, made synchronously.

The app's async shell performs what `Faults.decide` returns: an error answer, a TCP reset, a
hang, a malformed body, latency, a slow first byte, a stream cut or an error event mid-stream.
"""

from __future__ import annotations

import random

import attrs

from ._clock import duration
from ._config import FaultConfig
from ._http import ApiError

__all__ = ["Fault", "Faults", "fault_error"]

ERRORS = ("error_500", "error_503", "error_429")
_UNARY = ("error_500", "error_503", "error_429", "reset", "hang", "malformed")
_STREAM = (*_UNARY, "stream_cut", "stream_error")


@attrs.frozen
class Fault:
    kind: str | None = None  # None, one of ERRORS, reset, hang, malformed, stream_cut, stream_error
    latency: float = 0.0  # real seconds before answering
    ttfb: float = 0.0  # real seconds before a stream's first event
    interval: float = 0.0  # real seconds between stream events
    cut_after: int | None = None  # stream_cut: events sent before the reset (None: half)


NO_FAULT = Fault()


class Faults:
    """Holds the current `FaultConfig` (replaceable at runtime) and its random generator."""

    def __init__(self, config: FaultConfig) -> None:
        self.set(config)

    def set(self, config: FaultConfig) -> None:
        self.config = config
        self._rng = random.Random(config.seed)
        self._active = any(getattr(config, f"{k}_rate") for k in _STREAM) or bool(
            config.latency_ms
            or config.latency_jitter_ms
            or config.ttfb_ms
            or config.chunk_interval_ms
        )

    def decide(self, method: str, streaming: bool) -> Fault:
        config = self.config
        if not self._active or (config.methods and method not in config.methods):
            return NO_FAULT
        draw = self._rng.random()
        kind = None
        edge = 0.0
        for name in _STREAM if streaming else _UNARY:
            edge += getattr(config, f"{name}_rate")
            if draw < edge:
                kind = name
                break
        latency = config.latency_ms
        if config.latency_jitter_ms:
            if config.latency_distribution == "exponential":
                latency += self._rng.expovariate(1.0 / config.latency_jitter_ms)
            else:
                latency += self._rng.uniform(0.0, config.latency_jitter_ms)
        return Fault(
            kind,
            latency / 1000.0,
            config.ttfb_ms / 1000.0,
            config.chunk_interval_ms / 1000.0,
            config.stream_cut_after if kind == "stream_cut" else None,
        )


def fault_error(kind: str, config: FaultConfig) -> ApiError:
    """The error the real API sends for an injected error fault."""
    if kind == "error_503":
        return ApiError(503, "The model is overloaded. Please try again later.", "UNAVAILABLE")
    if kind == "error_429":
        return ApiError(
            429,
            "Resource has been exhausted (e.g. check quota).",
            "RESOURCE_EXHAUSTED",
            [
                {
                    "@type": "type.googleapis.com/google.rpc.RetryInfo",
                    "retryDelay": duration(config.error_429_retry_delay),
                }
            ],
        )
    return ApiError(
        500,
        "An internal error has occurred. Please retry or report in "
        "https://developers.generativeai.google/guide/troubleshooting",
        "INTERNAL",
    )
