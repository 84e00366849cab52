"""A response from the pool: status and headers at once, the body read from its connection on
demand, the connection handed back exactly once (to the pool if it was read to the end, closed
otherwise). `PooledResponse` for HTTP/1.1, `Http2Response` for a stream of an HTTP/2 connection
(ending it early resets that stream alone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import httpx

from genaio.engine._connection import Connection, raise_mapped
from genaio.engine._http11 import Decoder, ProtocolError, ResponseHeaders

if TYPE_CHECKING:
    from genaio.engine._http2_wire import Exchange
    from genaio.engine._pool import PooledTransport

__all__ = ["Http2Response", "HttpxBody", "PoolResponse", "PooledResponse"]


class _Decoded:
    """`aiter_bytes` over a response's `aiter_raw`: the same for either protocol."""

    __slots__ = ()
    headers: ResponseHeaders

    def aiter_raw(self) -> AsyncIterator[bytes]:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

    async def read_arrived(self) -> bytes | None:
        """The whole body if all of it has arrived and it is not content-encoded (a small
        answer's usually has, with its head), its connection or stream given back; else None,
        with nothing taken (read it with `aiter_bytes`). It skips the two generators and the
        decoder a read through `aiter_bytes` costs."""
        raise NotImplementedError

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body, its content-encoding undone."""
        try:
            decoder = Decoder(self.headers.get("content-encoding"))
        except ProtocolError as exc:
            await self.aclose()
            raise httpx.DecodingError(str(exc)) from exc
        async for chunk in self.aiter_raw():
            try:
                data = decoder.decode(chunk)
            except ProtocolError as exc:
                raise httpx.DecodingError(str(exc)) from exc
            if data:
                yield data
        try:
            tail = decoder.flush()
        except ProtocolError as exc:
            raise httpx.DecodingError(str(exc)) from exc
        if tail:
            yield tail


class PooledResponse(_Decoded):
    """A response's status and headers, with its body read from the connection on demand.

    Reading the body to its end gives the connection back to the pool; `aclose` before the end
    closes it. Either happens exactly once.
    """

    __slots__ = ("_connection", "_pool", "headers", "raw_headers", "reason", "status_code")
    http_version = b"HTTP/1.1"

    def __init__(self, pool: PooledTransport, connection: Connection) -> None:
        self._pool = pool
        self._connection: Connection | None = connection
        parser = connection.parser
        self.status_code = parser.status
        self.reason = parser.reason
        self.raw_headers = parser.raw_headers
        self.headers = ResponseHeaders.of(parser.raw_headers)

    def __repr__(self) -> str:
        state = "body unread" if self._connection is not None else "released"
        return f"<PooledResponse {self.status_code} {state}>"

    def extensions(self) -> dict[str, Any]:
        """What an `httpx.Response` made of this one carries in its `extensions`."""
        return {"http_version": self.http_version, "reason_phrase": self.reason}

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came (still content-encoded)."""
        connection = self._connection
        if connection is None:
            return
        parser = connection.parser
        try:
            while True:
                if parser.body:
                    chunks, parser.body = parser.body, []
                    for chunk in chunks:
                        yield chunk
                if parser.done:
                    break
                await self._pool.receive(connection)
        except BaseException as exc:
            # `aclose` may have released the connection already (a body left half-read, then
            # this generator finalized): release it exactly once.
            if self._connection is connection:
                self._connection = None
                await self._pool.discard(connection)
            raise_mapped(exc, httpx.ReadError, httpx.ReadTimeout, connection)
        if self._connection is connection:
            self._connection = None
            await self._pool.release(connection)

    async def read_arrived(self) -> bytes | None:
        connection = self._connection
        if connection is None or not connection.parser.done or "content-encoding" in self.headers:
            return None
        chunks, connection.parser.body = connection.parser.body, []
        self._connection = None
        await self._pool.release(connection)
        return b"".join(chunks)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if connection.parser.done:  # all of it arrived (a body nobody wanted): reusable
            await self._pool.release(connection)
        else:  # left before the end: the connection cannot be reused
            await self._pool.discard(connection)


class Http2Response(_Decoded):
    """A response on a stream of an HTTP/2 connection, its body read on demand.

    Reading the body to its end, or `aclose`, ends the stream (before its end: a RST_STREAM
    for it alone) and gives its place on the connection back to the pool, exactly once.
    """

    __slots__ = ("_exchange", "_pool", "headers", "raw_headers", "status_code")
    http_version = b"HTTP/2"
    reason = b""  # HTTP/2 has no reason phrase

    def __init__(self, pool: PooledTransport, exchange: Exchange) -> None:
        self._pool = pool
        self._exchange: Exchange | None = exchange
        self.status_code = exchange.status
        self.raw_headers = exchange.raw_headers
        self.headers = ResponseHeaders.of(exchange.raw_headers)

    def __repr__(self) -> str:
        state = "body unread" if self._exchange is not None else "released"
        return f"<Http2Response {self.status_code} {state}>"

    def extensions(self) -> dict[str, Any]:
        """As httpx's own HTTP/2 gives: no reason phrase (httpx then shows the standard one)."""
        return {"http_version": self.http_version}

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came (still content-encoded)."""
        exchange = self._exchange
        if exchange is None:
            return
        try:
            while True:
                if exchange.body:
                    chunks, exchange.body = exchange.body, []
                    exchange.connection.consumed(exchange)
                    for chunk in chunks:
                        yield chunk
                if exchange.ended:
                    break
                await self._pool.receive_stream(exchange)
        finally:
            if self._exchange is exchange:  # not released by `aclose` meanwhile
                self._exchange = None
                await self._pool.end_stream(exchange)

    async def read_arrived(self) -> bytes | None:
        exchange = self._exchange
        if exchange is None or not exchange.ended or "content-encoding" in self.headers:
            return None
        chunks, exchange.body = exchange.body, []
        exchange.connection.consumed(exchange)
        self._exchange = None
        await self._pool.end_stream(exchange)
        return b"".join(chunks)

    async def aclose(self) -> None:
        exchange, self._exchange = self._exchange, None
        if exchange is not None:
            await self._pool.end_stream(exchange)


#: What the pool's `exchange` returns.
PoolResponse = PooledResponse | Http2Response


class HttpxBody(httpx.AsyncByteStream):
    """A pooled response's body as httpx reads it (httpx undoes the content-encoding)."""

    def __init__(self, response: PoolResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._response.aiter_raw():
            yield chunk

    async def aclose(self) -> None:
        await self._response.aclose()
