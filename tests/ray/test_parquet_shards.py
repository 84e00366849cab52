"""Sharding a Parquet input by row groups: spans of whole row groups that together read exactly
the records the whole file reads (no Ray needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from genaio.embedjob._inputs import Columns, count_lines, read
from genaio.embedjob._shards import plan_spans

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.mark.parametrize("shards", [1, 2, 3, 5, 8, 40])
@pytest.mark.parametrize("rows", [0, 1, 29, 30])
def test_the_row_group_spans_read_every_record_once(tmp_path: Path, rows: int, shards: int) -> None:
    path = tmp_path / "in.parquet"
    texts = [f"t{i}" if i % 7 else None for i in range(rows)]  # some bad rows, too
    pq.write_table(pa.table({"id": list(range(rows)), "text": texts}), path, row_group_size=4)
    groups = pq.ParquetFile(path).num_row_groups
    whole = list(read(path, "parquet", Columns()))
    assert len(whole) == rows
    spans = plan_spans(path, "parquet", shards)
    assert len(spans) == min(shards, groups)
    assert [s.end for s in spans[:-1]] == [s.start for s in spans[1:]]
    assert all(s.start < s.end for s in spans)
    assert sum(count_lines(path, s) for s in spans) == rows
    pieces = [item for span in spans for item in read(path, "parquet", Columns(), span)]
    assert pieces == whole


def test_the_spans_are_of_about_equal_rows(tmp_path: Path) -> None:
    path = tmp_path / "in.parquet"
    table = pa.table({"id": list(range(100)), "text": ["t"] * 100})
    pq.write_table(table, path, row_group_size=10)
    spans = plan_spans(path, "parquet", 4)
    assert [count_lines(path, s) for s in spans] in ([30, 20, 30, 20], [30, 30, 20, 20])
