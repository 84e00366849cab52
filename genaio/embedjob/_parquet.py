"""Parquet output: the job keeps a JSONL journal next to the target and merges it in at the end.

A Parquet file cannot be appended to line by line, so resumability stays with the journal
(`OUTPUT.journal.jsonl`), which holds only what this output does not have yet. A job started on
a finished Parquet file reads the ids it holds (the `id` column alone) and skips them; at the
end, if the journal holds anything, the file's rows and the journal's are written to a
temporary file that is renamed over the target (and removed if anything fails), then the
journal is deleted. Nothing new: the target is left as it is.

The `id` column is an int64 when every id is an integer that fits one, else a string (an
integer id too large for an int64 is written as its decimal digits, and the file's metadata
says the ids are integers, so a rerun reads them back as such). The `embedding` column is a
list of float32 (what the API's values carry). The file's metadata also holds the job's
manifest. pyarrow is an optional dependency (`pip install 'genaio[parquet]'`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from genaio.embedjob._inputs import BadLine, Record
from genaio.embedjob._journal import OutputError, line_id, read_lines
from genaio.embedjob._manifest import METADATA_KEY, Manifest

__all__ = ["convert", "journal_path", "read_done", "require_pyarrow", "uniform_ids"]

#: JSON handed to pyarrow's parser at once: bounds the conversion's memory.
_CHUNK_BYTES = 16 << 20
_ID_KIND_KEY = b"genaio.ids"  # "int" or "str": what the ids were, whatever the column's type
_INT64 = range(-(2**63), 2**63)


def journal_path(target: Path) -> Path:
    return target.with_name(target.name + ".journal.jsonl")


def require_pyarrow() -> None:
    """Fail before any work if Parquet output cannot be written."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OutputError("Parquet output needs pyarrow: pip install 'genaio[parquet]'") from None


def uniform_ids(items: Iterable[Record | BadLine]) -> Iterator[Record | BadLine]:
    """Records whose id is not of the first id's type become bad lines: a column has one type
    (and 7 and "7" would be two ids in the job but one in a string column)."""
    kind: type | None = None
    for item in items:
        if isinstance(item, Record):
            kind = kind or type(item.id)
            if type(item.id) is not kind:
                name = "an integer" if kind is int else "a string"
                item = BadLine(item.line, f"the id must be {name}, as the first one is", item.id)
        yield item


def read_done(target: Path) -> tuple[set[str | int], Manifest | None]:
    """The ids a Parquet output holds, and its manifest (None: none recorded)."""
    if not target.exists():
        return set(), None
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(target)
        metadata = file.schema_arrow.metadata or {}
        ints = metadata.get(_ID_KIND_KEY) == b"int"
        done: set[str | int] = set()
        for batch in file.iter_batches(columns=["id"]):
            keys = batch.column(0).to_pylist()
            done.update(map(int, keys) if ints else keys)
    except (OSError, ValueError, KeyError) as error:  # pyarrow's errors are among these
        raise OutputError(f"{target}: not a readable Parquet embeddings file ({error})") from None
    manifest = metadata.get(METADATA_KEY)
    return done, Manifest.from_json(manifest, target) if manifest is not None else None


def convert(journal: Path, target: Path, manifest: Manifest) -> int:
    """Write the target's rows and the journal's as the Parquet `target`, then delete the
    journal; the rows written. The target is replaced whole or not at all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    old = pq.ParquetFile(target) if target.exists() else None
    old_meta = (old.schema_arrow.metadata or {}) if old is not None else {}
    keys = [line_id(line) for _, line in read_lines(journal)]
    ints = all(isinstance(k, int) for k in keys) and old_meta.get(_ID_KIND_KEY, b"int") == b"int"
    fits = ints and all(k in _INT64 for k in keys if isinstance(k, int))
    if old is not None and old.schema_arrow.field("id").type == pa.string():
        fits = False
    metadata = {METADATA_KEY: manifest.to_json(), _ID_KIND_KEY: b"int" if ints else b"str"}
    id_type = pa.int64() if fits else pa.string()
    schema = pa.schema([("id", id_type), ("embedding", pa.list_(pa.float32()))], metadata=metadata)
    partial = target.with_name(target.name + ".tmp")
    rows = 0
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            for table in _tables(old, journal, schema, quote_ids=not fits):
                writer.write_table(table)
                rows += table.num_rows
        _fsync(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    journal.unlink()
    return rows


def _tables(old: Any, journal: Path, schema: Any, *, quote_ids: bool) -> Iterator[Any]:
    import pyarrow as pa
    import pyarrow.json as pj

    if old is not None:
        for batch in old.iter_batches():
            table = pa.Table.from_batches([batch])
            yield table.cast(schema)
    options = pj.ParseOptions(explicit_schema=schema)
    for chunk in _chunks(journal, quote_ids):
        yield pj.read_json(pa.BufferReader(chunk), parse_options=options)


def _chunks(journal: Path, quote_ids: bool) -> Iterator[bytes]:
    lines: list[bytes] = []
    size = 0
    for _, line in read_lines(journal):
        if quote_ids:
            line = _quoted_id(line)
        lines.append(line)
        size += len(line)
        if size >= _CHUNK_BYTES:
            yield b"".join(lines)
            lines, size = [], 0
    if lines:
        yield b"".join(lines)


def _quoted_id(line: bytes) -> bytes:
    """The line with an integer id written as a string (for a string `id` column)."""
    key = line_id(line)
    if not isinstance(key, int):
        return line
    middle = line.index(b',"embedding":')
    return b'{"id":' + json.dumps(str(key)).encode() + line[middle:]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
