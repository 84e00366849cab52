"""What made an output's vectors is recorded with it, and a job never mixes in other ones."""

from __future__ import annotations

import io
import json

import pytest

import genaio
from genaio.embedjob import JobSpec, run_job, write_sample
from genaio.embedjob._backend import API, EMULATOR, choose_backend
from genaio.embedjob._journal import OutputError
from tests.embedjob.outputs import output_ids


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_a_jsonl_output_has_a_manifest_of_what_made_it(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 20)
    output = tmp_path / "out.jsonl"
    spec = JobSpec(source, output, dimensions=8, task_type="RETRIEVAL_DOCUMENT")
    assert job(spec)[0] == 0
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    host = api.base_url.removeprefix("http://").rstrip("/")
    assert manifest == {
        "backend": "gemini-api",
        "host": host,
        "model": "gemini-embedding-001",
        "dimensions": 8,
        "task_type": "RETRIEVAL_DOCUMENT",
        "genaio_version": genaio.__version__,
        "tokens_per_estimate": None,  # measured only for a job with --tpm
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"dimensions": 16}, "dimensions is 8 in the output, 16 now"),
        ({"model": "text-embedding-004"}, "model is 'gemini-embedding-001' in the output"),
        ({"task_type": "SEMANTIC_SIMILARITY"}, "task_type is not set in the output"),
    ],
)
def test_a_rerun_with_other_settings_refuses_to_append(api, tmp_path, change, named):
    source = write_sample(tmp_path / "in.jsonl", 20)
    output = tmp_path / "out.jsonl"
    assert job(JobSpec(source, output, dimensions=8))[0] == 0
    before, sent = output.read_bytes(), api.stats()["requests"]
    more = write_sample(tmp_path / "in.jsonl", 30)
    status, _, err = job(JobSpec(more, output, **{"dimensions": 8, **change}))
    assert status == 2 and named in err and "--overwrite to start a new output" in err
    assert output.read_bytes() == before
    assert api.stats()["requests"] == sent  # the refusal sent nothing

    # --overwrite starts a new output, with the new settings only.
    spec = JobSpec(more, output, overwrite=True, **{"dimensions": 8, **change})
    assert job(spec)[0] == 0
    assert sorted(output_ids(output)) == [f"doc-{n:06}" for n in range(1, 31)]
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    assert {k: manifest[k] for k in change} == change


def test_overwrite_never_takes_the_input_for_the_output(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 5)
    before = source.read_bytes()
    status, _, err = job(JobSpec(source, tmp_path / "." / "in.jsonl", overwrite=True))
    assert status == 2 and "is the input: name another output" in err
    assert source.read_bytes() == before


def test_an_output_without_a_manifest_is_not_added_to(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 5)
    output = tmp_path / "out.jsonl"
    output.write_text('{"id":"old","embedding":[0.5]}\n')  # from before manifests, or elsewhere
    status, _, err = job(JobSpec(source, output))
    assert status == 2 and "records no settings (no manifest)" in err and "--overwrite" in err


def test_emulator_vectors_are_never_resumed_with_a_real_key(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 10)
    output = tmp_path / "out.jsonl"
    status, out, _ = job(JobSpec(source, output, emulator=True))  # a key is set: asked for
    assert status == 0 and "--emulator: using the embedded emulator" in out
    manifest = json.loads((tmp_path / "out.jsonl.manifest.json").read_text())
    assert manifest["backend"] == "emulator" and manifest["host"] is None

    more = write_sample(tmp_path / "in.jsonl", 20)
    status, _, err = job(JobSpec(more, output))
    assert status == 2 and "backend is 'emulator' in the output, 'gemini-api' now" in err
    assert len(output_ids(output)) == 10


def test_the_emulator_only_when_asked_or_nothing_is_set():
    assert choose_backend(False, {}).kind == EMULATOR
    assert choose_backend(True, {"GOOGLE_API_KEY": "k"}).kind == EMULATOR
    real = choose_backend(False, {"GEMINI_API_KEY": "k"})
    assert (real.kind, real.host) == (API, "generativelanguage.googleapis.com")
    there = choose_backend(False, {"GOOGLE_API_KEY": "k", "GOOGLE_GEMINI_BASE_URL": "https://x:8/"})
    assert (there.kind, there.host) == (API, "x:8")
    with pytest.raises(OutputError, match=r"GOOGLE_GEMINI_BASE_URL is set .* but no API key"):
        choose_backend(
            False, {"GOOGLE_GEMINI_BASE_URL": "https://generativelanguage.googleapis.com"}
        )


def test_a_base_url_without_a_key_is_refused_before_anything(tmp_path, monkeypatch):
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "https://generativelanguage.googleapis.com")
    source = write_sample(tmp_path / "in.jsonl", 3)
    status, _, err = job(JobSpec(source, tmp_path / "out.jsonl"))
    assert status == 2 and "no API key is: set GOOGLE_API_KEY" in err and "--emulator" in err
    assert not (tmp_path / "out.jsonl").exists()


def test_a_parquet_output_keeps_its_manifest_in_its_metadata(api, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    source = write_sample(tmp_path / "in.jsonl", 10)
    output = tmp_path / "out.parquet"
    assert job(JobSpec(source, output, dimensions=4))[0] == 0
    metadata = pq.ParquetFile(output).schema_arrow.metadata
    assert json.loads(metadata[b"genaio"])["dimensions"] == 4
    assert not list(tmp_path.glob("*.manifest.json"))  # the journal's went with it

    status, _, err = job(JobSpec(source, output, dimensions=5))
    assert status == 2 and "dimensions is 4 in the output, 5 now" in err

    # --overwrite replaces it at once: an interrupted new run is resumed, not refused.
    status, _, _ = job(JobSpec(source, output, dimensions=5, overwrite=True))
    assert status == 0
    metadata = pq.ParquetFile(output).schema_arrow.metadata
    assert json.loads(metadata[b"genaio"])["dimensions"] == 5
    assert len(pq.read_table(output).column("embedding")[0]) == 5
