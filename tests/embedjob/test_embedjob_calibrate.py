"""Issue 15: under `--tpm` the job's token estimate is the server's count, measured once."""

from __future__ import annotations

import io
import json

import pytest

from genaio.actors import BatchPolicy
from genaio.embedjob import JobSpec, _job, run_job, sample_records, write_sample
from genaio.embedjob._calibrate import SAMPLE_REQUESTS, estimated
from genaio.emulator._tokenizer import text_tokens
from genaio.errors import ServiceUnavailableError


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def count_requests(api):
    return api.stats()["by_endpoint"].get("countTokens", {}).get("requests", 0)


def test_tpm_job_has_a_sample_counted_once_and_keeps_the_ratio(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 400)
    output = tmp_path / "out.jsonl"
    spec = JobSpec(source, output, dimensions=8, tpm=10_000_000)
    assert job(spec)[0] == 0
    assert 1 <= count_requests(api) <= SAMPLE_REQUESTS
    texts = [r["text"] for r in sample_records(300)]
    truth = sum(map(text_tokens, texts)) / sum(map(estimated, texts))
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    assert manifest["tokens_per_estimate"] == pytest.approx(truth, abs=1e-4)
    assert truth < 0.95  # the sample text: the 4-characters rule overestimates it

    write_sample(source, 500)  # more to do: a rerun reuses the ratio, asks nothing
    asked = count_requests(api)
    status, out, _ = job(spec)
    assert status == 0 and "resuming: 400 ids" in out
    assert count_requests(api) == asked


def test_a_job_without_tpm_asks_nothing(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 50)
    assert job(JobSpec(source, tmp_path / "out.jsonl", rpm=1_000_000))[0] == 0
    assert count_requests(api) == 0


def test_tokens_not_counted_the_estimate_is_kept_with_a_warning(api, tmp_path, monkeypatch):
    async def refused(*args, **kwargs):
        raise ServiceUnavailableError(503, "UNAVAILABLE", "try later")

    monkeypatch.setattr(_job, "token_ratio", refused)
    source = write_sample(tmp_path / "in.jsonl", 50)
    status, _, err = job(JobSpec(source, tmp_path / "out.jsonl", tpm=1_000_000))
    assert status == 0
    assert "cannot have the input's tokens counted" in err and "--tpm is kept" in err
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    assert manifest["tokens_per_estimate"] is None


def test_the_throttle_is_told_tpm_in_estimated_tokens_and_batches_are_a_small_share():
    spec = JobSpec(None, None, rpm=1200, tpm=120_000)  # type: ignore[arg-type]
    limits = _job._limits(spec, tokens_per_estimate=0.9)
    rate = limits.model_rates[spec.model]
    assert rate.tokens_per_minute == pytest.approx(120_000 * _job._TPM_MARGIN / 0.9)
    assert rate.requests_per_minute == 1200 and rate.burst is False
    # Batches of at most 2 x TPM/RPM estimated tokens: at most half the requests quota.
    assert limits.batching.max_tokens == int(2 * rate.tokens_per_minute / 1200)

    unlimited = _job._limits(JobSpec(None, None))  # type: ignore[arg-type]
    assert unlimited.model_rates == {}
    assert unlimited.batching == BatchPolicy()


def test_a_manifest_from_before_the_ratio_is_still_read(tmp_path):
    from genaio.embedjob._manifest import Manifest

    old = {"backend": "emulator", "host": None, "model": "m", "dimensions": None}
    path = tmp_path / "old.manifest.json"
    path.write_text(json.dumps({**old, "task_type": None, "genaio_version": "0.1"}))
    assert Manifest.read(path) == Manifest("emulator", None, "m", None, None, "0.1", None)


def test_unthrottled_batches_are_full_when_the_job_is_the_bottleneck(api, tmp_path):
    """The calls of one scheduler round go out together (embed_many takes free slots without a
    checkpoint each; the job takes the results already there at once), so batches fill."""
    source = write_sample(tmp_path / "in.jsonl", 2000)
    assert job(JobSpec(source, tmp_path / "out.jsonl", dimensions=4))[0] == 0
    requests = api.stats()["by_endpoint"]["batchEmbedContents"]["requests"]
    assert 2000 / requests >= 80  # items a request; 2 to 7 before
