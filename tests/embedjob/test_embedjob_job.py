"""The job in process, against the emulator: outputs, resuming, and every kind of error."""

from __future__ import annotations

import io
import json

import pytest

from genaio.api._embed_many import EmbeddingResult
from genaio.embedjob import Columns, JobSpec, run_job, write_sample
from genaio.embedjob._inputs import Record
from genaio.embedjob._job import MAX_FAILURES_IN_A_ROW, _Job
from genaio.embedjob._journal import Journal
from genaio.embedjob._progress import Counts
from genaio.embedjob._rejects import Rejects
from genaio.errors import ServiceUnavailableError
from tests.embedjob.outputs import output_ids


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_every_id_once_then_a_rerun_finds_everything_done(api, tmp_path):
    source = write_sample(tmp_path / "in.jsonl", 500)
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output, dimensions=8))
    assert status == 0, err
    assert "talking to" in out and "embedded 500 items" in out and "done: every input id" in out
    lines = [json.loads(line) for line in output.read_text().splitlines()]
    assert sorted(r["id"] for r in lines) == [f"doc-{n:06}" for n in range(1, 501)]
    assert {len(r["embedding"]) for r in lines} == {8}
    assert api.stats()["requests"] <= 250  # coalesced into batch requests, not one each

    status, out, _ = job(JobSpec(source, output, dimensions=8))
    assert status == 0 and "resuming: 500 ids" in out and "embedded 0 items" in out
    assert len(output_ids(output)) == 500


def test_csv_in_with_other_columns_and_task_type(api, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("doc,body\nx1,first text\nx2,second text\n")
    output = tmp_path / "out.jsonl"
    spec = JobSpec(source, output, columns=Columns("doc", "body"), task_type="RETRIEVAL_DOCUMENT")
    assert job(spec)[0] == 0
    assert sorted(output_ids(output)) == ["x1", "x2"]


def test_bad_lines_are_reported_by_number_and_skipped_or_fatal(api, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "fine"}\n{"id": 2, "text": ""}\n{broken\n')
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output))
    assert status == 3  # finished, with records skipped
    assert "line 2: the text ('text') is empty" in err and "line 3: not valid JSON" in err
    assert "skipped 2 (2 bad records)" in out and output_ids(output) == [1]
    assert "finished with 2 input records skipped" in out and "done: every" not in out
    rejects = [json.loads(line) for line in (tmp_path / "out.jsonl.rejects.jsonl").open()]
    assert [(r["line"], r["id"], r["kind"]) for r in rejects] == [
        (2, 2, "bad-record"),
        (3, None, "bad-record"),
    ]

    output.unlink()
    status, _, err = job(JobSpec(source, output, bad_lines="fail"))
    assert status == 2 and "error: " in err and "line 2: the text ('text') is empty" in err


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"input": "missing.jsonl"}, "missing.jsonl: no such file"),
        ({"columns": Columns(text="body")}, "no column 'body' (line 1 has: id, text)"),
        ({"model": "no-such-model"}, "model 'no-such-model' not found: "),
        ({"dimensions": 100_000}, "the API refused the job's settings (--model, --dimensions"),
    ],
)
def test_fatal_errors_are_clear_and_leave_no_output(api, tmp_path, spec, message):
    source = write_sample(tmp_path / "in.jsonl", 5)
    spec = {"input": source, "output": tmp_path / "out.jsonl", **spec}
    if spec["input"] == "missing.jsonl":
        spec["input"] = tmp_path / "missing.jsonl"
    status, _, err = job(JobSpec(**spec))
    assert status == 2 and message in err
    assert not (tmp_path / "out.jsonl").exists()
    assert api.stats()["requests"] <= 1  # at most the probe: nothing was processed


def test_failed_items_are_reported_counted_and_left_for_a_rerun(tmp_path):
    journal = Journal.open(tmp_path / "out.jsonl")
    spec = JobSpec(tmp_path / "in.jsonl", tmp_path / "out.jsonl")
    records = (Record(n, f"id{n}", "text") for n in range(1000))
    out, err = io.StringIO(), io.StringIO()
    one = _Job(spec, records, journal, Rejects(tmp_path / "rejects"), Counts(), out, err)
    texts = one._pending()
    refused = ServiceUnavailableError(503, {"error": {"message": "overloaded"}})
    next(texts)
    one._finish(EmbeddingResult(0, error=refused))
    assert one.report(1.0) == 1 and "1 items failed for now" in err.getvalue()
    assert "failed: id 'id0' (line 0): overloaded" in err.getvalue()
    for index in range(1, MAX_FAILURES_IN_A_ROW):
        next(texts)
        one._finish(EmbeddingResult(index, error=refused))
    assert one.fatal is not None and one.fatal.status == 1
    assert "further problems are counted" in err.getvalue()
    journal.close()


def test_parquet_out_and_a_rerun_that_adds_to_it(api, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    output = tmp_path / "out.parquet"
    source = write_sample(tmp_path / "in.jsonl", 40)
    assert job(JobSpec(source, output, "text-embedding-004"))[0] == 0
    table = pq.read_table(output)
    assert table.num_rows == 40 and table.schema.field("embedding").type.value_type == "float"
    assert len(table.column("embedding")[0]) == 768
    assert not (tmp_path / "out.parquet.journal.jsonl").exists()

    more = write_sample(tmp_path / "in.jsonl", 60)  # the same 40 first, then 20 more
    status, out, _ = job(JobSpec(more, output, "text-embedding-004", output_format="parquet"))
    assert status == 0 and "resuming: 40 ids" in out and "embedded 20 items" in out
    ids = pq.read_table(output).column("id").to_pylist()
    assert sorted(ids) == [f"doc-{n:06}" for n in range(1, 61)]


def test_parquet_ids_have_one_type(api, tmp_path):
    pytest.importorskip("pyarrow")
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "a"}\n{"id": "two", "text": "b"}\n')
    status, _, err = job(JobSpec(source, tmp_path / "out.parquet", output_format="parquet"))
    assert status == 3 and "line 2: the id must be an integer, as the first one is" in err
