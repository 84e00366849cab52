"""Splitting the input into shards for `genaio embed --ray`: byte ranges that start on a
record's first line.

A JSONL record is one line, so any line start will do. A CSV record may hold line breaks inside
quotes, so a cut is made only where a line ends outside quotes; the header is no shard's (each
shard's reader takes it from the file's start). A Parquet file is cut between row groups (the
unit its readers read), counted from its footer. One pass over the file, in the driver; the
plan is then kept in the output directory, so a rerun shards the same way.
"""

from __future__ import annotations

from pathlib import Path

from genaio.embedjob._inputs import Format, Span, _ends_quoted, row_groups

__all__ = ["plan_spans"]


def plan_spans(path: Path, fmt: Format, shards: int) -> list[Span]:
    """At most `shards` spans of about equal size covering every record of the file, in
    order; none empty."""
    if fmt == "parquet":
        return _plan_row_groups(row_groups(path), shards)
    size = path.stat().st_size
    spans: list[Span] = []
    with path.open("rb") as file:
        offset, line, quoted = 0, 1, False
        start, first = 0, 1
        if fmt == "csv":  # skip the header record
            for raw in file:
                offset += len(raw)
                line += 1
                quoted = _ends_quoted(raw.decode("utf-8", "surrogateescape"), quoted)
                if not quoted:
                    break
            start, first = offset, line
        body = size - start
        target = start + body // shards
        for raw in file:
            if fmt == "csv":
                quoted = _ends_quoted(raw.decode("utf-8", "surrogateescape"), quoted)
            offset += len(raw)
            line += 1
            if offset >= target and not quoted and len(spans) < shards - 1:
                spans.append(Span(start, offset, first))
                start, first = offset, line
                target = start + max(1, (size - start) // (shards - len(spans)))
    if start < size:
        spans.append(Span(start, size, first))
    return spans


def _plan_row_groups(groups: list[int], shards: int) -> list[Span]:
    """At most `shards` runs of whole row groups of about equal rows, in order; none empty
    (a file of no row groups has no span, as an empty JSONL file has none)."""
    spans: list[Span] = []
    start, first, row = 0, 1, 1
    total = sum(groups)
    for group, rows in enumerate(groups):
        row += rows
        left = len(groups) - group - 1  # groups after this one
        target = first + (total - first + 1) // (shards - len(spans))
        if left and len(spans) < shards - 1 and row >= target:
            spans.append(Span(start, group + 1, first))
            start, first = group + 1, row
    if start < len(groups):
        spans.append(Span(start, len(groups), first))
    return spans
