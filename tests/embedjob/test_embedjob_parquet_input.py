"""A Parquet input: read row group by row group, its id and text columns chosen as for CSV and
JSONL, a bad row rejected with its row number, the rest embedded, every id once."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from genaio.embedjob import Columns, JobSpec, run_job
from genaio.embedjob._inputs import BadLine, InputError, Record, count_lines, input_format, read
from tests.embedjob.outputs import output_ids

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def write(path: Path, columns: dict[str, list[Any]], row_group_size: int = 4) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


def job(spec: JobSpec) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_job(spec, out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_a_parquet_input_is_embedded_with_every_id_once(api: Any, tmp_path: Path) -> None:
    ids = [f"doc-{n}" for n in range(1, 51)]
    source = write(tmp_path / "in.parquet", {"doc": ids, "body": [f"text {i}" for i in ids]}, 7)
    output = tmp_path / "out.jsonl"
    status, out, err = job(JobSpec(source, output, columns=Columns("doc", "body"), dimensions=8))
    assert status == 0, err
    assert "embedded 50 items" in out and "done: every input id" in out
    assert sorted(output_ids(output)) == sorted(ids)
    assert len(output_ids(output)) == 50


def test_a_bad_row_is_rejected_with_its_row_number_and_costs_that_row_only(
    api: Any, tmp_path: Path
) -> None:
    source = write(
        tmp_path / "in.parquet",
        {"id": [1, 2, None, 4, 5, 6], "text": ["one", "two", "three", None, "five", " "]},
    )
    output = tmp_path / "out.jsonl"
    status, _, err = job(JobSpec(source, output))
    assert status == 3, err  # finished, with records skipped
    assert sorted(output_ids(output)) == [1, 2, 5]
    rejects = output.with_name(output.name + ".rejects.jsonl").read_text().splitlines()
    assert {json.loads(r)["line"]: json.loads(r)["id"] for r in rejects} == {3: None, 4: 4, 6: 6}
    assert "line 4: no 'text' field" in err and "line 6: the text ('text') is empty" in err


def test_ids_of_either_kind_and_a_text_column_of_another_type(tmp_path: Path) -> None:
    source = write(tmp_path / "in.pq", {"id": [7, 2**40], "text": ["a", "b"], "n": [1.0, 2.0]})
    assert [r.id for r in read(source, "parquet", Columns()) if isinstance(r, Record)] == [7, 2**40]
    numbers = list(read(source, "parquet", Columns(text="n")))
    assert numbers == [
        BadLine(1, "the text ('n') must be a string", 7),
        BadLine(2, "the text ('n') must be a string", 2**40),
    ]


def test_the_format_is_known_by_content_and_rows_are_counted_from_the_footer(
    tmp_path: Path,
) -> None:
    source = write(tmp_path / "data.bin", {"id": list(range(10)), "text": ["t"] * 10}, 3)
    assert input_format(source, None) == "parquet"
    assert input_format(tmp_path / "missing.bin", None) == "jsonl"
    assert count_lines(source) == 10


def test_a_wrong_column_or_a_file_that_is_not_parquet_is_fatal(tmp_path: Path) -> None:
    source = write(tmp_path / "in.parquet", {"id": [1], "body": ["x"]})
    with pytest.raises(InputError, match="no column 'text' \\(the schema has: id, body\\)"):
        list(read(source, "parquet", Columns()))
    fake = tmp_path / "fake.parquet"
    fake.write_text("PAR1 not really PAR1")
    with pytest.raises(InputError, match="not readable as Parquet"):
        list(read(fake, "parquet", Columns()))
    assert count_lines(fake) == 0  # the reader reports it; the bar has no total
