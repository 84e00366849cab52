"""Parquet output: the job keeps its JSONL journal next to the target and converts it at the end.

A Parquet file cannot be appended to line by line, so resumability stays with the journal
(`OUTPUT.journal.jsonl`); the conversion writes a temporary file and renames it over the target,
then deletes the journal. A job started again on a finished Parquet file first turns it back
into a journal, so it can skip what is done and add what is new, like a JSONL output.

The `id` column is an int64 when the input's ids are integers, else a string; the `embedding`
column is a list of float32 (what the API's values carry). pyarrow is an optional dependency
(`pip install 'genaio[parquet]'`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from genaio.embedjob._inputs import BadLine, Record
from genaio.embedjob._journal import OutputError, embedding_line, line_id, read_lines

__all__ = ["convert", "journal_path", "require_pyarrow", "restore", "uniform_ids"]

#: JSON handed to pyarrow's parser at once: bounds the conversion's memory.
_CHUNK_BYTES = 16 << 20
_RESTORE_ROWS = 4096


def journal_path(target: Path) -> Path:
    return target.with_name(target.name + ".journal.jsonl")


def require_pyarrow() -> None:
    """Fail before any work if Parquet output cannot be written."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OutputError("Parquet output needs pyarrow: pip install 'genaio[parquet]'") from None


def uniform_ids(items: Iterable[Record | BadLine]) -> Iterator[Record | BadLine]:
    """Records whose id is not of the first id's type become bad lines: a column has one type."""
    kind: type | None = None
    for item in items:
        if isinstance(item, Record):
            kind = kind or type(item.id)
            if type(item.id) is not kind:
                name = "an integer" if kind is int else "a string"
                item = BadLine(item.line, f"the id must be {name}, as the first one is")
        yield item


def restore(target: Path, journal: Path) -> None:
    """Turn a finished Parquet output back into a journal (unless a journal is already there)."""
    if journal.exists() or not target.exists():
        return
    import pyarrow.parquet as pq

    partial = journal.with_name(journal.name + ".tmp")
    try:
        with partial.open("wb") as file:
            rows = pq.ParquetFile(target).iter_batches(_RESTORE_ROWS, columns=["id", "embedding"])
            for batch in rows:
                keys, vectors = batch.column(0).to_pylist(), batch.column(1).to_pylist()
                for key, values in zip(keys, vectors, strict=True):
                    file.write(embedding_line(key, values))
            file.flush()
            os.fsync(file.fileno())
    except (OSError, ValueError) as error:  # pyarrow's errors are ValueErrors or OSErrors
        raise OutputError(f"{target}: not a readable Parquet embeddings file ({error})") from None
    os.replace(partial, journal)


def convert(journal: Path, target: Path) -> int:
    """Write the journal's lines as the Parquet `target`, then delete the journal; the rows."""
    import pyarrow as pa
    import pyarrow.json as pj
    import pyarrow.parquet as pq

    ints = all(isinstance(line_id(line), int) for _, line in read_lines(journal))
    schema = pa.schema(
        [("id", pa.int64() if ints else pa.string()), ("embedding", pa.list_(pa.float32()))]
    )
    options = pj.ParseOptions(explicit_schema=schema)
    partial = target.with_name(target.name + ".tmp")
    rows = 0
    with pq.ParquetWriter(partial, schema) as writer:
        for chunk in _chunks(journal):
            table = pj.read_json(pa.BufferReader(chunk), parse_options=options)
            writer.write_table(table)
            rows += table.num_rows
    _fsync(partial)
    os.replace(partial, target)
    journal.unlink()
    return rows


def _chunks(journal: Path) -> Iterator[bytes]:
    lines: list[bytes] = []
    size = 0
    for _, line in read_lines(journal):
        lines.append(line)
        size += len(line)
        if size >= _CHUNK_BYTES:
            yield b"".join(lines)
            lines, size = [], 0
    if lines:
        yield b"".join(lines)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
