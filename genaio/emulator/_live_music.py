"""Live music (Lyria RealTime, `BidiGenerateMusic` over a websocket): deterministic audio.

A connection opens with `{"setup": {"model": "models/lyria-..."}}` (checked like the Live API's:
the key, then a model that serves `bidiGenerateMusic`; a refusal is a close with the real
API's code) and gets `setupComplete`. The client then steers the stream: weighted prompts
(`clientContent`), settings (`musicGenerationConfig`) and `playbackControl` (PLAY, PAUSE,
STOP, RESET_CONTEXT). While playing, the server sends one `audioChunks` message per
`CHUNK_SECONDS` of emulated time, each carrying the prompts and settings it was made from.

The audio is 16-bit stereo PCM that a test can check: the chunk is split between the prompts
in proportion to their weights, each part a square wave whose pitch comes from its prompt's
text, whose loudness is `density` (0.5 by default), and whose phase continues from the start
of the context (STOP and RESET_CONTEXT restart it). As in the API, new `bpm` and `scale`
values wait for the next context (`RESET_CONTEXT` or STOP) once music has played.

`MusicSession` decides everything without I/O (`chunk` is a pure function of its state);
`MusicServer.serve` is the ASGI shell.
"""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections import deque
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import attrs

from ._auth import check_request
from ._call import Call
from ._core import Emulator
from ._http import ApiError, Request, g
from ._live import Refused, _next_frame

__all__ = ["MUSIC_PATH", "MusicServer", "MusicSession", "chunk_audio"]

MUSIC_PATH = re.compile(
    r"/ws/google\.ai\.generativelanguage\.(?P<version>v1|v1beta|v1alpha)\.GenerativeService\."
    r"BidiGenerateMusic"
)
SAMPLE_RATE = 48_000
CHUNK_SECONDS = 0.25  # emulated seconds of audio per chunk, and between chunks
MIME_TYPE = f"audio/l16;rate={SAMPLE_RATE};channels=2"
_FRAMES = int(SAMPLE_RATE * CHUNK_SECONDS)
_POLICY, _INVALID = 1008, 1007
_CONTROLS = frozenset({"PLAY", "PAUSE", "STOP", "RESET_CONTEXT"})
_NEXT_CONTEXT = frozenset({"bpm", "scale"})  # settings that wait for a new context


def chunk_audio(
    prompts: Sequence[Mapping[str, Any]], config: Mapping[str, Any], index: int
) -> bytes:
    """The `index`-th chunk of a context's audio (see the module's docstring)."""
    weights = [max(float(g(p, "weight", 1.0) or 0.0), 0.0) for p in prompts]
    total = sum(weights)
    amplitude = int(32767 * min(max(float(g(config, "density", 0.5)), 0.0), 1.0))
    if not total or not amplitude:
        return bytes(_FRAMES * 4)
    parts, start = [], index * _FRAMES
    used = 0
    for n, (prompt, weight) in enumerate(zip(prompts, weights, strict=True)):
        frames = _FRAMES - used if n == len(prompts) - 1 else round(_FRAMES * weight / total)
        parts.append(_square(str(g(prompt, "text", "")), amplitude, start + used, frames))
        used += frames
    return b"".join(parts)


def _square(text: str, amplitude: int, offset: int, frames: int) -> bytes:
    """`frames` stereo frames of a square wave pitched by `text`, from frame `offset`."""
    hertz = 110 * 2 ** ((zlib.crc32(text.encode()) % 36) / 12)  # three octaves from A2
    period = max(2, round(SAMPLE_RATE / hertz))
    high = amplitude.to_bytes(2, "little", signed=True) * 2
    low = (-amplitude).to_bytes(2, "little", signed=True) * 2
    wave = high * (period // 2) + low * (period - period // 2)
    skip = (offset % period) * 4
    return (wave * ((frames * 4 + skip) // len(wave) + 1))[skip : skip + frames * 4]


@attrs.define
class MusicSession:
    """One session's prompts, settings and playback, without I/O."""

    model: str
    prompts: list[dict[str, Any]] = attrs.field(factory=list)
    config: dict[str, Any] = attrs.field(factory=dict)  # the settings in effect
    pending: dict[str, Any] = attrs.field(factory=dict)  # bpm/scale for the next context
    playing: bool = False
    position: int = 0  # chunks made in the current context

    def handle(self, frame: Mapping[str, Any]) -> None:
        """Apply one client frame.

        Raises:
            Refused: not a message of the protocol (closed with 1007, as the API does).
        """
        content = g(frame, "clientContent")
        config = g(frame, "musicGenerationConfig")
        control = g(frame, "playbackControl")
        if isinstance(content, Mapping):
            prompts = g(content, "weightedPrompts", [])
            if not isinstance(prompts, list) or not all(
                isinstance(p, Mapping) and isinstance(g(p, "text"), str) for p in prompts
            ):
                raise Refused(_INVALID, "Invalid value: each weighted prompt needs a text.")
            self.prompts = [dict(p) for p in prompts]
        elif isinstance(config, Mapping):
            later = {k: v for k, v in config.items() if k in _NEXT_CONTEXT}
            self.config = {k: v for k, v in config.items() if k not in _NEXT_CONTEXT} | (
                {k: v for k, v in self.config.items() if k in _NEXT_CONTEXT}
            )
            self.pending = later
            if not self.position:  # nothing played in this context yet: all apply now
                self._new_context()
        elif control in _CONTROLS:
            if control in ("STOP", "RESET_CONTEXT"):
                self._new_context()
            if control != "RESET_CONTEXT":
                self.playing = control == "PLAY"
        else:
            raise Refused(
                _INVALID, f"Invalid JSON payload received. Unknown message: {list(frame)}"
            )

    def _new_context(self) -> None:
        self.position = 0
        self.config = {k: v for k, v in self.config.items() if k not in _NEXT_CONTEXT}
        self.config |= self.pending

    def chunk(self) -> dict[str, Any]:
        """The next audio message of the stream."""
        data = chunk_audio(self.prompts, self.config, self.position)
        self.position += 1
        chunk = {
            "data": base64.b64encode(data).decode(),
            "mimeType": MIME_TYPE,
            "sourceMetadata": {
                "clientContent": {"weightedPrompts": self.prompts},
                "musicGenerationConfig": self.config,
            },
        }
        return {"serverContent": {"audioChunks": [chunk]}}


class MusicServer:
    """The emulator's live music endpoint; `counters` for the tests."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.counters = dict.fromkeys(("sessions", "refused", "chunks", "open"), 0)
        #: The last client frames received (setup included), for wire tests.
        self.frames: deque[Any] = deque(maxlen=256)

    async def serve(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        """Serve one websocket connection until either side closes it."""
        if (await receive())["type"] != "websocket.connect":
            return
        route = MUSIC_PATH.fullmatch(scope["path"])
        assert route is not None  # the app routes only this path here
        await send({"type": "websocket.accept"})
        lock = anyio.Lock()

        async def emit(message: dict[str, Any]) -> None:
            async with lock:
                await send({"type": "websocket.send", "text": json.dumps(message)})

        async def close(code: int, reason: str) -> None:
            async with lock:
                await send({"type": "websocket.close", "code": code, "reason": reason})

        try:
            first = await _next_frame(receive)
            if first is None:
                return
            self.frames.append(first)
            session = self._open(scope, route, first)
        except Refused as refused:
            self.counters["refused"] += 1
            await close(refused.code, refused.reason)
            return
        self.counters["sessions"] += 1
        self.counters["open"] += 1
        await emit({"setupComplete": {}})
        try:
            await self._steer(session, receive, emit, close)
        finally:
            self.counters["open"] -= 1

    async def _steer(self, session: MusicSession, receive: Any, emit: Any, close: Any) -> None:
        playing = anyio.Event()

        async def player() -> None:
            while True:
                await playing.wait()
                await emit(session.chunk())
                self.counters["chunks"] += 1
                await anyio.sleep(self.emu.clock.to_real(CHUNK_SECONDS))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(player)
            while True:
                try:
                    frame = await _next_frame(receive)
                    if frame is None:
                        break
                    self.frames.append(frame)
                    session.handle(frame)
                except Refused as refused:
                    await close(refused.code, refused.reason)
                    break
                if session.playing:
                    playing.set()
                elif playing.is_set():
                    playing = anyio.Event()
            tasks.cancel_scope.cancel()

    def _open(self, scope: Mapping[str, Any], route: re.Match[str], frame: Any) -> MusicSession:
        """Check the credentials and the setup."""
        setup = g(frame, "setup")
        if not isinstance(setup, Mapping):
            raise Refused(
                _INVALID, "Invalid JSON payload received. The first message must be setup."
            )
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request = Request("GET", scope["path"], b"", headers, b"", "")
        try:
            check_request("key", Call(self.emu, request, {}, route["version"], "gemini", ""))
        except ApiError as error:
            raise Refused(_INVALID if error.code == 400 else _POLICY, error.message) from None
        model = str(g(setup, "model", "")).removeprefix("models/")
        info = self.emu.model_info(model)
        if info is None or "bidiGenerateMusic" not in info.supported_methods:
            raise Refused(
                _POLICY,
                f"models/{model} is not found for API version {route['version']}, or is not "
                "supported for bidiGenerateMusic.",
            )
        return MusicSession(model)
