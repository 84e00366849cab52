"""OpenTelemetry spans and metrics of genaio's calls, read back from the SDK's in-memory
exporters, on both backends."""

from __future__ import annotations

import logging
import subprocess
import sys

import anyio
import pytest
from opentelemetry import trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)

import genaio
from genaio import errors
from genaio.emulator import FaultConfig

pytestmark = pytest.mark.anyio


class Recorded:
    def __init__(self) -> None:
        self.spans = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.telemetry = genaio.Telemetry(self.tracer_provider, self.meter_provider)

    def finished(self, name_prefix: str = "") -> list:
        return [s for s in self.spans.get_finished_spans() if s.name.startswith(name_prefix)]

    def metrics(self) -> dict[str, list]:
        data = self.reader.get_metrics_data()
        found: dict[str, list] = {}
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found.setdefault(metric.name, []).extend(metric.data.data_points)
        return found


@pytest.fixture
def recorded() -> Recorded:
    return Recorded()


def client(emulator, recorded: Recorded, **http_options) -> genaio.Client:
    return genaio.Client(
        api_key="secret-key",
        http_options={"base_url": emulator.base_url, **http_options},
        telemetry=recorded.telemetry,
    )


async def test_a_call_span_follows_the_genai_conventions_and_its_caller(genaio_emulator, recorded):
    tracer = recorded.tracer_provider.get_tracer("app")
    async with client(genaio_emulator, recorded).aio as aio:
        with tracer.start_as_current_span("handler") as parent:
            await aio.models.generate_content(model="gemini-2.0-flash", contents="Hello")
    (span,) = recorded.finished("generate_content")
    assert span.name == "generate_content gemini-2.0-flash"
    assert span.kind is trace.SpanKind.CLIENT
    # The actor's worker did the work; the caller's span is still the parent.
    assert span.parent.span_id == parent.get_span_context().span_id
    a = span.attributes
    assert a["gen_ai.operation.name"] == "generate_content"
    assert a["gen_ai.provider.name"] == "gcp.gemini"
    assert a["gen_ai.request.model"] == "gemini-2.0-flash"
    assert a["gen_ai.response.model"]
    assert a["gen_ai.usage.input_tokens"] > 0 and a["gen_ai.usage.output_tokens"] > 0
    assert tuple(a["gen_ai.response.finish_reasons"]) == ("STOP",)
    assert a["server.address"] == "127.0.0.1" and a["server.port"] > 0
    assert "gen_ai.input.messages" not in a  # contents only on opt-in
    assert "secret-key" not in str(dict(a))
    metrics = recorded.metrics()
    (duration,) = metrics["gen_ai.client.operation.duration"]
    assert duration.count == 1 and duration.attributes["gen_ai.request.model"] == "gemini-2.0-flash"
    kinds = {p.attributes["gen_ai.token.type"] for p in metrics["gen_ai.client.token.usage"]}
    assert kinds == {"input", "output"}


async def test_contents_are_recorded_only_on_opt_in(genaio_emulator, recorded):
    opted = genaio.Telemetry(recorded.tracer_provider, recorded.meter_provider, True)
    async with genaio.Client(
        api_key="k", http_options={"base_url": genaio_emulator.base_url}, telemetry=opted
    ).aio as aio:
        await aio.models.generate_content(model="gemini-2.0-flash", contents="Hello there")
    (span,) = recorded.finished("generate_content")
    assert "Hello there" in span.attributes["gen_ai.input.messages"]
    assert span.attributes["gen_ai.output.messages"]


async def test_retries_are_events_and_counted(genaio_emulator, recorded):
    genaio_emulator.set_faults(FaultConfig(seed=3, error_503_rate=0.5))
    retry = {"attempts": 10, "initial_delay": 0.001, "max_delay": 0.01, "jitter": 0}
    async with client(genaio_emulator, recorded, retry_options=retry).aio as aio:
        for _ in range(10):
            await aio.models.generate_content(model="gemini-2.0-flash", contents="x")
    spans = recorded.finished("generate_content")
    retried = [s for s in spans if s.attributes["genaio.attempts"] > 1]
    assert retried
    for span in retried:
        events = [e for e in span.events if e.name == "genaio.retry"]
        assert len(events) == span.attributes["genaio.attempts"] - 1
        assert events[0].attributes["http.response.status_code"] == 503
    (retries,) = recorded.metrics()["genaio.client.retries"]
    assert retries.value == sum(s.attributes["genaio.attempts"] - 1 for s in spans)


async def test_a_failed_call_has_its_error_type(genaio_emulator, recorded):
    async with client(genaio_emulator, recorded).aio as aio:
        with pytest.raises(errors.ClientError):
            await aio.models.generate_content(model="no-such-model", contents="x")
    (span,) = recorded.finished("generate_content")
    assert span.attributes["error.type"] == "NotFoundError"
    assert span.status.status_code is trace.StatusCode.ERROR
    (duration,) = recorded.metrics()["gen_ai.client.operation.duration"]
    assert duration.attributes["error.type"] == "NotFoundError"


async def test_a_cancelled_call_ends_its_span_with_its_error_type(genaio_emulator, recorded):
    genaio_emulator.set_faults(FaultConfig(latency_ms=30_000))
    async with client(genaio_emulator, recorded).aio as aio:
        with anyio.move_on_after(0.2):
            await aio.models.generate_content(model="gemini-2.0-flash", contents="slow")
        genaio_emulator.set_faults(None)
    (span,) = recorded.finished("generate_content")
    assert span.attributes["error.type"] in ("Cancelled", "CancelledError")


async def test_a_coalesced_embedding_links_to_its_batch_request(genaio_emulator, recorded):
    async with client(genaio_emulator, recorded).aio as aio:
        async with anyio.create_task_group() as group:
            for text in ("a", "b", "c"):
                group.start_soon(
                    lambda t: aio.models.embed_content(model="text-embedding-004", contents=t),
                    text,
                )
    calls = [s for s in recorded.finished("embeddings") if not s.name.endswith("batch")]
    batches = recorded.finished("embeddings text-embedding-004 batch")
    assert len(calls) == 3 and batches
    batch_ids = {b.context.span_id for b in batches}
    for span in calls:
        assert {link.context.span_id for link in span.links} & batch_ids
    linked = {link.context.span_id for b in batches for link in b.links}
    assert linked == {s.context.span_id for s in calls}


async def test_one_canonical_log_line_per_call(genaio_emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="genaio.calls")
    async with genaio.Client(
        api_key="secret-key",
        http_options={"base_url": genaio_emulator.base_url},
        telemetry=False,
    ).aio as aio:
        await aio.models.generate_content(model="gemini-2.0-flash", contents="Hi")
        with pytest.raises(errors.ClientError):
            await aio.models.generate_content(model="no-such-model", contents="x")
    ok, failed = [r for r in caplog.records if r.name == "genaio.calls"]
    assert (ok.levelno, failed.levelno) == (logging.DEBUG, logging.INFO)
    assert ok.model == "gemini-2.0-flash" and ok.method == "generateContent"
    assert ok.status == "ok" and ok.attempts == 1 and ok.input_tokens > 0
    assert ok.request_id and ok.latency >= ok.queued >= 0 and ok.waited >= 0
    assert failed.status == "NotFoundError" and failed.code == 404
    assert all("secret-key" not in str(vars(r)) for r in caplog.records)


def test_import_genaio_imports_no_opentelemetry():
    code = (
        "import sys, genaio; c = genaio.Client(api_key='k'); "
        "print(any(m.startswith('opentelemetry') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_a_stream_span_ends_with_the_stream_and_its_usage(genaio_emulator, recorded):
    async with client(genaio_emulator, recorded).aio as aio:
        stream = await aio.models.generate_content_stream(
            model="gemini-2.0-flash", contents="Tell me a story"
        )
        assert not recorded.finished("generate_content")  # open, not ended
        async for _ in stream:
            pass
    (span,) = recorded.finished("generate_content")
    assert span.name == "generate_content gemini-2.0-flash"
    assert span.attributes["gen_ai.usage.output_tokens"] > 0
    assert tuple(span.attributes["gen_ai.response.finish_reasons"]) == ("STOP",)
    assert "error.type" not in span.attributes


async def test_a_wait_for_the_throttle_is_an_event_and_a_metric(genaio_emulator, recorded):
    # 1200 requests a minute, no burst (the bucket starts empty): waits of 50 and 100 ms.
    limits = genaio.Limits(model_rates={"gemini-2.0-flash": genaio.RateLimit(1200, burst=False)})
    async with genaio.Client(
        api_key="k",
        http_options={"base_url": genaio_emulator.base_url},
        limits=limits,
        telemetry=recorded.telemetry,
    ).aio as aio:
        async with anyio.create_task_group() as group:
            for _ in range(2):
                group.start_soon(
                    lambda: aio.models.generate_content(model="gemini-2.0-flash", contents="x")
                )
    waits = [
        e.attributes["genaio.wait"]
        for s in recorded.finished("generate_content")
        for e in s.events
        if e.name == "genaio.throttle.wait"
    ]
    assert len(waits) == 2 and all(0.02 < wait < 1 for wait in waits)
    (waited,) = recorded.metrics()["genaio.client.throttle.wait"]
    assert waited.count == 2


def test_vertex_calls_are_named_for_vertex_ai(recorded):
    from genaio._otel import OtelRecorder

    otel = OtelRecorder(
        recorded.telemetry,
        base_url="https://us-central1-aiplatform.googleapis.com/",
        vertex=True,
        capture_content=False,
    )
    assert otel.common == {
        "gen_ai.provider.name": "gcp.vertex_ai",
        "server.address": "us-central1-aiplatform.googleapis.com",
        "server.port": 443,
    }


def test_by_default_telemetry_follows_the_global_tracer_provider():
    code = """if True:
        import genaio
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        before = genaio.Client(api_key="k").aio._otel
        trace.set_tracer_provider(TracerProvider())
        after = genaio.Client(api_key="k").aio._otel
        off = genaio.Client(api_key="k", telemetry=False).aio._otel
        print(before is None, after is not None, off is None)
    """
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]
