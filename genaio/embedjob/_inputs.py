"""Reading the job's input: JSONL, CSV or Parquet records, lazily, one `Record` at a time.

The input is never held in memory: records are yielded as the file is read, so a job's memory
does not depend on the input's size. JSONL and CSV are read record by record from bytes, so a
record that cannot be one (bad JSON, bad UTF-8, a malformed CSV row, a missing or empty field,
an id that is neither a string nor an integer, a text that is not valid Unicode) is a `BadLine`
with its own line number (where the record starts), and costs that record only; the caller
reports it and skips it or stops.

A Parquet input is read one row group at a time (only its id and text columns), so its memory
is one row group's; a record's `line` is its 1-based row number in the file. A row whose id or
text is null or of the wrong type is a `BadLine` like any other; a row group that cannot be
decoded costs its rows, each reported.

A column missing from the CSV header (or the Parquet schema) is a mistake in the command, not
in the data, so it is fatal (`InputError`). So is a JSONL column that none of the first
`_COLUMN_PROBE` objects has; until one has it, the records that lack it are held back, then
reported as bad lines.
"""

from __future__ import annotations

import csv
import itertools
import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import IO, Any, Literal

import attrs

__all__ = [
    "FORMATS",
    "BadLine",
    "Columns",
    "InputError",
    "Record",
    "Span",
    "count_lines",
    "input_format",
    "is_parquet",
    "read",
    "row_groups",
]

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "parquet")
_CSV_SUFFIXES = (".csv",)
_PARQUET_MAGIC = b"PAR1"  # a Parquet file's first and last four bytes
_PARQUET_BATCH = 1024  # rows turned into Python objects at a time, within a row group
_COLUMN_PROBE = 100  # JSONL objects read before a column none of them has is a wrong name


class InputError(Exception):
    """The input cannot be read at all: a missing file, a wrong column name, a fatal bad line."""


@attrs.frozen
class Record:
    line: int  # 1-based line in the input file where the record starts
    id: str | int
    text: str


@attrs.frozen
class BadLine:
    line: int
    reason: str
    id: str | int | None = None  # when the record got as far as having one


@attrs.frozen
class Span:
    """A shard of the input: the records that start in bytes [start, end), the first of them
    on line `line`; of a Parquet input, row groups [start, end), the first row numbered `line`
    (`genaio embed --ray` runs one job per span; see `_shards`)."""

    start: int
    end: int
    line: int


@attrs.frozen
class Columns:
    id: str = "id"
    text: str = "text"


def input_format(path: Path, given: str | None) -> Format:
    """The format a flag names, else Parquet if the file is one (whatever its name), else the
    one the file's suffix implies (JSONL by default)."""
    for fmt in FORMATS:
        if given == fmt:
            return fmt
    if is_parquet(path):
        return "parquet"
    return "csv" if path.suffix.lower() in _CSV_SUFFIXES else "jsonl"


def is_parquet(path: Path) -> bool:
    """Whether the file begins and ends with Parquet's magic bytes (JSONL and CSV cannot)."""
    try:
        with path.open("rb") as file:
            head = file.read(4)
            file.seek(-4, 2)
            return head == _PARQUET_MAGIC and file.read(4) == _PARQUET_MAGIC
    except OSError:  # missing, or shorter than the eight bytes
        return False


def count_lines(path: Path, span: Span | None = None) -> int:
    """Lines in the file (or its span), rows of a Parquet file: a cheap upper bound on its
    records, for the progress bar's total."""
    if is_parquet(path):
        try:
            groups = row_groups(path)
        except InputError:  # `read` reports it
            return 0
        return sum(groups[span.start : span.end] if span is not None else groups)
    count = 0
    last = b"\n"
    with path.open("rb") as file:
        left = span.end - span.start if span is not None else None  # None: to the end
        file.seek(span.start if span is not None else 0)
        while left != 0 and (chunk := file.read(1 << 20 if left is None else min(left, 1 << 20))):
            left = left - len(chunk) if left is not None else None
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def read(
    path: Path, fmt: Format, columns: Columns, span: Span | None = None
) -> Iterator[Record | BadLine]:
    """Yield the input's records (and its bad lines), in file order; only those of `span`
    if given (a CSV's header is read from the file's start all the same).

    Raises `InputError` for a missing or unreadable file or a wrong column name.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    readers = {"csv": _read_csv, "jsonl": _read_jsonl, "parquet": _read_parquet}
    return readers[fmt](path, columns, span)


def row_groups(path: Path) -> list[int]:
    """The rows of each of a Parquet file's row groups, from its footer.

    Raises `InputError` if the file is not readable as Parquet.
    """
    meta = _parquet_file(path).metadata
    return [meta.row_group(group).num_rows for group in range(meta.num_row_groups)]


def _lines(file: IO[bytes], span: Span | None) -> Iterator[tuple[int, bytes]]:
    """The file's lines with their numbers: all of them, or those starting within `span`."""
    if span is None:
        yield from enumerate(file, 1)
        return
    file.seek(span.start)
    offset = span.start
    for number, raw in enumerate(file, span.line):
        if offset >= span.end:
            return
        offset += len(raw)
        yield number, raw


def _read_jsonl(path: Path, columns: Columns, span: Span | None) -> Iterator[Record | BadLine]:
    held: list[BadLine] = []  # records lacking a column, until one is seen to have it
    first: dict[str, Any] | None = None
    checked = False
    with path.open("rb") as file:
        for number, raw in _lines(file, span):
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
            item = _record(number, row.get, columns)
            if checked:
                yield item
                continue
            first = first or row
            if columns.id in row and columns.text in row:
                checked = True
                yield from held
                held.clear()
                yield item
                continue
            assert isinstance(item, BadLine)
            held.append(item)
            if len(held) >= _COLUMN_PROBE:
                break
    if held:
        _check_columns(path, columns, first or {}, f"line {held[0].line} has")


def _read_csv(path: Path, columns: Columns, span: Span | None) -> Iterator[Record | BadLine]:
    records = _csv_records(path)
    header = next(records, None)
    if span is not None:
        records.close()
        records = _csv_records(path, span)
    if header is None:
        raise InputError(f"{path}: empty; a CSV input needs a header line")
    try:
        names = next(csv.reader([header[1]], strict=True))
    except csv.Error as error:
        raise InputError(f"{path}: line 1: the header is not readable as CSV ({error})") from None
    _check_columns(path, columns, names, "the header has")
    for number, text in records:
        try:
            text.encode()
        except UnicodeEncodeError as error:
            yield BadLine(number, f"not valid UTF-8 (byte {_bad_byte(error)})")
            continue
        try:
            fields = next(csv.reader([text], strict=True))
        except csv.Error as error:
            yield BadLine(number, f"not readable as CSV ({error})")
            continue
        if len(fields) != len(names):
            yield BadLine(number, f"{len(fields)} fields where the header has {len(names)}")
            continue
        yield _record(number, dict(zip(names, fields, strict=True)).get, columns)


def _read_parquet(path: Path, columns: Columns, span: Span | None) -> Iterator[Record | BadLine]:
    file = _parquet_file(path)
    import pyarrow as pa

    _check_columns(path, columns, file.schema_arrow.names, "the schema has")
    names = list(dict.fromkeys((columns.id, columns.text)))
    first, end = (span.start, span.end) if span is not None else (0, file.num_row_groups)
    row = span.line if span is not None else 1
    for group in range(first, end):
        rows = file.metadata.row_group(group).num_rows
        try:
            table = file.read_row_group(group, columns=names)
        except (pa.ArrowException, OSError) as error:
            reason = f"in row group {group}, which cannot be read ({error})"
            yield from (BadLine(number, reason) for number in range(row, row + rows))
            row += rows
            continue
        for batch in table.to_batches(max_chunksize=_PARQUET_BATCH):
            keys = batch.column(columns.id).to_pylist()
            texts = batch.column(columns.text).to_pylist()
            for number, key, text in zip(itertools.count(row), keys, texts, strict=False):
                yield _record(number, {columns.id: key, columns.text: text}.get, columns)
            row += batch.num_rows


def _parquet_file(path: Path) -> Any:
    """The opened Parquet file (its footer read), for `_read_parquet` and `row_groups`."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(
            f"{path}: a Parquet input needs pyarrow: pip install 'genaio[parquet]'"
        ) from None
    import pyarrow as pa

    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise InputError(f"{path}: not readable as Parquet ({error})") from None


def _csv_records(path: Path, span: Span | None = None) -> Generator[tuple[int, str]]:
    """The file's (or the span's) CSV records, each with the line it starts on, split where a
    line ends outside quotes. Bytes that are not UTF-8 are kept as surrogates
    (`surrogateescape`), so that only the record holding them is refused."""
    with path.open("rb") as file:
        start, quoted = 0, False
        parts: list[str] = []
        for number, raw in _lines(file, span):
            line = raw.decode("utf-8", "surrogateescape")
            if number == 1:
                line = line.removeprefix("\ufeff")
            if not parts:
                start = number
                if not line.strip():
                    continue  # a blank line between records
            parts.append(line)
            quoted = _ends_quoted(line, quoted)
            if not quoted:
                yield start, "".join(parts).rstrip("\r\n")
                parts = []
        if parts:  # a quote never closed: the rest of the file is one bad record
            yield start, "".join(parts)


def _ends_quoted(line: str, quoted: bool) -> bool:
    """Whether a record is still inside a quoted field at the end of `line`, given whether it
    was at its start. A quote opens a field only at the field's start; inside, a doubled quote
    is one quote character."""
    if '"' not in line:
        return quoted
    at_start = not quoted
    i, end = 0, len(line)
    while i < end:
        char = line[i]
        if quoted:
            if char == '"':
                if i + 1 < end and line[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
        elif char == '"' and at_start:
            quoted = True
        at_start = char == "," and not quoted
        i += 1
    return quoted


def _bad_byte(error: UnicodeEncodeError) -> str:
    char = error.object[error.start]
    value = ord(char) - 0xDC00 if 0xDC80 <= ord(char) <= 0xDCFF else ord(char)
    return f"0x{value:02x} at character {error.start + 1}"


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
        return BadLine(line, f"no {missing!r} field", key if isinstance(key, str | int) else None)
    if key == "" or isinstance(key, bool) or not isinstance(key, str | int):
        return BadLine(line, f"the id ({columns.id!r}) must be a non-empty string or an integer")
    if not isinstance(text, str):
        return BadLine(line, f"the text ({columns.text!r}) must be a string", key)
    if not text.strip():
        return BadLine(line, f"the text ({columns.text!r}) is empty", key)
    try:
        text.encode()
    except UnicodeEncodeError as error:
        where = f"character {error.start + 1}"
        return BadLine(line, f"the text holds a lone surrogate at {where}: not valid Unicode", key)
    return Record(line, key, text)
