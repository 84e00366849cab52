"""The request log: every API request the emulator answered, for tests to assert on.

The server appends one `(request, method, model, status)` entry per request (cheap: the
request object is kept, nothing is decoded); `RecordedRequest` values are built only when a
test reads the log. `RequestLog` is a read-only sequence with the helpers respx's `calls` has:
`.last`, `.call_count`, `.called`, and `.filter(...)` by method, model, path or status.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

import attrs

from ._http import ApiError, Request, g

__all__ = ["RecordedRequest", "RequestLog", "RequestRecorder", "prompt_of"]

REDACTED = "<redacted>"
_SECRET_HEADERS = ("x-goog-api-key", "authorization")


@attrs.frozen
class RecordedRequest:
    """One request as the emulator received it; credentials are redacted.

    `method` is the API method (`generateContent`, `embedContent`, `uploadFile`, ...), the name
    the stats use; `http_method` is the HTTP verb. `body` is the decoded JSON (None when the
    body is not JSON, e.g. an upload's bytes: those are in `content`).
    """

    http_method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: Any
    content: bytes
    method: str
    model: str | None
    status: int  # 0: no answer (an injected reset or hang); 0 too while a predicate decides

    @property
    def prompt(self) -> str:
        """The text a scripted rule's `prompt_contains` is matched against (see `prompt_of`)."""
        return prompt_of(self.method, self.body)

    @property
    def tools(self) -> list[str]:
        """The names of the functions the request declares."""
        names = []
        for tool in g(self.body, "tools", ()) if isinstance(self.body, Mapping) else ():
            for declaration in g(tool, "functionDeclarations", ()):
                names.append(declaration.get("name", ""))
        return names

    @classmethod
    def of(cls, req: Request, method: str, model: str | None, status: int) -> RecordedRequest:
        try:
            body = req.json() if req.body.strip() else None
        except ApiError:
            body = None
        headers = {k: (REDACTED if k in _SECRET_HEADERS else v) for k, v in req.headers.items()}
        query = {k: (REDACTED if k == "key" else v) for k, v in req.query.items()}
        return cls(req.method, req.path, query, headers, body, req.body, method, model, status)


def _texts(content: Any) -> str:
    if not isinstance(content, Mapping):
        return content if isinstance(content, str) else ""
    return " ".join(
        p["text"] for p in content.get("parts") or () if isinstance(p, Mapping) and "text" in p
    )


def prompt_of(method: str, body: Any) -> str:
    """The prompt of a request: the text of its last content (the turn being answered, so a
    function response that follows a scripted call does not match the same rule again), or
    the texts to embed (a batch's joined by newlines). Empty for other methods."""
    if not isinstance(body, Mapping):
        return ""
    if method == "countTokens" and g(body, "generateContentRequest"):
        body = g(body, "generateContentRequest")
    contents = g(body, "contents")
    if contents and isinstance(contents, list):
        return _texts(contents[-1])
    if method == "batchEmbedContents":
        return "\n".join(_texts(g(r, "content")) for r in g(body, "requests", ()))
    return _texts(g(body, "content"))


class RequestLog(Sequence[RecordedRequest]):
    """The requests recorded, oldest first, as respx's `calls`: `.last`, `.call_count`,
    `.called`, `.filter(method=..., model=..., path=..., status=...)`."""

    def __init__(self, requests: Sequence[RecordedRequest]) -> None:
        self._requests = list(requests)

    @overload
    def __getitem__(self, index: int) -> RecordedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> RequestLog: ...
    def __getitem__(self, index: int | slice) -> RecordedRequest | RequestLog:
        if isinstance(index, slice):
            return RequestLog(self._requests[index])
        return self._requests[index]

    def __len__(self) -> int:
        return len(self._requests)

    def __iter__(self) -> Iterator[RecordedRequest]:
        return iter(self._requests)

    @property
    def last(self) -> RecordedRequest:
        """The latest request; `IndexError` when there was none."""
        if not self._requests:
            raise IndexError("the emulator has recorded no request")
        return self._requests[-1]

    @property
    def call_count(self) -> int:
        return len(self._requests)

    @property
    def called(self) -> bool:
        return bool(self._requests)

    def filter(
        self,
        *,
        method: str | None = None,
        model: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> RequestLog:
        """The requests of this API method, model (bare id), path (a substring) and status."""
        bare = model.removeprefix("models/") if model else None
        return RequestLog(
            [
                r
                for r in self._requests
                if (method is None or r.method == method)
                and (bare is None or r.model == bare)
                and (path is None or path in r.path)
                and (status is None or r.status == status)
            ]
        )

    def __repr__(self) -> str:
        return f"<RequestLog {[f'{r.http_method} {r.path} {r.status}' for r in self]}>"


_MAX_BYTES = 64 << 20  # bodies kept at most, whatever `size` says: uploads can be large


class RequestRecorder:
    """The server's side: the raw entries of the newest `size` requests (0: all), whose
    bodies together stay under `_MAX_BYTES` (the oldest go first)."""

    def __init__(self, size: int) -> None:
        self._entries: deque[tuple[Request, str, str | None, int]] = deque(maxlen=size or None)
        self._bytes = 0

    def record(self, req: Request, method: str, model: str | None, status: int) -> None:
        entries = self._entries
        if entries.maxlen is not None and len(entries) == entries.maxlen:
            self._bytes -= len(entries[0][0].body)
        entries.append((req, method, model, status))
        self._bytes += len(req.body)
        while self._bytes > _MAX_BYTES and len(entries) > 1:
            self._bytes -= len(entries.popleft()[0].body)

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def log(self) -> RequestLog:
        return RequestLog([RecordedRequest.of(*entry) for entry in self._entries])
