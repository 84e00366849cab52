"""Reading inputs: records in file order, bad lines with their numbers, fatal column errors."""

from __future__ import annotations

import pytest

from genaio.embedjob._inputs import (
    BadLine,
    Columns,
    InputError,
    Record,
    count_lines,
    input_format,
    read,
)


def test_jsonl_records_and_bad_lines(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(
        b'{"id": 1, "text": "one"}\n'
        b"\n"
        b'{"id": "b", "text": "  "}\n'
        b"{oops\n"
        b'["a list"]\n'
        b'{"id": true, "text": "x"}\n'
        b'{"id": 7}\n'
        b'{"id": 8, "text": 8}\n'
        b'{"id": "c", "text": "caf\xc3\xa9"}\n'
        b'{"id": "d", "text": "\xff"}\n'
    )
    items = list(read(path, "jsonl", Columns()))
    assert items[0] == Record(1, 1, "one")
    assert [(i.line, type(i).__name__) for i in items] == [
        (1, "Record"),
        (3, "BadLine"),
        (4, "BadLine"),
        (5, "BadLine"),
        (6, "BadLine"),
        (7, "BadLine"),
        (8, "BadLine"),
        (9, "Record"),
        (10, "BadLine"),
    ]
    reasons = {i.line: i.reason for i in items if isinstance(i, BadLine)}
    assert "is empty" in reasons[3] and "not valid JSON" in reasons[4]
    assert "not an object" in reasons[5] and "no 'text' field" in reasons[7]
    assert items[7].text == "café"


def test_csv_with_other_column_names(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('key,body,extra\nk1,"hello, world",x\nk2,"two\nlines",y\nk3,\nk4,short\n')
    items = list(read(path, "csv", Columns(id="key", text="body")))
    assert items[0] == Record(2, "k1", "hello, world")
    assert items[1] == Record(3, "k2", "two\nlines")  # a record's line is where it starts
    assert isinstance(items[2], BadLine) and items[2].line == 5
    assert isinstance(items[3], BadLine) and "2 fields where the header has 3" in items[3].reason


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [("in.csv", "id,body\n1,x\n", "csv"), ("in.jsonl", '{"id": 1, "body": "x"}\n', "jsonl")],
)
def test_a_wrong_column_name_is_fatal_and_names_the_columns(tmp_path, name, content, fmt):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=r"no column 'text' \(.* has: id, body\)"):
        list(read(path, fmt, Columns()))


def test_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "nope.jsonl", "jsonl", Columns())


def test_format_from_flag_or_suffix_and_line_count(tmp_path):
    path = tmp_path / "x.CSV"
    assert input_format(path, None) == "csv"
    assert input_format(path, "jsonl") == "jsonl"
    assert input_format(tmp_path / "x.ndjson", None) == "jsonl"
    path.write_bytes(b"a\nb\nc")
    assert count_lines(path) == 3
    path.write_bytes(b"")
    assert count_lines(path) == 0
