"""The rejects file: every input record the job skipped, with why, one JSON object a line.

`{"line": 52, "id": "doc-7", "kind": "too-long", "reason": "..."}`; `kind` is `bad-record`,
`duplicate`, `too-long` or `failed` (the API refused the item for good). It is append-only and
written only when something is skipped. A rerun skips the same input records again, and writes
each entry only once; the ids of `failed` entries are not sent again (a permanent failure fails
every time), until their lines are removed from the file or the job starts over (`--overwrite`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Literal

__all__ = ["Kind", "Rejects", "rejects_path"]

Kind = Literal["bad-record", "duplicate", "too-long", "failed"]


def rejects_path(output: Path) -> Path:
    return output.with_name(output.name + ".rejects.jsonl")


class Rejects:
    """An open rejects file (the output's lock covers it: one job at a time)."""

    def __init__(self, path: Path, *, fresh: bool = False) -> None:
        self.path = path
        self.failed: set[str | int] = set()  # ids refused for good by an earlier run
        self.written = 0
        self._seen: set[tuple[str, int, str]] = set()
        self._file: IO[bytes] | None = None
        if fresh:
            path.unlink(missing_ok=True)
        elif path.exists():
            self._load()

    def add(self, kind: Kind, line: int, key: str | int | None, reason: str) -> None:
        entry = (kind, line, json.dumps(key))
        if entry in self._seen:
            return
        self._seen.add(entry)
        if self._file is None:
            self._file = self.path.open("ab")
        row = {"line": line, "id": key, "kind": kind, "reason": reason}
        self._file.write(json.dumps(row).encode() + b"\n")
        self._file.flush()
        self.written += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def _load(self) -> None:
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # the torn last line of a killed job
            with self.path.open("r+b") as file:
                file.truncate(end)
        for raw in data[:end].splitlines():
            try:
                row = json.loads(raw)
                kind, line, key = row["kind"], row["line"], row["id"]
            except (ValueError, TypeError, KeyError):
                continue  # not ours: left alone
            self._seen.add((kind, line, json.dumps(key)))
            if kind == "failed":
                self.failed.add(key)
