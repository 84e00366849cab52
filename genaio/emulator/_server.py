"""Run the emulator: `open_emulator` in the current event loop, `EmulatorThread` on its own.

The server is hypercorn's: on trio each accepted connection is served by hypercorn's
`TCPServer`; the listening socket is bound here first (so port 0 is known at once) and each
connection's stream is remembered by peer address so that an injected fault can reset it.
Under asyncio, hypercorn's asyncio worker serves (resets then degrade to a cut body).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import socket
import struct
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import attrs
import sniffio
import trio
from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config as HypercornConfig
from hypercorn.config import Sockets
from hypercorn.trio.tcp_server import TCPServer
from hypercorn.trio.worker_context import WorkerContext
from hypercorn.typing import ConnectionState
from hypercorn.utils import wrap_app

from ._app import EmulatorApp
from ._config import EmulatorConfig, FaultConfig, QuotaLimits
from ._core import Emulator
from ._requests import RequestLog
from ._script import ScriptControl

__all__ = ["EmulatorHandle", "EmulatorThread", "open_emulator", "run_emulator_in_thread"]

T = TypeVar("T")
_STARTUP_TIMEOUT = 30.0


class EmulatorHandle:
    """A running emulator: where it listens, its config, and runtime control.

    Methods run on the server's event loop; `EmulatorThread` hops there from other threads.
    """

    def __init__(self, emu: Emulator, base_url: str) -> None:
        self.emu = emu
        self.base_url = base_url
        self.config = emu.config
        self.script = ScriptControl(self._call, lambda: self.emu.script)

    def _call(self, fn: Callable[[], T]) -> T:
        return fn()

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])

    def stats(self) -> dict[str, Any]:
        """Requests, statuses, 429s, tokens and faults: totals, by endpoint and by model."""
        return self._call(self.emu.stats.snapshot)

    @property
    def requests(self) -> RequestLog:
        """Every API request answered since the last reset (the newest `request_log_size`),
        with `.last`, `.call_count` and `.filter(method=, model=, path=, status=)`."""
        return self._call(self.emu.requests.log)

    def quota_usage(self) -> dict[str, Any]:
        return self._call(self.emu.quota.usage)

    def set_quotas(self, quotas: Mapping[str, QuotaLimits | Mapping[str, Any]] | None) -> None:
        """Replace the quota limits (`{"*": {"rpm": 5}}`, see `EmulatorConfig.quotas`) on this
        server, with fresh windows; None: no limits."""
        self._call(lambda: self.emu.set_quotas(quotas or {}))

    def reset(self) -> None:
        """Forget every resource, counter, quota window, logged request and rule added at
        runtime (the config, its rules, faults and quotas stay)."""
        self._call(self.emu.reset)

    def set_faults(
        self, faults: FaultConfig | dict[str, Any] | None = None, **changes: Any
    ) -> None:
        """Replace the fault config (a `FaultConfig`, a dict, or keyword fields); none: off."""
        config = FaultConfig.coerce(faults or {})
        if changes:
            config = attrs.evolve(config, **changes)
        self._call(lambda: self.emu.set_faults(config))

    def advance(self, seconds: float) -> None:
        """Move the emulated clock forward and fire what became due (operations, batches...)."""

        def step() -> None:
            self.emu.clock.advance(seconds)
            self.emu.state.timers.run(self.emu.clock.now())

        self._call(step)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_url}>"


def _listen(config: EmulatorConfig) -> socket.socket:
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config.host, config.port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def _hypercorn_config() -> HypercornConfig:
    hconfig = HypercornConfig()
    hconfig.errorlog = logging.getLogger("genaio.emulator.hypercorn")
    hconfig.accesslog = None
    hconfig.include_server_header = False
    hconfig.keep_alive_timeout = 75.0
    hconfig.graceful_timeout = 0.5
    hconfig.h11_max_incomplete_size = 64 * 1024
    hconfig.keep_alive_max_requests = 1 << 62  # benchmarks keep connections for long
    return hconfig


def _url(config: EmulatorConfig, sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}"


async def serve_trio(
    emu: Emulator, sock: socket.socket, *, task_status: Any = trio.TASK_STATUS_IGNORED
) -> None:
    """Serve on `sock` with hypercorn's trio `TCPServer` until cancelled."""
    hconfig = _hypercorn_config()
    streams: dict[tuple[str, int], trio.SocketStream] = {}

    def abort(client: Any) -> bool:
        stream = streams.get(tuple(client[:2])) if client else None
        if stream is None:
            return False
        raw = stream.socket
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        raw.close()
        return True

    app = wrap_app(EmulatorApp(emu, abort), hconfig.wsgi_max_body_size, "asgi")
    context = WorkerContext(None)

    async def connection(stream: trio.SocketStream) -> None:
        try:
            peer = stream.socket.getpeername()[:2]
        except OSError:
            return
        streams[peer] = stream
        try:
            # hypercorn annotates `stream` as an SSLStream, but serves a plain SocketStream too
            # (its own trio runner passes the listener's, as here).
            await TCPServer(app, hconfig, context, ConnectionState({}), stream)  # type: ignore[arg-type]
        finally:
            streams.pop(peer, None)

    listener = trio.SocketListener(trio.socket.from_stdlib_socket(sock))
    async with trio.open_nursery() as nursery:
        task_status.started()
        await trio.serve_listeners(connection, [listener], handler_nursery=nursery)


@asynccontextmanager
async def open_emulator(config: EmulatorConfig | None = None) -> AsyncIterator[EmulatorHandle]:
    """Run an emulator in the current event loop (trio, or asyncio) for the `async with` body.

    Yields once the port listens. On exit the server stops at once: open connections are
    closed, in-flight requests cancelled.
    """
    config = config or EmulatorConfig()
    emu = Emulator(config)
    sock = _listen(config)
    handle = EmulatorHandle(emu, _url(config, sock))
    if sniffio.current_async_library() == "trio":
        async with trio.open_nursery() as nursery:
            await nursery.start(serve_trio, emu, sock)
            try:
                yield handle
            finally:
                nursery.cancel_scope.cancel()
    else:
        async with _serve_asyncio(emu, sock):
            yield handle


@asynccontextmanager
async def _serve_asyncio(emu: Emulator, sock: socket.socket) -> AsyncIterator[None]:
    hconfig = _hypercorn_config()
    stop = asyncio.Event()
    app = wrap_app(EmulatorApp(emu), hconfig.wsgi_max_body_size, "asgi")
    sockets = Sockets(secure_sockets=[], insecure_sockets=[sock], quic_sockets=[])
    task = asyncio.ensure_future(
        worker_serve(app, hconfig, sockets=sockets, shutdown_trigger=stop.wait)
    )
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()


class EmulatorThread(EmulatorHandle):
    """A sync context manager running the emulator on its own trio loop in a daemon thread.

    `__enter__` returns once the port listens; `__exit__` stops the server and joins the
    thread. Handle methods (`stats()`, `reset()`, ...) are safe to call from any thread.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._config = config or EmulatorConfig()
        self._thread: threading.Thread | None = None
        self._token: trio.lowlevel.TrioToken | None = None
        self._stop: trio.CancelScope | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __enter__(self) -> EmulatorThread:
        emu = Emulator(self._config)
        sock = _listen(self._config)
        EmulatorHandle.__init__(self, emu, _url(self._config, sock))
        self._thread = threading.Thread(
            target=self._run, args=(emu, sock), daemon=True, name=f"genaio-emulator-{self.port}"
        )
        self._thread.start()
        if not self._ready.wait(_STARTUP_TIMEOUT):
            raise RuntimeError("the emulator thread did not start")
        if self._error is not None:
            raise RuntimeError("the emulator thread failed to start") from self._error
        return self

    def _run(self, emu: Emulator, sock: socket.socket) -> None:
        async def main() -> None:
            self._token = trio.lowlevel.current_trio_token()
            with trio.CancelScope() as scope:
                self._stop = scope
                async with trio.open_nursery() as nursery:
                    await nursery.start(serve_trio, emu, sock)
                    self._ready.set()

        try:
            trio.run(main)
        except BaseException as error:  # reported to __enter__ or lost at exit
            self._error = error
        finally:
            self._ready.set()
            sock.close()

    def _call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the server's loop and return its result, from any thread: also one that
        runs a trio loop of its own, which `trio.from_thread` refuses to block."""
        if self._token is None or threading.current_thread() is self._thread:
            return fn()
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def run() -> None:
            try:
                future.set_result(fn())
            except BaseException as error:
                future.set_exception(error)

        self._token.run_sync_soon(run)
        return future.result()

    def close(self) -> None:
        """Stop the server and join its thread (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        if self._token is not None and self._stop is not None:
            try:
                self._token.run_sync_soon(self._stop.cancel)
            except trio.RunFinishedError:
                pass
        thread.join(timeout=10)

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def run_emulator_in_thread(config: EmulatorConfig | None = None) -> EmulatorThread:
    """`with run_emulator_in_thread(config) as emulator:` (same as `EmulatorThread(config)`)."""
    return EmulatorThread(config)
