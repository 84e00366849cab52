"""Outputs: Parquet ids of any size, no temporary file left, a finished file left alone when
nothing is new, and permanent failures recorded once instead of retried on every rerun."""

from __future__ import annotations

import io
import json

import pytest

from genaio.api._embed_many import EmbeddingResult
from genaio.embedjob import JobSpec, run_job
from genaio.embedjob._inputs import Record
from genaio.embedjob._job import _Job
from genaio.embedjob._journal import Journal
from genaio.embedjob._manifest import Manifest
from genaio.embedjob._parquet import convert
from genaio.embedjob._progress import Counts
from genaio.embedjob._rejects import Rejects
from genaio.errors import InvalidArgumentError


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def jsonl(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_integer_ids_beyond_64_bits_become_a_string_column_and_stay_integers(api, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    big = 2**70
    source = jsonl(tmp_path / "in.jsonl", {"id": 1, "text": "a"}, {"id": big, "text": "b"})
    output = tmp_path / "out.parquet"
    assert job(JobSpec(source, output, dimensions=4))[0] == 0
    table = pq.read_table(output)
    assert str(table.schema.field("id").type) == "string"
    assert sorted(table.column("id").to_pylist()) == sorted(["1", str(big)])
    assert {p.name for p in tmp_path.iterdir()} == {"in.jsonl", "out.parquet"}  # no .tmp

    # A rerun reads them back as the integers they were: nothing is embedded twice.
    more = jsonl(
        tmp_path / "in.jsonl",
        {"id": 1, "text": "a"},
        {"id": big, "text": "b"},
        {"id": 3, "text": "c"},
    )
    status, out, _ = job(JobSpec(more, output, dimensions=4))
    assert status == 0 and "embedded 1 items" in out
    assert sorted(pq.read_table(output).column("id").to_pylist()) == sorted(["1", "3", str(big)])


def test_integer_ids_that_fit_are_an_int64_column(api, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    source = jsonl(tmp_path / "in.jsonl", {"id": 2**63 - 1, "text": "a"}, {"id": -5, "text": "b"})
    output = tmp_path / "out.parquet"
    assert job(JobSpec(source, output))[0] == 0
    table = pq.read_table(output)
    assert str(table.schema.field("id").type) == "int64"
    assert sorted(table.column("id").to_pylist()) == [-5, 2**63 - 1]


def test_a_failed_conversion_leaves_no_temporary_file_and_the_journal(tmp_path, monkeypatch):
    pq = pytest.importorskip("pyarrow.parquet")
    journal = tmp_path / "out.parquet.journal.jsonl"
    journal.write_bytes(b'{"id":1,"embedding":[0.5]}\n')

    def broken(self, table):
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", broken)
    manifest = Manifest("emulator", None, "m", None, None)
    with pytest.raises(OSError, match="disk full"):
        convert(journal, tmp_path / "out.parquet", manifest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet.journal.jsonl"]


def test_a_finished_parquet_file_is_not_rewritten_when_nothing_is_new(api, tmp_path):
    pytest.importorskip("pyarrow")
    source = jsonl(tmp_path / "in.jsonl", {"id": "a", "text": "x"}, {"id": "b", "text": "y"})
    output = tmp_path / "out.parquet"
    assert job(JobSpec(source, output))[0] == 0
    before = output.stat()
    status, out, _ = job(JobSpec(source, output))
    assert status == 0 and f"nothing new: {output} is left as it was" in out
    after = output.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.parquet"]


def test_a_permanent_failure_is_called_so_recorded_and_not_retried(tmp_path):
    spec = JobSpec(tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    refused = InvalidArgumentError(
        400, {"error": {"message": "bad text", "status": "INVALID_ARGUMENT"}}
    )

    def run(records):
        journal, rejects = Journal.open(spec.output), Rejects(tmp_path / "out.jsonl.rejects.jsonl")
        out, err = io.StringIO(), io.StringIO()
        one = _Job(spec, iter(records), journal, rejects, Counts(), out, err)
        texts = one._pending()
        for index, _ in enumerate(texts):
            one._finish(EmbeddingResult(index, error=refused))
        status = one.report(1.0)
        journal.close()
        rejects.close()
        return one, status, out.getvalue(), err.getvalue()

    _, status, out, err = run([Record(1, "x", "text")])
    assert status == 3 and "refused for good (permanent)" in out and "failed for now" not in out
    assert "failed: id 'x' (line 1): refused for good: bad text (INVALID_ARGUMENT)" in err
    [entry] = map(json.loads, (tmp_path / "out.jsonl.rejects.jsonl").read_text().splitlines())
    assert entry["kind"] == "failed" and entry["id"] == "x"

    # The rerun does not send it again: it says so, and counts it as skipped.
    again, status, out, _ = run([Record(1, "x", "text")])
    assert status == 3 and again.counts.failed_before == 1 and again.counts.embedded == 0
    assert "1 refused for good by an earlier run" in out
