"""Server-sent events as the Gemini API frames them (`data: {json}` then a blank line).

A synchronous decoder with no I/O: feed it bytes as they arrive, take the decoded JSON values.
Lines that are not `data:` fields and not SSE fields or comments are taken as raw JSON, because
the API sends a plain (possibly pretty-printed) error body on a stream that fails. A
`data: [DONE]` event (the Interactions API's end marker) ends nothing by itself and yields
nothing: the stream ends when the server closes it.
"""

from __future__ import annotations

from typing import Any

from genaio.engine import _json
from genaio.errors import UnknownApiResponseError

__all__ = ["SSEDecoder"]

#: An event larger than this is a broken or hostile server, not a response.
MAX_EVENT_BYTES = 64 * 1024 * 1024
_SSE_FIELDS = (b"event:", b"id:", b"retry:")


class SSEDecoder:
    """Turns a byte stream into the JSON values of its events, in order."""

    def __init__(self, max_event_bytes: int = MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._partial = b""
        self._data: list[bytes] = []
        self._raw: list[bytes] = []
        self._size = 0

    def feed(self, chunk: bytes) -> list[Any]:
        """Decode what `chunk` completes; keep the rest for the next call."""
        lines = (self._partial + chunk).split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > self._max:
            raise UnknownApiResponseError(f"stream line longer than {self._max} bytes")
        values: list[Any] = []
        for line in lines:
            self._line(line.removesuffix(b"\r"), values)
        return values

    def close(self) -> list[Any]:
        """Decode what is left at the end of the stream (no trailing blank line is needed)."""
        values: list[Any] = []
        if self._partial:
            self._line(self._partial.removesuffix(b"\r"), values)
            self._partial = b""
        self._flush(values)
        if self._raw:
            raise UnknownApiResponseError(
                f"stream ended inside a JSON value: {b''.join(self._raw)[:200]!r}"
            )
        return values

    def _line(self, line: bytes, values: list[Any]) -> None:
        if self._raw:
            self._raw_line(line, values)
        elif not line:
            self._flush(values)
        elif line.startswith(b"data:"):
            payload = line[5:]
            self._data.append(payload[1:] if payload.startswith(b" ") else payload)
            self._grow(len(payload))
        elif line.startswith(b":") or line.startswith(_SSE_FIELDS):
            return
        else:
            self._raw_line(line, values)

    def _raw_line(self, line: bytes, values: list[Any]) -> None:
        self._raw.append(line)
        self._grow(len(line))
        try:
            value = _json.loads(b"\n".join(self._raw))
        except ValueError:
            return
        self._raw.clear()
        self._size = 0
        values.append(value)

    def _flush(self, values: list[Any]) -> None:
        if not self._data:
            return
        text = b"\n".join(self._data)
        self._data.clear()
        self._size = 0
        if text == b"[DONE]":
            return
        try:
            values.append(_json.loads(text))
        except ValueError as exc:
            raise UnknownApiResponseError(f"stream event is not JSON: {text[:200]!r}") from exc

    def _grow(self, n: int) -> None:
        self._size += n
        if self._size > self._max:
            raise UnknownApiResponseError(f"stream event larger than {self._max} bytes")
