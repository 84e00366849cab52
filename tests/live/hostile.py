"""A hostile Live server on loopback: it does the websocket upgrade with wsproto, then follows
a script that may send anything (broken frames, bad close codes, huge or compressed messages)
or nothing at all. It runs in the test's own event loop, on trio or asyncio.

```
async def script(peer: Peer) -> None:
    await peer.accept()
    await peer.setup()                      # the client's setup frame, as JSON
    await peer.send('{"setupComplete": {}}')
    await peer.raw(frame(Opcode.TEXT, b"\\xff"))  # bad UTF-8
    await peer.hang()

async with serve_hostile(script) as server:
    client = genaio.Client(api_key=KEY, http_options={"base_url": server.base_url})
```
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import attrs
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Message, Request
from wsproto.extensions import PerMessageDeflate
from wsproto.frame_protocol import Opcode

__all__ = ["Hostile", "Opcode", "Peer", "deflated", "frame", "serve_hostile"]


def frame(opcode: Opcode | int, payload: bytes, *, fin: bool = True, rsv1: bool = False) -> bytes:
    """One server frame (unmasked), as raw bytes: any opcode, any payload, any flags."""
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | int(opcode)
    size = len(payload)
    if size < 126:
        head = struct.pack("!BB", first, size)
    elif size < 2**16:
        head = struct.pack("!BBH", first, 126, size)
    else:
        head = struct.pack("!BBQ", first, 127, size)
    return head + payload


def deflated(data: bytes) -> bytes:
    """`data` compressed as permessage-deflate sends it (the sync-flush tail removed)."""
    compressor = zlib.compressobj(zlib.Z_BEST_COMPRESSION, zlib.DEFLATED, -15)
    return (compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH))[:-4]


@attrs.define
class Hostile:
    """The server's record: what it saw and whether its peers are gone."""

    base_url: str = ""
    connections: int = 0
    setups: int = 0
    closes: list[int | None] = attrs.field(factory=list)  # close codes the client sent
    closed: anyio.Event = attrs.field(factory=anyio.Event)  # set at the first of them
    sent: int = 0  # bytes written to clients
    handlers: dict[anyio.CancelScope, anyio.Event] = attrs.field(factory=dict)

    async def drop_all(self) -> None:
        """End every connection the server still serves, and wait until they have ended."""
        for scope in list(self.handlers):
            scope.cancel()
        for done in list(self.handlers.values()):
            await done.wait()


class Peer:
    """One client connection, seen from the server."""

    def __init__(self, stream: anyio.abc.ByteStream, record: Hostile) -> None:
        self.stream = stream
        self.record = record
        self.protocol = WSConnection(ConnectionType.SERVER)
        self.deflate = False
        self.targets: list[str] = []  # the upgrade's request target (path and query)

    async def accept(self, *, deflate: bool = False) -> None:
        """Read the upgrade request and accept it (with permessage-deflate if asked)."""
        while True:
            self.protocol.receive_data(await self.stream.receive(65536))
            for event in self.protocol.events():
                if isinstance(event, Request):
                    self.targets.append(event.target)
                    extensions = [PerMessageDeflate()] if deflate else []
                    accept = AcceptConnection(extensions=extensions)
                    await self.raw(self.protocol.send(accept))
                    self.deflate = deflate and bool(extensions[0].enabled())
                    return

    async def receive(self) -> Any:
        """The client's next message as JSON; None once it closed."""
        parts: list[Any] = []
        while True:
            for event in self.protocol.events():
                if isinstance(event, Message):
                    parts.append(event.data)
                    if event.message_finished:
                        return json.loads(type(parts[0])().join(parts))
                elif isinstance(event, CloseConnection):
                    self._closed(event.code)
                    return None
            try:
                data = await self.stream.receive(65536)
            except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
                self._closed(None)
                return None
            self.protocol.receive_data(data)

    def _closed(self, code: int | None) -> None:
        self.record.closes.append(code)
        self.record.closed.set()

    async def setup(self) -> Any:
        message = await self.receive()
        self.record.setups += 1
        return message

    async def send(self, message: str | bytes | dict[str, Any]) -> None:
        """One whole message, in one frame (text unless bytes)."""
        if isinstance(message, dict):
            message = json.dumps(message)
        opcode = Opcode.BINARY if isinstance(message, bytes) else Opcode.TEXT
        data = message if isinstance(message, bytes) else message.encode()
        await self.raw(frame(opcode, data))

    async def close(self, code: int | None, reason: bytes = b"") -> None:
        payload = b"" if code is None else struct.pack("!H", code) + reason
        await self.raw(frame(Opcode.CLOSE, payload))

    async def raw(self, data: bytes) -> None:
        await self.stream.send(data)
        self.record.sent += len(data)

    async def wait_closed(self) -> None:
        """Read until the client closes (its close frame, or the end of the stream)."""
        while await self.receive() is not None:
            pass

    async def hang(self) -> None:
        await anyio.sleep_forever()


Script = Callable[[Peer], Awaitable[object]]


@asynccontextmanager
async def serve_hostile(script: Script) -> AsyncIterator[Hostile]:
    """Serve `script` to every connection on a loopback port until the block ends."""
    record = Hostile()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    record.base_url = f"http://127.0.0.1:{port}"

    async def handle(stream: anyio.abc.SocketStream) -> None:
        record.connections += 1
        done = anyio.Event()
        with anyio.CancelScope() as scope:
            record.handlers[scope] = done
            try:
                async with stream:
                    await script(Peer(stream, record))
            except* (anyio.BrokenResourceError, anyio.ClosedResourceError, anyio.EndOfStream):
                pass  # the client left, as a client may
            except* OSError:
                pass
            finally:
                del record.handlers[scope]
                done.set()

    async with listener, anyio.create_task_group() as tasks:
        tasks.start_soon(listener.serve, handle)
        try:
            yield record
        finally:
            tasks.cancel_scope.cancel()
