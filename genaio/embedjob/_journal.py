"""The job's record of what is done: an append-only JSONL file, one embedding per line.

This is what makes a job resumable and exactly-once. Every finished item is appended as one
complete line, `{"id":...,"embedding":[...]}`, handed to the OS at once (so a killed process loses
nothing it wrote) and fsynced every `SYNC_SECONDS` and at the end (so a crashed machine loses at
most that much). A process killed at any moment leaves a file whose complete lines are all valid
and whose last line may be torn (cut off mid-way). Opening the journal again truncates a torn
last line and collects the ids of the complete ones: those are done, and the job skips them.

A lock (`flock`) keeps two jobs from writing one journal at once, which would repeat ids.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

__all__ = ["Journal", "OutputError", "embedding_line", "line_id", "read_lines"]

#: How often written lines are fsynced: what a machine's crash may cost, in seconds of work.
SYNC_SECONDS = 1.0
_PREFIX = b'{"id":'
_MIDDLE = b',"embedding":'


class OutputError(Exception):
    """The output cannot be used: locked by another job, not an embeddings file, unwritable."""


def embedding_line(key: str | int, values: Sequence[float]) -> bytes:
    """One output line. The id comes first so that resuming can read it without the vector."""
    vector = json.dumps(values, separators=(",", ":"))
    return b"%s%s%s%s}\n" % (_PREFIX, json.dumps(key).encode(), _MIDDLE, vector.encode())


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's complete lines with their end offsets; a torn last line is left out."""
    offset = 0
    with path.open("rb") as file:
        for line in file:
            if not line.endswith(b"\n"):
                return
            offset += len(line)
            yield offset, line


def line_id(line: bytes) -> str | int | None:
    """The id of an output line, or None if the line is not one."""
    middle = line.find(_MIDDLE)
    if line.startswith(_PREFIX) and middle > 0:
        with contextlib.suppress(ValueError):
            key = json.loads(line[len(_PREFIX) : middle])
            return key if isinstance(key, str | int) else None
    return None


class Journal:
    """An open journal: the ids already done, and appending with regular syncs."""

    def __init__(self, path: Path, file: IO[bytes], done: set[str | int], size: int) -> None:
        self.path = path
        self.done = done
        self.size = size  # bytes of complete lines
        self._file = file
        self._synced = time.monotonic()

    @classmethod
    def open(cls, path: Path, *, fresh: bool = False) -> Journal:
        """Lock the journal, repair a torn last line, and read the ids it holds (`fresh`:
        empty it instead).

        Raises `OutputError` if another job holds it or a complete line is not an embedding.
        """
        try:
            file = path.open("ab")
        except OSError as error:
            raise OutputError(f"{path}: cannot write ({error.strerror})") from None
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            raise OutputError(f"{path}: another `genaio embed` is writing it") from None
        try:
            done, end = _recover(path) if not fresh else (set(), 0)
            if end < os.fstat(file.fileno()).st_size:
                file.truncate(end)  # the torn last line of a killed job
                os.fsync(file.fileno())
        except BaseException:
            file.close()
            raise
        return cls(path, file, done, end)

    def write(self, key: str | int, values: Sequence[float]) -> None:
        self.size += self._file.write(embedding_line(key, values))
        self._file.flush()  # about a microsecond a line: cheap next to the line's request
        if time.monotonic() - self._synced >= SYNC_SECONDS:
            self.sync()

    def sync(self) -> None:
        """Make everything written so far survive a crash."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        """Sync and close (releasing the lock)."""
        try:
            self.sync()
        finally:
            self._file.close()


def _recover(path: Path) -> tuple[set[str | int], int]:
    done: set[str | int] = set()
    end = 0
    for number, (offset, line) in enumerate(read_lines(path), 1):
        key = line_id(line)
        if key is None:
            raise OutputError(
                f"{path}: line {number} is not an embedding line; is this the right output file?"
            )
        done.add(key)
        end = offset
    return done, end
