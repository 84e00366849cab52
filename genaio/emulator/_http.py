"""The emulator's request and response values, the Google error envelope, and key-casing help.

Handlers are synchronous functions `(emu, req, groups) -> Response | StreamResponse`; they raise
`ApiError` for any API error, which the app turns into the Google error envelope.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl

import attrs

__all__ = [
    "ApiError",
    "Request",
    "Response",
    "StreamResponse",
    "dumps",
    "g",
    "json_response",
    "not_found",
]

_JSON_HEADERS = ((b"content-type", b"application/json; charset=UTF-8"),)
_SSE_HEADERS = ((b"content-type", b"text/event-stream"),)

_UNSET = object()
_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)


def dumps(obj: Any) -> bytes:
    """Compact JSON; ASCII only, so U+2028/U+2029 never reach an SSE line splitter raw."""
    return _encoder.encode(obj).encode("ascii")


@lru_cache(maxsize=1024)
def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


def g(obj: Mapping[str, Any] | None, camel: str, default: Any = None) -> Any:
    """`obj[camel]`, else `obj[snake_case(camel)]`: proto-JSON accepts both spellings."""
    if not obj:
        return default
    value = obj.get(camel)
    if value is None:
        value = obj.get(_snake(camel))
    return default if value is None else value


@attrs.define(slots=True)
class Request:
    method: str
    path: str
    query_string: bytes
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes
    base_url: str  # "http://host:port": how the client reached us
    client: Any = None
    _query: dict[str, str] | None = attrs.field(default=None, init=False)
    _json: Any = attrs.field(default=_UNSET, init=False)

    @property
    def query(self) -> dict[str, str]:
        if self._query is None:
            self._query = dict(parse_qsl(self.query_string.decode("latin-1")))
        return self._query

    def flag(self, name: str) -> bool:
        """A boolean query parameter: `True`/`true`/`1` (Python's urlencode sends `True`)."""
        return self.query.get(name, "").lower() in ("true", "1")

    def json(self) -> dict[str, Any]:
        if self._json is _UNSET:
            if not self.body.strip():
                self._json = {}
            else:
                try:
                    self._json = json.loads(self.body)
                except ValueError:
                    raise ApiError(
                        400, "Invalid JSON payload received. Unexpected token."
                    ) from None
                if not isinstance(self._json, dict):
                    raise ApiError(400, "Invalid JSON payload received. Expected an object.")
        body: dict[str, Any] = self._json
        return body


@attrs.frozen
class Response:
    status: int = 200
    body: bytes = b"{}"
    headers: tuple[tuple[bytes, bytes], ...] = _JSON_HEADERS


@attrs.frozen
class StreamResponse:
    """Server-sent events: each item goes out as `data: {json}\\r\\n\\r\\n` (spec §4)."""

    events: list[Any]
    headers: tuple[tuple[bytes, bytes], ...] = _SSE_HEADERS
    sentinel: bytes = b""  # e.g. b"data: [DONE]\r\n\r\n" for the interactions stream


def json_response(obj: Any, headers: Iterable[tuple[bytes, bytes]] = ()) -> Response:
    return Response(200, dumps(obj), _JSON_HEADERS + tuple(headers))


_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class ApiError(Exception):
    """An API error answer: `{"error":{"code","message","status","details"}}`."""

    def __init__(
        self,
        code: int,
        message: str,
        status: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: Iterable[tuple[bytes, bytes]] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status or _STATUS.get(code, "UNKNOWN")
        self.details = details
        self.headers = tuple(headers)

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}

    def response(self) -> Response:
        return Response(self.code, dumps(self.envelope()), _JSON_HEADERS + self.headers)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found.")
