"""The emulator's state for the server's lifetime: resources, due transitions, ids, pages.

Everything here is synchronous and runs on the server's event loop. Time-driven transitions
(an operation finishing, a batch starting to run, a cache expiring) are `Timers` entries that
fire lazily, at the start of the next request whose emulated time is past their due time.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import random
import string
from collections.abc import Callable, Sequence
from typing import Any

from ._http import ApiError, Request

__all__ = ["State", "Timers", "paginate"]

_ID_CHARS = string.ascii_lowercase + string.digits


class Timers:
    """A heap of (due, seq, callback); `run(now)` fires every callback that is due, in order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at(self, due: float, callback: Callable[[], None]) -> None:
        heapq.heappush(self._heap, (due, next(self._seq), callback))

    def run(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, _, callback = heapq.heappop(heap)
            callback()

    def clear(self) -> None:
        self._heap.clear()


class State:
    """All stateful resources, keyed by their full resource name (e.g. `files/abc123`)."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self.timers = Timers()
        self.files: dict[str, dict[str, Any]] = {}
        self.file_bytes: dict[str, bytes] = {}
        self.uploads: dict[str, Any] = {}  # upload_id -> upload session
        self.caches: dict[str, dict[str, Any]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.tuned_models: dict[str, dict[str, Any]] = {}
        self.operations: dict[str, dict[str, Any]] = {}
        self.stores: dict[str, dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}  # full document name -> document
        self.media: dict[str, bytes] = {}  # media name (store/media/blob) -> bytes
        self.auth_tokens: dict[str, dict[str, Any]] = {}
        self.oauth_tokens: dict[str, float] = {}  # access token -> expiry (emulated)
        self.interactions: dict[str, dict[str, Any]] = {}
        # The families 3.6 added, by collection (and "executions": a trigger's runs by its id).
        self.managed: dict[str, dict[str, Any]] = {}

    def new_id(self, length: int = 12) -> str:
        """A fresh lower-case alphanumeric id (file ids must match `[a-z0-9]+`)."""
        return "".join(self._rng.choices(_ID_CHARS, k=length))


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o{offset}".encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        if raw.startswith("o"):
            return int(raw[1:])
    except ValueError:
        pass
    raise ApiError(400, "Invalid page token.")


def paginate(
    items: Sequence[Any], req: Request, key: str, default_size: int, max_size: int = 1000
) -> dict[str, Any]:
    """One page of `items` under `key`, with `nextPageToken` when more remain (spec §5)."""
    try:
        size = int(req.query.get("pageSize") or req.query.get("page_size") or 0)
    except ValueError:
        raise ApiError(400, "Invalid value for pageSize.") from None
    if size < 0:
        raise ApiError(400, "pageSize must not be negative.")
    size = min(size or default_size, max_size)
    token = req.query.get("pageToken") or req.query.get("page_token") or ""
    start = _offset(token) if token else 0
    page: dict[str, Any] = {key: list(items[start : start + size])}
    if start + size < len(items):
        page["nextPageToken"] = _token(start + size)
    return page
