"""`genaio embed --metrics-port`: the job's counts and the engine's, served for Prometheus."""

from __future__ import annotations

import io
import socket

import httpx
import pytest
import trio

from genaio.embedjob import JobSpec, run_job, write_sample
from genaio.embedjob._args import spec_from_args
from genaio.embedjob._metrics import serve_metrics
from genaio.embedjob._progress import Counts, EngineCounts


async def test_the_metrics_are_served_while_it_runs_and_not_after():
    counts = Counts(total=10, embedded=7, tokens=70, failed=1)
    engine = EngineCounts(rate_limited=2, retries=3)
    err = io.StringIO()
    async with trio.open_nursery() as nursery:
        port = await nursery.start(
            serve_metrics, 0, "127.0.0.1", counts, lambda: engine, lambda: None, err
        )
        url = f"http://127.0.0.1:{port}/metrics"
        text = (await trio.to_thread.run_sync(httpx.get, url)).text
        nursery.cancel_scope.cancel()
    assert 'genaio_embed_items_total{outcome="embedded"} 7.0' in text
    assert "genaio_embed_tokens_total 70.0" in text
    assert "genaio_embed_items_expected 10.0" in text
    assert "genaio_client_rate_limited_total 2.0" in text
    assert "genaio_client_retries_total 3.0" in text
    with pytest.raises(httpx.ConnectError):  # shut down with the job's work
        await trio.to_thread.run_sync(httpx.get, url)


async def test_a_port_in_use_is_reported_and_the_job_goes_on():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        err = io.StringIO()
        port = await serve_metrics(
            taken.getsockname()[1], "127.0.0.1", Counts(), EngineCounts, lambda: None, err
        )
    assert port is None and "cannot listen" in err.getvalue()


def test_a_job_with_a_metrics_port_runs_to_its_end(api, tmp_path):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    source = write_sample(tmp_path / "in.jsonl", 20)
    out, err = io.StringIO(), io.StringIO()
    spec = JobSpec(source, tmp_path / "out.jsonl", dimensions=8, metrics_port=port)
    assert run_job(spec, out=out, err=err) == 0, err.getvalue()
    assert "embedded 20 items" in out.getvalue()


def test_the_flags_reach_the_spec(tmp_path):
    import argparse

    from genaio.embedjob._args import add_embed_parser

    parser = argparse.ArgumentParser()
    add_embed_parser(parser.add_subparsers())
    args = parser.parse_args(["embed", "in.jsonl", "-o", "out.jsonl", "--metrics-port", "9464"])
    spec = spec_from_args(args)
    assert (spec.metrics_port, spec.metrics_address) == (9464, "127.0.0.1")
