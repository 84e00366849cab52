"""The values an exchange passes between its steps: the call a family makes (`RestCall`), the
request it becomes once URL, credentials and body are applied (`PreparedRequest`), the response
either door returns (`Response`), and a 200's parsed answer (`JsonAnswer`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

import attrs

from genaio.engine._config import CallOptions

__all__ = ["DeferredBody", "JsonAnswer", "PreparedRequest", "Response", "RestCall"]


class DeferredBody:
    """Bytes to send, read only when the request is built: by the worker that sends it, so
    that a call waiting in a queue holds no buffer (an upload's chunk)."""

    async def read(self) -> bytes:
        raise NotImplementedError


@attrs.frozen
class RestCall:
    """One REST exchange, before URLs and credentials are applied."""

    method: str
    path: str
    query: Mapping[str, Any] | None = None
    #: A JSON value, or bytes sent as they are, or a `DeferredBody` (upload chunks).
    body: Any = None
    headers: Mapping[str, str] | None = None
    options: CallOptions | None = None
    #: False for calls that create something: then only a request that never reached the
    #: server is repeated after a network failure.
    idempotent: bool = True
    #: Send the API key / bearer token (upload chunks carry their own credential in the URL).
    authenticated: bool = True


@attrs.frozen
class JsonAnswer:
    """A 200 answer: its parsed JSON body and its headers."""

    data: Any
    headers: Mapping[str, str]


@attrs.frozen
class PreparedRequest:
    """A call with URL, credentials, options and body applied: ready for either door."""

    method: str
    url: str
    query: dict[str, str] | None
    #: On top of the client's headers (`EngineConfig.headers`).
    headers: dict[str, str]
    content: bytes | None
    #: Whether the call has a timeout of its own, which then bounds a silent server instead of
    #: the client's read timeout.
    timed: bool = False


class Response(Protocol):
    """What the transport reads of a response: the pool's own, or httpx's."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...

    async def aclose(self) -> None: ...
