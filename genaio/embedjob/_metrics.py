"""`genaio embed --metrics-port`: the job's counts as Prometheus metrics while it runs.

prometheus-client serves them from its own thread. What that thread reads is the job's own
counts (plain integers) and a snapshot of the engine's that the job's loop refreshes every
second: the actor tree's statistics belong to the loop, not to another thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TextIO

import trio

from genaio.actors import ActorStatistics
from genaio.embedjob._progress import Counts, EngineCounts

__all__ = ["JobCollector", "serve_metrics"]

#: How often the engine's snapshot is refreshed; a scrape every 15 s or so sees it fresh.
REFRESH = 1.0


class JobCollector:
    """The metrics of one run, collected when Prometheus scrapes."""

    def __init__(self, counts: Counts) -> None:
        self.counts = counts
        self.engine = EngineCounts()
        self.models: ActorStatistics | None = None

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        counts, engine = self.counts, self.engine
        items = CounterMetricFamily(
            "genaio_embed_items", "Input records dealt with, by outcome", labels=["outcome"]
        )
        items.add_metric(["embedded"], counts.embedded)
        items.add_metric(["failed"], counts.failed)
        items.add_metric(["skipped"], counts.skipped)
        items.add_metric(["rejected"], counts.skipped_records)
        yield items
        yield CounterMetricFamily(
            "genaio_embed_tokens",
            "Tokens sent (estimated, as the rate limit charges them)",
            value=counts.tokens,
        )
        if counts.total is not None:
            yield GaugeMetricFamily(
                "genaio_embed_items_expected", "Items this run expects", value=counts.total
            )
        yield CounterMetricFamily(
            "genaio_client_retries", "Attempts repeated after a failure", value=engine.retries
        )
        yield CounterMetricFamily(
            "genaio_client_rate_limited",
            "429 answers to the model's requests",
            value=engine.rate_limited,
        )
        yield GaugeMetricFamily(
            "genaio_client_pause_seconds",
            "Seconds left of a pause the server asked for",
            value=engine.paused_for,
        )
        models = self.models
        if models is not None:
            for name, help_ in (
                ("queued", "Calls in the models actor's mailbox"),
                ("throttled", "Calls waiting for the model's rate or concurrency limit"),
                ("in_flight", "Requests being sent, or between retries"),
                ("limit", "Requests that may be in flight now"),
            ):
                yield GaugeMetricFamily(f"genaio_client_{name}", help_, value=getattr(models, name))


async def serve_metrics(
    port: int,
    address: str,
    counts: Counts,
    engine: Callable[[], EngineCounts],
    models: Callable[[], ActorStatistics | None],
    err: TextIO,
    *,
    task_status: trio.TaskStatus[int | None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the job's metrics on `address:port` until cancelled; started with the port bound
    (None: it could not be, which is reported on `err` and does not stop the job).

    Cancellation: the server is shut down (shielded, bounded by its poll interval).
    """
    from prometheus_client import CollectorRegistry, start_http_server

    collector = JobCollector(counts)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    try:
        server, thread = start_http_server(port, addr=address, registry=registry)
    except OSError as error:
        print(f"genaio embed: metrics: cannot listen on {address}:{port}: {error}", file=err)
        task_status.started(None)
        return
    try:
        task_status.started(server.server_port)
        while True:
            collector.engine, collector.models = engine(), models()
            await trio.sleep(REFRESH)
    finally:
        with trio.CancelScope(shield=True):
            await trio.to_thread.run_sync(server.shutdown)
            server.server_close()
            thread.join()
