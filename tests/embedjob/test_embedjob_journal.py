"""The journal: complete lines survive, a torn last line goes, ids read back, one writer."""

from __future__ import annotations

import json

import pytest

from genaio.embedjob._journal import Journal, OutputError, embedding_line, line_id


def test_lines_carry_the_id_first_and_read_back(tmp_path):
    line = embedding_line('odd,"embedding": id', [0.5, -1.0])
    assert json.loads(line) == {"id": 'odd,"embedding": id', "embedding": [0.5, -1.0]}
    assert line_id(line) == 'odd,"embedding": id'
    assert line_id(embedding_line(12, [1.0])) == 12
    assert line_id(b'{"other": 1}\n') is None


def test_a_torn_last_line_is_cut_and_complete_ones_are_done(tmp_path):
    path = tmp_path / "out.jsonl"
    whole = embedding_line("a", [1.0]) + embedding_line(2, [2.0])
    path.write_bytes(whole + embedding_line("torn", [3.0])[:9])
    journal = Journal.open(path)
    assert journal.done == {"a", 2}
    assert path.read_bytes() == whole
    journal.write("c", [4.0])
    journal.close()
    assert Journal.open(path).done == {"a", 2, "c"}


def test_another_file_is_refused(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"id": 1, "text": "an input, not an output"}\n')
    with pytest.raises(OutputError, match="line 1 is not an embedding line"):
        Journal.open(path)


def test_one_writer_at_a_time(tmp_path):
    path = tmp_path / "out.jsonl"
    first = Journal.open(path)
    with pytest.raises(OutputError, match="another `genaio embed` is writing it"):
        Journal.open(path)
    first.close()
    Journal.open(path).close()
