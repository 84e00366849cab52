"""A minimal Redis client on anyio streams: one connection, one command at a time, RESP2.

The shared quota needs three commands (SCRIPT LOAD, EVALSHA, and AUTH/SELECT to open), on trio
and asyncio, at a cost per call that stays small beside a request's. coredis 6 runs on both
(anyio), but its pool lives only inside an `async with` (a task group the throttle has no
place for) and it spent ~0.9 ms of CPU per command here; redis-py's async client is asyncio
only. So genaio speaks the protocol itself: a few dozen lines.

Every call is bounded by `timeout`; a call that fails, times out or is cancelled mid-way closes
the connection (its stream's state is unknown), and the next call opens a new one. The calls
queued behind a failed one fail at once: a silent server costs one timeout, not one a caller.
"""

from __future__ import annotations

import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

import anyio
from anyio import DelimiterNotFound
from anyio.abc import ByteStream
from anyio.streams.buffered import BufferedByteReceiveStream

__all__ = ["RedisConnection", "RedisError", "RedisReplyError"]

_MAX_LINE = 1 << 16


class RedisError(Exception):
    """Redis could not be reached or did not answer in time."""


class RedisReplyError(RedisError):
    """Redis answered with an error (`-ERR ...`)."""


def _encode(args: tuple[bytes | str | int | float, ...]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RedisConnection:
    """One connection to the server named by `url`: `redis://[user:password@]host[:port][/db]`,
    `rediss://` (TLS) or `unix:///path/to/socket[?db=N]`."""

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(f"a Redis URL starts with redis://, rediss:// or unix://: {url!r}")
        self._parts = parts
        self._stream: ByteStream | None = None
        self._reader: BufferedByteReceiveStream | None = None
        self._lock = anyio.Lock()
        self._failures = 0  # calls that failed: those queued behind one fail without a try

    async def call(self, *args: bytes | str | int | float) -> Any:
        """Send one command and return its reply.

        Raises `RedisReplyError` for an error reply, `RedisError` if the server cannot be
        reached or does not answer within `timeout`.

        Cancellation: a cancelled call closes the connection (the next call opens another).
        """
        failures = self._failures
        async with self._lock:
            if self._failures != failures:  # failed while this call waited: fail it too, at once
                raise RedisError("the connection failed while this call waited its turn")
            ok = False
            try:
                with anyio.fail_after(self.timeout):
                    if self._stream is None:
                        await self._open()
                    reply = await self._roundtrip(args)
                ok = True
            except (
                OSError,
                TimeoutError,
                anyio.EndOfStream,
                anyio.IncompleteRead,
                anyio.BrokenResourceError,
                anyio.ClosedResourceError,
                DelimiterNotFound,
            ) as error:
                self._failures += 1
                raise RedisError(f"{type(error).__name__}: {error}") from error
            finally:
                if not ok:
                    await self._drop()
        if isinstance(reply, RedisReplyError):
            raise reply
        return reply

    async def aclose(self) -> None:
        async with self._lock:
            await self._drop()

    async def _open(self) -> None:
        parts = self._parts
        stream: ByteStream
        if parts.scheme == "unix":
            stream = await anyio.connect_unix(unquote(parts.path))
        else:
            host, port = parts.hostname or "127.0.0.1", parts.port or 6379
            if parts.scheme == "rediss":
                context = ssl.create_default_context()
                stream = await anyio.connect_tcp(host, port, ssl_context=context, tls=True)
            else:
                stream = await anyio.connect_tcp(host, port)
        self._stream, self._reader = stream, BufferedByteReceiveStream(stream)
        if parts.password is not None:
            user = unquote(parts.username or "default")
            await self._checked(("AUTH", user, unquote(parts.password)))
        db = parts.path.strip("/") if parts.scheme != "unix" else ""
        for pair in parts.query.split("&"):
            if pair.startswith("db="):
                db = pair[3:]
        if db and db != "0":
            await self._checked(("SELECT", int(db)))

    async def _checked(self, args: tuple[str | int, ...]) -> None:
        reply = await self._roundtrip(args)
        if isinstance(reply, RedisReplyError):
            raise RedisError(f"{args[0]} failed: {reply}")

    async def _roundtrip(self, args: tuple[bytes | str | int | float, ...]) -> Any:
        assert self._stream is not None
        await self._stream.send(_encode(args))
        return await self._read()

    async def _read(self) -> Any:
        assert self._reader is not None
        line = await self._reader.receive_until(b"\r\n", _MAX_LINE)
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RedisReplyError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            data = await self._reader.receive_exactly(size + 2)
            return data[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [await self._read() for _ in range(count)]
        raise RedisError(f"not a Redis reply: {line[:40]!r}")

    async def _drop(self) -> None:
        stream, self._stream, self._reader = self._stream, None, None
        if stream is not None:
            with anyio.CancelScope(shield=True):
                await anyio.aclose_forcefully(stream)
