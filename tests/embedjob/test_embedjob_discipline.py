"""Input discipline: duplicates, over-long texts, bad records: each costs its record only, is
kept in the rejects file with its reason, and is counted in the summary and the exit status."""

from __future__ import annotations

import io
import json

from genaio.embedjob import JobSpec, run_job
from genaio.embedjob._inputs import BadLine, Columns, Record, read
from genaio.embedjob._job import INPUT_TOKEN_LIMIT
from tests.embedjob.outputs import output_ids


def job(spec):
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def rejects(output):
    path = output.with_name(output.name + ".rejects.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()]


def jsonl(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_duplicate_id_is_embedded_once_the_first_wins(api, tmp_path):
    source = jsonl(
        tmp_path / "in.jsonl",
        {"id": "a", "text": "first"},
        {"id": "b", "text": "other"},
        {"id": "a", "text": "second"},
    )
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output, dimensions=4))
    assert status == 3 and "skipped 1 (1 duplicate ids)" in out and "done:" not in out
    assert "line 3: the id of line 1 again" in err
    assert sorted(output_ids(output)) == ["a", "b"]
    [reject] = rejects(output)
    assert reject == {"line": 3, "id": "a", "kind": "duplicate", "reason": "the id of line 1 again"}
    # The vector is the first text's: the same as a job on that text alone.
    alone = jsonl(tmp_path / "alone.jsonl", {"id": "a", "text": "first"})
    assert job(JobSpec(alone, tmp_path / "alone.out.jsonl", dimensions=4))[0] == 0
    vector = {json.loads(x)["id"]: x for x in output.read_text().splitlines()}["a"]
    assert vector == (tmp_path / "alone.out.jsonl").read_text().strip()

    # A rerun skips the same records again but writes no entry twice.
    status, _, _ = job(JobSpec(source, output, dimensions=4))
    assert status == 3 and len(rejects(output)) == 1


def test_duplicate_ids_can_stop_the_job(api, tmp_path):
    source = jsonl(tmp_path / "in.jsonl", {"id": 1, "text": "x"}, {"id": 1, "text": "y"})
    status, _, err = job(JobSpec(source, tmp_path / "out.jsonl", duplicate_ids="fail"))
    assert status == 2 and "line 2: duplicate id 1, the id of line 1 again" in err


def test_a_text_over_the_input_limit_is_rejected_not_sent(api, tmp_path):
    long_text = "word " * (INPUT_TOKEN_LIMIT * 4 // 5 + 10)  # ~2,058 tokens by the estimate
    source = jsonl(
        tmp_path / "in.jsonl", {"id": "short", "text": "fine"}, {"id": "long", "text": long_text}
    )
    output = tmp_path / "out.jsonl"
    status, out, _ = job(JobSpec(source, output))
    assert status == 3 and "1 over the input limit" in out
    assert output_ids(output) == ["short"]
    [reject] = rejects(output)
    assert (
        reject["kind"] == "too-long" and "over the model's input limit of 2,048" in reject["reason"]
    )
    assert api.stats()["prompt_tokens"] < 100  # the long text never went


def test_a_text_over_the_input_limit_can_be_truncated_instead(api, tmp_path):
    source = jsonl(tmp_path / "in.jsonl", {"id": "long", "text": "x" * 20_000})
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output, too_long="truncate"))
    assert status == 0 and "1 texts truncated to the input limit" in out
    assert "truncating texts over the input limit (first: line 1" in err
    assert output_ids(output) == ["long"]


def test_a_huge_csv_field_and_a_bad_byte_cost_their_records_only(api, tmp_path):
    rows = [b"id,text"] + [b"%d,text %d" % (n, n) for n in range(2, 61)]
    rows[10] = b"11," + b"y" * 200_000  # line 11: a field over the CSV reader's limit
    rows[51] = b"52,caf\xe9"  # line 52: Latin-1, not UTF-8
    source = tmp_path / "in.csv"
    source.write_bytes(b"\n".join(rows) + b"\n")
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output))
    assert status == 3 and "skipped 2 (2 bad records)" in out
    assert "line 52: not valid UTF-8 (byte 0xe9" in err
    assert {r["line"] for r in rejects(output)} == {11, 52}
    assert len(output_ids(output)) == 57
    # The rerun does not stop there either.
    status, out, _ = job(JobSpec(source, output))
    assert status == 3 and "embedded 0 items" in out


def test_a_jsonl_file_whose_first_record_lacks_the_text_is_read(tmp_path):
    source = jsonl(tmp_path / "in.jsonl", {"id": 1}, {"id": 2, "text": "two"})
    items = list(read(source, "jsonl", Columns()))
    assert items == [BadLine(1, "no 'text' field", 1), Record(2, 2, "two")]


def test_a_lone_surrogate_is_a_bad_record_not_a_request(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "a \\ud800 b"}\n{"id": 2, "text": "fine"}\n')
    first, second = read(source, "jsonl", Columns())
    assert isinstance(first, BadLine) and "lone surrogate" in first.reason
    assert second == Record(2, 2, "fine")


def test_every_skipped_record_is_in_the_rejects_file_beyond_the_shown_ones(api, tmp_path):
    records = [{"id": n, "text": ""} for n in range(1, 31)] + [{"id": 99, "text": "ok"}]
    source = jsonl(tmp_path / "in.jsonl", *records)
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output))
    assert status == 3 and "skipped 30 (30 bad records)" in out
    assert "further problems are counted, not shown; every skipped record is in" in err
    assert [r["line"] for r in rejects(output)] == list(range(1, 31))
