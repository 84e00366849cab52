"""OpenTelemetry's GenAI spans and metrics for genaio's calls (the `otel` extra).

Imported only by a client that enables telemetry (see `_telemetry.recorder`). Names follow
OpenTelemetry's GenAI semantic conventions: a CLIENT span `{gen_ai.operation.name}
{gen_ai.request.model}` per call, `gen_ai.client.operation.duration` and
`gen_ai.client.token.usage`; genaio's own instruments are named `genaio.client.*`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from opentelemetry import trace
from opentelemetry.metrics import get_meter
from opentelemetry.trace import Link, SpanKind, Status, StatusCode

import genaio

if TYPE_CHECKING:
    from genaio._telemetry import CallTrace, Telemetry

__all__ = ["OtelRecorder"]

#: The conventions' advised buckets (seconds, and tokens).
_DURATION_BUCKETS = (
    0.01,
    0.02,
    0.04,
    0.08,
    0.16,
    0.32,
    0.64,
    1.28,
    2.56,
    5.12,
    10.24,
    20.48,
    40.96,
    81.92,
)
_TOKEN_BUCKETS = (
    1,
    4,
    16,
    64,
    256,
    1024,
    4096,
    16384,
    65536,
    262144,
    1048576,
    4194304,
    16777216,
    67108864,
)


class OtelRecorder:
    """A client's tracer and instruments, and what each call's span records."""

    def __init__(
        self, options: Telemetry, *, base_url: str, vertex: bool, capture_content: bool
    ) -> None:
        self.tracer = trace.get_tracer("genaio", genaio.__version__, options.tracer_provider)
        meter = get_meter("genaio", genaio.__version__, options.meter_provider)
        self.capture_content = capture_content
        url = urlsplit(base_url)
        self.common: dict[str, Any] = {
            "gen_ai.provider.name": "gcp.vertex_ai" if vertex else "gcp.gemini",
            "server.address": url.hostname or "",
            "server.port": url.port or (443 if url.scheme == "https" else 80),
        }
        self.duration = meter.create_histogram(
            "gen_ai.client.operation.duration",
            unit="s",
            description="GenAI operation duration",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )
        self.token_usage = meter.create_histogram(
            "gen_ai.client.token.usage",
            unit="{token}",
            description="Number of input and output tokens used",
            explicit_bucket_boundaries_advisory=_TOKEN_BUCKETS,
        )
        self.retries = meter.create_counter(
            "genaio.client.retries", unit="{retry}", description="Attempts repeated after a failure"
        )
        self.rate_limited = meter.create_counter(
            "genaio.client.rate_limited",
            unit="{response}",
            description="429 answers (retried or not)",
        )
        self.throttle_wait = meter.create_histogram(
            "genaio.client.throttle.wait",
            unit="s",
            description="Time an attempt waited for the client's own rate and concurrency limits",
            explicit_bucket_boundaries_advisory=_DURATION_BUCKETS,
        )

    def _attributes(self, call: CallTrace) -> dict[str, Any]:
        attributes = {"gen_ai.operation.name": call.operation, **self.common}
        if call.model:
            attributes["gen_ai.request.model"] = call.model
        return attributes

    def start(self, call: CallTrace) -> trace.Span:
        """The call's span, a child of the caller's current span."""
        attributes = self._attributes(call)
        if self.capture_content and isinstance(call.body, dict) and "contents" in call.body:
            attributes["gen_ai.input.messages"] = json.dumps(call.body["contents"])
        name = f"{call.operation} {call.model}" if call.model else call.operation
        return self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attributes)

    def finish(
        self,
        call: CallTrace,
        error: BaseException | None,
        data: Any,
        latency: float,
        input_tokens: int | None,
        output_tokens: int | None,
    ) -> None:
        span, attributes = call.span, self._attributes(call)
        assert span is not None
        model = data.get("modelVersion") if isinstance(data, dict) else None
        if model:
            attributes["gen_ai.response.model"] = model
        if error is not None:
            attributes["error.type"] = type(error).__name__
            if getattr(error, "code", None) == 429:
                self.rate_limited.add(1, self.common)
        self.duration.record(latency, attributes)
        for kind, count in (("input", input_tokens), ("output", output_tokens)):
            if count is not None:
                self.token_usage.record(count, {**attributes, "gen_ai.token.type": kind})
        if not span.is_recording():
            span.end()
            return
        attributes["genaio.attempts"] = call.attempts
        attributes["genaio.queued"] = call.queued
        if call.request_id is not None:
            attributes["genaio.request_id"] = call.request_id
        if input_tokens is not None:
            attributes["gen_ai.usage.input_tokens"] = input_tokens
        if output_tokens is not None:
            attributes["gen_ai.usage.output_tokens"] = output_tokens
        if isinstance(data, dict):
            # A stream's last event is not its answer's contents: those are left out.
            content = self.capture_content and not call.verb.startswith("stream")
            _answer_attributes(data, attributes, content)
        span.set_attributes(attributes)
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, str(error)[:200]))
        span.end()

    def retrying(
        self, call: CallTrace, number: int, error: BaseException | None, wait: float
    ) -> None:
        code = getattr(error, "code", None)
        attributes: dict[str, Any] = {"error.type": type(error).__name__, **self.common}
        if isinstance(code, int):
            attributes["http.response.status_code"] = code
            if code == 429:
                self.rate_limited.add(1, self.common)
        self.retries.add(1, attributes)
        if call.span is not None:
            call.span.add_event(
                "genaio.retry",
                {"genaio.attempt": number, "genaio.retry.wait": wait, **attributes},
            )

    def throttled(self, call: CallTrace, wait: float) -> None:
        self.throttle_wait.record(wait, self.common)
        if call.span is not None:
            call.span.add_event("genaio.throttle.wait", {"genaio.wait": wait})

    def start_batch(self, call: CallTrace, members: list[trace.Span]) -> trace.Span:
        """The span of a merged request, linked both ways with the calls that rode in it."""
        name = f"{call.operation} {call.model} batch" if call.model else call.operation
        attributes = {**self._attributes(call), "genaio.batch.calls": len(members)}
        links = [Link(span.get_span_context()) for span in members]
        span = self.tracer.start_span(
            name,
            context=trace.set_span_in_context(trace.INVALID_SPAN),
            kind=SpanKind.CLIENT,
            attributes=attributes,
            links=links,
        )
        for member in members:
            member.add_link(span.get_span_context())
        return span


def _answer_attributes(data: dict[str, Any], attributes: dict[str, Any], content: bool) -> None:
    candidates = data.get("candidates")
    if isinstance(candidates, list):
        reasons = [c.get("finishReason") for c in candidates if isinstance(c, dict)]
        if any(reasons):
            attributes["gen_ai.response.finish_reasons"] = [r for r in reasons if r]
        if content:
            attributes["gen_ai.output.messages"] = json.dumps(
                [c.get("content") for c in candidates if isinstance(c, dict)]
            )
    if isinstance(data.get("responseId"), str):
        attributes["gen_ai.response.id"] = data["responseId"]
