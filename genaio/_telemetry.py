"""What a finished call tells the outside: one canonical log line, and OpenTelemetry's GenAI
spans and metrics when the `otel` extra is enabled.

A call is observed only when someone listens: a client with telemetry (decided once, when the
client is made), or a `genaio.calls` logger enabled at INFO. Otherwise the facade takes its
usual path, and the engine's hooks (`retrying`, `admitted`) cost one context-variable read.

The call's record (`CallTrace`) is made in the caller's task, so its span's parent is whatever
span the caller is in; it travels to the worker inside the call's `RestWork` (a task copies
context variables when it is spawned, not later), and the worker makes it `CURRENT` while it
serves the call, which is where the engine's hooks find it. This module imports no
OpenTelemetry: `genaio._otel` does, and only once a client enables it.
"""

from __future__ import annotations

import logging
import os
import sys
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from genaio._log import get_logger

if TYPE_CHECKING:
    from genaio._otel import OtelRecorder
    from genaio.engine._throttle import Attempt

__all__ = ["CURRENT", "CallTrace", "Telemetry", "admitted", "observing", "retrying"]

log = get_logger("genaio.calls")
_calls = logging.getLogger("genaio.calls")

#: The call a worker is serving, for the engine's hooks (None: nobody observes it).
CURRENT: ContextVar[CallTrace | None] = ContextVar("genaio_call_trace", default=None)

#: The conventions' opt-in for prompts and answers on spans (off unless "true").
CAPTURE_ENV = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"


@attrs.frozen
class Telemetry:
    """Where a client sends its spans and metrics (`Client(telemetry=Telemetry(...))`).

    Providers default to OpenTelemetry's global ones; `capture_content` defaults to the
    `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` environment variable.
    """

    tracer_provider: Any = None
    meter_provider: Any = None
    capture_content: bool | None = None


def recorder(setting: bool | Telemetry | None, base_url: str, vertex: bool) -> OtelRecorder | None:
    """The client's OpenTelemetry recorder, or None: decided once, when the client is made.

    `None` (the default) enables it when the application has set OpenTelemetry's global tracer
    provider (looked up only if it has imported OpenTelemetry); `True` requires the extra;
    `False` never.
    """
    if setting is False or (setting is None and not _tracer_provider_set()):
        return None
    try:
        from genaio._otel import OtelRecorder
    except ImportError as error:
        if setting is None:
            return None
        raise ImportError("telemetry needs the otel extra: pip install 'genaio[otel]'") from error
    options = setting if isinstance(setting, Telemetry) else Telemetry()
    capture = options.capture_content
    if capture is None:
        capture = os.environ.get(CAPTURE_ENV, "").strip().lower() == "true"
    return OtelRecorder(options, base_url=base_url, vertex=vertex, capture_content=capture)


def _tracer_provider_set() -> bool:
    otel_trace = sys.modules.get("opentelemetry.trace")
    if otel_trace is None:
        return False
    return not isinstance(otel_trace.get_tracer_provider(), otel_trace.ProxyTracerProvider)


def observing(otel: OtelRecorder | None) -> bool:
    """Whether a call is to be traced: by OpenTelemetry, or for the canonical log line."""
    return otel is not None or _calls.isEnabledFor(logging.INFO)


class CallTrace:
    """One call, as its caller and its worker see it: what the log line and span report."""

    __slots__ = (
        "attempt_began",
        "attempts",
        "body",
        "done",
        "model",
        "operation",
        "otel",
        "queued",
        "request_id",
        "span",
        "started",
        "verb",
        "waited",
    )

    def __init__(self, otel: OtelRecorder | None, path: str, model: str | None, body: Any):
        self.otel = otel
        name, _, verb = path.rpartition(":")
        self.verb = verb if name else path
        self.model = model.rsplit("/", 1)[-1] if model else None
        self.operation = _OPERATIONS.get(self.verb) or self.verb
        self.body = body
        self.started = self.attempt_began = anyio.current_time()
        self.attempts, self.waited, self.queued = 1, 0.0, 0.0
        self.request_id: str | None = None
        self.done = False
        self.span = otel.start(self) if otel is not None else None

    def serving(self, request_id: str | None) -> None:
        """A worker begins the call."""
        self.request_id = request_id
        self.attempt_began = now = anyio.current_time()
        self.queued = now - self.started

    def finish(self, error: BaseException | None, data: Any = None) -> None:
        """The call has ended: with an answer (`data`, its JSON, or a stream's last event) or
        `error`. Only the first end counts (a stream's caller and its pump may both end it)."""
        if self.done:
            return
        self.done = True
        latency = anyio.current_time() - self.started
        usage = (data.get("usageMetadata") if isinstance(data, dict) else None) or {}
        input_tokens = usage.get("promptTokenCount")
        output_tokens = _output_tokens(usage)
        if self.otel is not None:
            self.otel.finish(self, error, data, latency, input_tokens, output_tokens)
        if error is None and not _calls.isEnabledFor(logging.DEBUG):
            return
        fields = {
            "model": self.model,
            "method": self.verb,
            "status": "ok" if error is None else type(error).__name__,
            "code": getattr(error, "code", None),
            "attempts": getattr(error, "attempts", None) or self.attempts,
            "queued": round(self.queued, 6),
            "waited": round(self.waited, 6),
            "latency": round(latency, 6),
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "request_id": self.request_id,
        }
        if error is None:
            log.debug("call", **fields)
        else:
            log.info("call", **fields)


def retrying(number: int, error: BaseException | None, wait: float) -> None:
    """The engine's hook: attempt `number` failed with `error`; the next in `wait` seconds."""
    trace = CURRENT.get()
    if trace is None:
        return
    trace.attempts = number + 1
    trace.waited += wait
    trace.attempt_began = anyio.current_time() + wait
    if trace.otel is not None:
        trace.otel.retrying(trace, number, error, wait)


def admitted(attempt: Attempt) -> Attempt:
    """The throttle's hook: `attempt` was admitted (after waiting, perhaps)."""
    trace = CURRENT.get()
    if trace is not None:
        wait = attempt.started - trace.attempt_began
        if wait > _NOT_A_WAIT:
            trace.waited += wait
            if trace.otel is not None:
                trace.otel.throttled(trace, wait)
    return attempt


#: Shorter than this, the time before an admission is the worker's own steps, not a wait.
_NOT_A_WAIT = 0.001


def _output_tokens(usage: dict[str, Any]) -> int | None:
    counts = [usage.get(k) for k in ("candidatesTokenCount", "thoughtsTokenCount")]
    return sum(c for c in counts if c) if any(c is not None for c in counts) else None


#: The conventions' well-known operation names for the API's verbs; others go as they are.
_OPERATIONS = {
    "generateContent": "generate_content",
    "streamGenerateContent": "generate_content",
    "embedContent": "embeddings",
    "batchEmbedContents": "embeddings",
}


def batch_trace(members: list[CallTrace], path: str, model: str | None) -> CallTrace:
    """The trace of a merged request that carries `members`' calls (see `_coalesce`)."""
    otel = members[0].otel
    merged = CallTrace(None, path, model, None)
    merged.otel = otel
    if otel is not None:
        merged.span = otel.start_batch(merged, [m.span for m in members if m.span is not None])
    return merged


def end_batch(merged: CallTrace, members: list[CallTrace], error: BaseException | None) -> None:
    """The merged request has ended: its members report its request id and attempts."""
    for member in members:
        member.request_id, member.attempts = merged.request_id, merged.attempts
        member.waited += merged.waited
    if merged.span is not None:
        if error is not None:
            merged.span.set_attribute("error.type", type(error).__name__)
        merged.span.end()
