"""The ASGI shell: turn ASGI into a `Request`, ask the core, perform the `Outcome`.

All decisions are the core's (`Emulator.handle`); this module only reads bodies, sleeps, writes
events and, for injected resets, aborts the TCP connection through the server's `abort` hook.
Control endpoints live under `/_emulator/` (stats, reset, faults, clock) and `/token` is the
OAuth token endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import anyio
import attrs

from ._auth import oauth_token
from ._config import FaultConfig
from ._core import Emulator, Outcome
from ._faults import Fault
from ._http import ApiError, Request, Response, StreamResponse, dumps, json_response
from ._interactions_ws import INTERACTIONS_WS_PATH, InteractionsSocketServer
from ._live import LiveServer
from ._live_music import MUSIC_PATH, MusicServer
from ._requests import RecordedRequest
from ._script import Rule, Script

__all__ = ["EmulatorApp"]

Abort = Callable[[Any], bool]  # (ASGI client address) -> whether the connection was reset

_STREAM_ERROR = dumps(
    {
        "error": {
            "code": 503,
            "message": "The model is overloaded. Please try again later.",
            "status": "UNAVAILABLE",
        }
    }
)


class EmulatorApp:
    """A raw ASGI application around one `Emulator`."""

    def __init__(self, emu: Emulator, abort: Abort | None = None) -> None:
        self.emu = emu
        self.abort = abort
        self.live = LiveServer(emu)  # the Live API: websocket scopes and `/_emulator/live`
        self.music = MusicServer(emu)  # live music: its own websocket path
        self.interactions = InteractionsSocketServer(emu)  # live interactions: another

    async def __call__(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await _lifespan(receive, send)
            return
        if kind == "websocket":  # the Live API, live music and live interactions
            path = scope["path"]
            if MUSIC_PATH.fullmatch(path):
                await self.music.serve(scope, receive, send)
            elif INTERACTIONS_WS_PATH.fullmatch(path):
                await self.interactions.serve(scope, receive, send)
            else:
                await self.live.serve(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        req = Request(
            scope["method"],
            scope["path"],
            scope["query_string"],
            headers,
            body,
            _base_url(scope, headers),
        )
        if req.path.startswith("/_emulator/") or req.path == "/token":
            await _send(send, self._control(req))
            return
        stats = self.emu.stats
        stats.in_flight += 1
        try:
            outcome = self.emu.handle(req)
            await self._deliver(outcome, scope, receive, send)
        finally:
            stats.in_flight -= 1

    async def _deliver(self, outcome: Outcome, scope: Any, receive: Any, send: Any) -> None:
        fault = outcome.fault
        if fault.latency:
            await anyio.sleep(fault.latency)
        response = outcome.response
        if fault.kind == "reset":
            if self.abort is None or not self.abort(scope.get("client")):
                await _cut(send)
            return
        if fault.kind == "hang":
            while (await receive())["type"] != "http.disconnect":
                pass
            return
        if isinstance(response, StreamResponse):
            await self._stream(response, fault, scope, send)
            return
        assert response is not None
        if fault.kind == "malformed" and response.status == 200:
            response = Response(
                200, response.body[: max(1, len(response.body) // 2)], response.headers
            )
        await _send(send, response)

    async def _stream(self, response: StreamResponse, fault: Fault, scope: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": list(response.headers)}
        )
        if fault.ttfb:
            await anyio.sleep(fault.ttfb)
        events = response.events
        kind = fault.kind
        cut_at = -1
        if kind == "stream_cut":
            cut_at = max(1, len(events) // 2) if fault.cut_after is None else fault.cut_after
        for index, event in enumerate(events):
            if index == cut_at:
                break
            if index and fault.interval:
                await anyio.sleep(fault.interval)
            data = b"data: {" if kind == "malformed" else b"data: " + dumps(event)
            await send(
                {"type": "http.response.body", "body": data + b"\r\n\r\n", "more_body": True}
            )
            if kind == "stream_error":
                await send(
                    {"type": "http.response.body", "body": b"data: " + _STREAM_ERROR + b"\r\n\r\n"}
                )
                return
            if kind == "malformed":
                break
        if kind == "stream_cut":
            if self.abort is None or not self.abort(scope.get("client")):
                await _cut(send)
            return
        await send({"type": "http.response.body", "body": response.sentinel})

    # -- control endpoints -----------------------------------------------------------------

    def _control(self, req: Request) -> Response:
        emu = self.emu
        try:
            if req.path == "/token" and req.method == "POST":
                return oauth_token(emu, req.body, req.headers.get("content-type", ""))
            action = req.path.removeprefix("/_emulator/")
            if action == "stats" and req.method == "GET":
                return json_response(emu.stats.snapshot())
            if action == "quota" and req.method == "GET":
                return json_response(emu.quota.usage())
            if action == "reset" and req.method == "POST":
                emu.reset()
                return json_response({})
            if action == "faults":
                if req.method == "POST":
                    emu.set_faults(FaultConfig.coerce(req.json()))
                return json_response(_fault_dict(emu.faults.config))
            if action == "advance" and req.method == "POST":
                emu.clock.advance(float(req.json().get("seconds", 0)))
                emu.state.timers.run(emu.clock.now())
                return json_response({"now": emu.clock.now()})
            if action == "live":  # Live settings (`LiveSettings` fields) and counters
                if req.method == "POST":
                    return json_response(self.live.configure(req.json()))
                return json_response(self.live.snapshot())
            if action == "interactions_live" and req.method == "GET":  # counters and frames
                served = self.interactions
                return json_response({"counters": served.counters, "frames": list(served.frames)})
            if action == "config" and req.method == "GET":
                return json_response(emu.config.to_dict())
            if action == "script":  # scripted answers: add rules, read them with their use
                if req.method == "POST":
                    for rule in _rules(req.json()):
                        emu.script.add(rule)
                elif req.method == "DELETE":
                    emu.script = Script(emu.config.script)
                return json_response({"rules": emu.script.snapshot()})
            if action == "requests":  # the request log
                if req.method == "DELETE":
                    emu.requests.clear()
                return json_response({"requests": [_recorded(r) for r in emu.requests.log()]})
            if action == "quotas":
                if req.method == "POST":
                    emu.set_quotas(req.json())
                return json_response({k: attrs.asdict(v) for k, v in emu.config.quotas.items()})
        except (TypeError, ValueError) as error:
            return ApiError(400, f"Bad control request: {error}").response()
        except ApiError as error:
            return error.response()
        return ApiError(404, f"No control endpoint {req.method} {req.path}.").response()


def _fault_dict(config: FaultConfig) -> dict[str, Any]:
    plain: dict[str, Any] = json.loads(json.dumps(attrs.asdict(config)))
    return plain


def _rules(body: dict[str, Any]) -> list[Rule]:
    """`{"rules": [rule, ...]}` or one rule."""
    rules = body["rules"] if "rules" in body else [body]
    return [Rule.coerce(rule) for rule in rules]


def _recorded(r: RecordedRequest) -> dict[str, Any]:
    fields = attrs.asdict(r, filter=lambda a, _: a.name != "content")
    return {**fields, "size": len(r.content)}


def _base_url(scope: Mapping[str, Any], headers: dict[str, str]) -> str:
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def _send(send: Any, response: Response) -> None:
    headers = [*response.headers, (b"content-length", str(len(response.body)).encode())]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


async def _cut(send: Any) -> None:
    """Without a way to reset the socket: promise a body and close the connection mid-way."""
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1000")]}
    )
    await send({"type": "http.response.body", "body": b"{", "more_body": True})
    raise anyio.BrokenResourceError("emulator: injected connection cut")


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
