"""Reading the job's input: JSONL or CSV records, lazily, one `Record` at a time.

The input is never held in memory: records are yielded as the file is read, so a job's memory
does not depend on the input's size. A line that cannot become a record (bad JSON, a missing or
empty field, an id that is neither a string nor an integer) is a `BadLine`, which the caller
reports with its line number and then skips or treats as fatal. A column that is missing from
the CSV header, or from the first JSONL record, is a mistake in the command, not in the data,
so it is always fatal (`InputError`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import attrs

__all__ = ["BadLine", "Columns", "InputError", "Record", "count_lines", "input_format", "read"]

Format = Literal["jsonl", "csv"]
_CSV_SUFFIXES = (".csv",)


class InputError(Exception):
    """The input cannot be read at all: a missing file, a wrong column name, a fatal bad line."""


@attrs.frozen
class Record:
    line: int  # 1-based line in the input file
    id: str | int
    text: str


@attrs.frozen
class BadLine:
    line: int
    reason: str


@attrs.frozen
class Columns:
    id: str = "id"
    text: str = "text"


def input_format(path: Path, given: str | None) -> Format:
    """The format a flag names, else the one the file's suffix implies (JSONL by default)."""
    if given is not None:
        return "csv" if given == "csv" else "jsonl"
    return "csv" if path.suffix.lower() in _CSV_SUFFIXES else "jsonl"


def count_lines(path: Path) -> int:
    """Lines in the file: a cheap upper bound on its records, for the progress bar's total."""
    count = 0
    last = b"\n"
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def read(path: Path, fmt: Format, columns: Columns) -> Iterator[Record | BadLine]:
    """Yield the input's records (and its bad lines), in file order.

    Raises `InputError` for a missing or unreadable file or a wrong column name.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    reader = _read_csv if fmt == "csv" else _read_jsonl
    return reader(path, columns)


def _read_jsonl(path: Path, columns: Columns) -> Iterator[Record | BadLine]:
    checked = False
    with path.open("rb") as file:
        for number, raw in enumerate(file, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except ValueError as error:  # bad UTF-8 too
                yield BadLine(number, f"not valid JSON ({error})")
                continue
            if not isinstance(row, dict):
                yield BadLine(number, f"a JSON {type(row).__name__}, not an object")
                continue
            if not checked:
                _check_columns(path, columns, row, f"line {number} has")
                checked = True
            yield _record(number, row.get, columns)


def _read_csv(path: Path, columns: Columns) -> Iterator[Record | BadLine]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        rows = csv.DictReader(file, strict=True)
        try:
            _check_columns(path, columns, rows.fieldnames or [], "the header has")
            for row in rows:  # a record's line is where it ends (the same, unless quoted)
                if None in row or None in row.values():
                    yield BadLine(rows.line_num, "not as many fields as the header")
                else:
                    yield _record(rows.line_num, row.get, columns)
        except (csv.Error, UnicodeDecodeError) as error:
            message = f"{path}: line {rows.line_num + 1}: not readable as CSV ({error})"
            raise InputError(message) from None


def _check_columns(path: Path, columns: Columns, names: Any, where: str) -> None:
    missing = [c for c in (columns.id, columns.text) if c not in names]
    if missing:
        have = ", ".join(map(str, names)) or "nothing"
        raise InputError(
            f"{path}: no column {missing[0]!r} ({where}: {have}); "
            "name the columns with --id-column and --text-column"
        )


def _record(line: int, get: Callable[[str], Any], columns: Columns) -> Record | BadLine:
    key, text = get(columns.id), get(columns.text)
    if key is None or text is None:
        missing = columns.id if key is None else columns.text
        return BadLine(line, f"no {missing!r} field")
    if key == "" or isinstance(key, bool) or not isinstance(key, str | int):
        return BadLine(line, f"the id ({columns.id!r}) must be a non-empty string or an integer")
    if not isinstance(text, str):
        return BadLine(line, f"the text ({columns.text!r}) must be a string")
    if not text.strip():
        return BadLine(line, f"the text ({columns.text!r}) is empty")
    return Record(line, key, text)
