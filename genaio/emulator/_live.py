"""The Live API (`BidiGenerateContent` over a websocket, wire spec §10): scripted and stateful.

A connection opens with a `setup` frame and gets `setupComplete`; a refused setup (bad key,
unknown model, spent token, unknown resumption handle) is a close with the real API's code and
reason, which the official SDK raises as `APIError(code)`. Then each complete user turn (client
content with `turnComplete`, realtime text, audio or video ended by `audioStreamEnd` or
`activityEnd`, a tool response) gets a deterministic answer: the REST emulator's text, in
chunks, or PCM audio when `responseModalities` is AUDIO; a `toolCall` when functions are
declared. `usageMetadata` joins the `turnComplete` frame; with `sessionResumption` in the
setup, a `sessionResumptionUpdate` follows each turn, and its handle continues the same
conversation on a new connection. `LiveSettings` (set through `POST /_emulator/live`) sends
`goAway` after a number of turns or seconds and closes the connection when its time is up.

`LiveConversation` decides everything without I/O; `LiveServer.serve` is the ASGI shell.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import json
import re
from collections.abc import Mapping
from typing import Any

import anyio
import attrs

from ._auth import check_ephemeral_token, check_request
from ._call import Call
from ._clock import duration
from ._core import Emulator
from ._generate import function_call, reply_text
from ._http import ApiError, Request, g
from ._tokenizer import contents_tokens, text_tokens

__all__ = ["LiveConversation", "LiveServer", "LiveSettings"]

_GEMINI_PATH = re.compile(
    r"/ws/google\.ai\.generativelanguage\.(?P<version>v1|v1beta|v1alpha)\.GenerativeService\."
    r"(?P<method>BidiGenerateContent|BidiGenerateContentConstrained)"
)
_VERTEX_PATH = re.compile(
    r"/ws/google\.cloud\.aiplatform\.(?P<version>v1|v1beta1)\.LlmBidiService/BidiGenerateContent"
)
_POLICY, _INVALID, _ABORTED = 1008, 1007, 1001
_MAX_REASON = 123  # bytes: a close frame's limit (the real API cuts its reasons there too)
_AUDIO_RATE = 24_000


@attrs.define
class LiveSettings:
    """When the server sends `goAway` (0: never), and how long it then waits before closing.

    Seconds are emulated seconds (see `EmulatorConfig.time_scale`).
    """

    go_away_after_turns: int = 0  # complete turns on one connection
    go_away_after_seconds: float = 0.0  # life of one connection
    go_away_time_left: float = 10.0

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


class Refused(Exception):
    """A setup the server closes the connection on."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason.encode()[:_MAX_REASON].decode("utf-8", "ignore")


@attrs.define
class LiveConversation:
    """One session: its setup and history. It outlives a connection through its handles."""

    model: str
    setup: dict[str, Any]
    history: list[dict[str, Any]] = attrs.field(factory=list)
    turns: int = 0
    audio_bytes: int = 0
    video_frames: int = 0
    consumed: int = 0  # client messages consumed on the current connection
    calls: itertools.count[int] = attrs.field(factory=itertools.count)

    def handle(self, frame: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        """The messages answering one client frame, and whether they complete a turn."""
        self.consumed += 1
        content = g(frame, "clientContent")
        if content is not None:
            # JSON objects: dicts, which is what the history holds.
            self.history += [t for t in g(content, "turns", ()) if isinstance(t, dict)]
            return (self._answer(), True) if g(content, "turnComplete") else ([], False)
        realtime = g(frame, "realtimeInput")
        if realtime is not None:
            return self._realtime(realtime)
        response = g(frame, "toolResponse")
        if response is not None:
            parts = [{"functionResponse": r} for r in g(response, "functionResponses", ())]
            self.history.append({"role": "user", "parts": parts})
            return self._answer(), True
        update = g(frame, "contextUpdate")
        if update is not None:  # applies to what follows, in order with the other input
            if g(update, "systemInstruction") is not None:
                self.setup["systemInstruction"] = g(update, "systemInstruction")
            if g(update, "tools") is not None:
                self.setup["tools"] = g(g(update, "tools"), "tools", [])
            return [], False
        raise Refused(_INVALID, f"Invalid JSON payload received. Unknown message: {list(frame)}")

    def _realtime(self, realtime: Mapping[str, Any]) -> tuple[list[dict[str, Any]], bool]:
        text = g(realtime, "text")
        if text:
            self.history.append({"role": "user", "parts": [{"text": text}]})
            return self._answer(), True
        blobs = [g(realtime, "audio"), g(realtime, "video"), *g(realtime, "mediaChunks", ())]
        for blob in blobs:
            if isinstance(blob, Mapping):
                if str(g(blob, "mimeType", "")).startswith("audio/"):
                    self.audio_bytes += len(_b64(g(blob, "data", "")))
                else:
                    self.video_frames += 1
        if g(realtime, "activityStart") is not None:
            self.audio_bytes = self.video_frames = 0
        ended = g(realtime, "audioStreamEnd") or g(realtime, "activityEnd") is not None
        if not ended or not (self.audio_bytes or self.video_frames):
            return [], False
        heard = f"You sent {self.audio_bytes} bytes of audio and {self.video_frames} video frames."
        self.audio_bytes = self.video_frames = 0
        messages: list[dict[str, Any]] = []
        if g(self.setup, "inputAudioTranscription") is not None:
            transcript = {"text": heard.removeprefix("You sent "), "finished": True}
            messages.append({"serverContent": {"inputTranscription": transcript}})
        self.history.append({"role": "user", "parts": [{"text": heard}]})
        return messages + self._answer(reply=heard), True

    def _answer(self, reply: str | None = None) -> list[dict[str, Any]]:
        prompt = contents_tokens(self.history) + _setup_tokens(self.setup)
        call = function_call(self.history, g(self.setup, "tools"), None)
        if call is not None:
            call["id"] = f"function-call-{next(self.calls)}"
            self.history.append({"role": "model", "parts": [{"functionCall": call}]})
            return [{"toolCall": {"functionCalls": [call]}}]
        text = reply or reply_text(self.history)
        self.history.append({"role": "model", "parts": [{"text": text}]})
        self.turns += 1
        config = g(self.setup, "generationConfig", {})
        modalities = [str(m).upper() for m in g(config, "responseModalities", ())]
        if "AUDIO" in modalities:
            audio = _pcm(text)
            messages = [_model_parts([{"inlineData": {"mimeType": _PCM, "data": audio}}])]
            if g(self.setup, "outputAudioTranscription") is not None:
                transcript = {"text": text, "finished": True}
                messages.append({"serverContent": {"outputTranscription": transcript}})
        else:
            messages = [_model_parts([{"text": chunk}]) for chunk in _chunks(text)]
        output = text_tokens(text)
        usage = {
            "promptTokenCount": prompt,
            "responseTokenCount": output,
            "totalTokenCount": prompt + output,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": prompt}],
        }
        return [
            *messages,
            {"serverContent": {"generationComplete": True}},
            {"serverContent": {"turnComplete": True}, "usageMetadata": usage},
        ]


_PCM = f"audio/pcm;rate={_AUDIO_RATE}"


def _model_parts(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"serverContent": {"modelTurn": {"parts": parts}}}


def _chunks(text: str, words: int = 4) -> list[str]:
    pieces = re.findall(r"\S+\s*", text) or [text]
    return ["".join(pieces[i : i + words]) for i in range(0, len(pieces), words)]


def _pcm(text: str) -> str:
    """Deterministic 16-bit PCM: two samples per character of the answer."""
    samples = b"".join(ord(c).to_bytes(2, "little", signed=False) * 2 for c in text)
    return base64.urlsafe_b64encode(samples).decode()


def _b64(data: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        raise Refused(_INVALID, "Invalid value: realtime blob data is not base64.") from None


def _setup_tokens(setup: Mapping[str, Any]) -> int:
    system = g(setup, "systemInstruction")
    tools = g(setup, "tools")
    return (contents_tokens([system]) if system else 0) + (
        text_tokens(json.dumps(tools)) if tools else 0
    )


class LiveServer:
    """The emulator's Live endpoint: conversations, their handles and the go-away policy."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self._state: object = None
        self._reset_if_needed()

    def _reset_if_needed(self) -> None:
        """Settings, handles and counters go with the emulator's state (`reset()` clears it)."""
        if self._state is not self.emu.state:
            self._state = self.emu.state
            self.settings = LiveSettings()
            self.handles: dict[str, LiveConversation] = {}
            self.counters = dict.fromkeys(
                ("connections", "sessions", "resumed", "turns", "go_aways", "refused", "open"), 0
            )

    def snapshot(self) -> dict[str, Any]:
        self._reset_if_needed()
        return {"settings": self.settings.to_dict(), **self.counters}

    def configure(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        self._reset_if_needed()
        self.settings = attrs.evolve(self.settings, **dict(changes))
        return self.snapshot()

    async def serve(self, scope: Mapping[str, Any], receive: Any, send: Any) -> None:
        """Serve one websocket connection until either side closes it."""
        self._reset_if_needed()
        if (await receive())["type"] != "websocket.connect":
            return
        path = scope["path"]
        route = _GEMINI_PATH.fullmatch(path) or _VERTEX_PATH.fullmatch(path)
        if route is None:
            await send({"type": "websocket.close", "code": _POLICY})  # refused: 403
            return
        await send({"type": "websocket.accept"})
        self.counters["connections"] += 1
        lock = anyio.Lock()

        async def emit(messages: list[dict[str, Any]]) -> None:
            async with lock:
                for message in messages:
                    await send({"type": "websocket.send", "text": json.dumps(message)})

        async def close(code: int, reason: str) -> None:
            async with lock:
                await send({"type": "websocket.close", "code": code, "reason": reason})

        try:
            first = await _next_frame(receive)
            if first is None:
                return
            conversation = self._open(scope, route, first)
        except Refused as refused:
            self.counters["refused"] += 1
            await close(refused.code, refused.reason)
            return
        await emit([{"setupComplete": {}}])
        self.counters["open"] += 1
        try:
            await self._converse(conversation, receive, emit, close)
        finally:
            self.counters["open"] -= 1

    async def _converse(
        self, conversation: LiveConversation, receive: Any, emit: Any, close: Any
    ) -> None:
        settings, clock = self.settings, self.emu.clock
        turns_here = 0
        async with anyio.create_task_group() as tasks:

            async def go_away(after: float) -> None:
                await anyio.sleep(clock.to_real(after))
                self.counters["go_aways"] += 1
                await emit([{"goAway": {"timeLeft": duration(settings.go_away_time_left)}}])
                await anyio.sleep(clock.to_real(settings.go_away_time_left))
                await close(_ABORTED, "The session reached its time limit.")
                tasks.cancel_scope.cancel()

            if settings.go_away_after_seconds:
                tasks.start_soon(go_away, settings.go_away_after_seconds)
            while True:
                try:
                    frame = await _next_frame(receive)
                    if frame is None:
                        break
                    messages, complete = conversation.handle(frame)
                except Refused as refused:
                    await close(refused.code, refused.reason)
                    break
                if complete and messages and "toolCall" not in messages[-1]:
                    turns_here += 1
                    self.counters["turns"] += 1
                    messages += self._resumption_update(conversation)
                await emit(messages)
                if settings.go_away_after_turns and turns_here == settings.go_away_after_turns:
                    tasks.start_soon(go_away, 0.0)
            tasks.cancel_scope.cancel()

    def _resumption_update(self, conversation: LiveConversation) -> list[dict[str, Any]]:
        resumption = g(conversation.setup, "sessionResumption")
        if resumption is None:
            return []
        handle = f"live-{self.emu.state.new_id(16)}"
        self.handles[handle] = attrs.evolve(conversation, history=list(conversation.history))
        update: dict[str, Any] = {"newHandle": handle, "resumable": True}
        if g(resumption, "transparent"):
            update["lastConsumedClientMessageIndex"] = conversation.consumed
        return [{"sessionResumptionUpdate": update}]

    def _open(self, scope: Mapping[str, Any], route: re.Match[str], frame: Any) -> LiveConversation:
        """Check the credentials and the setup; the conversation to continue or to start."""
        setup = g(frame, "setup")
        if not isinstance(setup, Mapping):
            raise Refused(
                _INVALID, "Invalid JSON payload received. The first message must be setup."
            )
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        vertex = route.re is _VERTEX_PATH
        if route.groupdict().get("method") == "BidiGenerateContentConstrained":
            setup = self._constrained(headers, setup)
        else:
            request = Request("GET", scope["path"], b"", headers, b"", "")
            call = Call(
                self.emu, request, {}, route["version"], "vertex" if vertex else "gemini", ""
            )
            try:
                check_request("key", call)
            except ApiError as error:
                code = _INVALID if error.code == 400 else _POLICY
                raise Refused(code, error.message) from None
        model = str(g(setup, "model", "")).rsplit("/models/", 1)[-1].removeprefix("models/")
        info = self.emu.model_info(model)
        if info is None or "generateContent" not in info.supported_methods:
            raise Refused(
                _POLICY,
                f"models/{model} is not found for API version {route['version']}, or is not "
                "supported for bidiGenerateContent. Call ListModels to see the list of "
                "available models and their supported methods.",
            )
        handle = g(g(setup, "sessionResumption", {}), "handle")
        if handle:
            previous = self.handles.get(handle)
            if previous is None:
                raise Refused(_POLICY, "BidiGenerateContent session not found")
            self.counters["resumed"] += 1
            return attrs.evolve(
                previous, setup=dict(setup), history=list(previous.history), consumed=0
            )
        self.counters["sessions"] += 1
        return LiveConversation(model, dict(setup))

    def _constrained(self, headers: Mapping[str, str], setup: Mapping[str, Any]) -> dict[str, Any]:
        """An ephemeral token's session: the token's own setup fields win over the client's."""
        token = headers.get("authorization", "").removeprefix("Token ").strip()
        token = token or headers.get("x-goog-api-key", "").strip()
        if not token.startswith("auth_tokens/"):
            raise Refused(_POLICY, "BidiGenerateContentConstrained requires an ephemeral token.")
        try:
            record = check_ephemeral_token(self.emu, token)
        except ApiError as error:
            raise Refused(_POLICY, error.message) from None
        merged = dict(setup)
        for key, value in (record.get("bidiGenerateContentSetup") or {}).items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
        return merged


async def _next_frame(receive: Any) -> Any:
    """The next client frame as JSON (text or binary); None once the client has gone."""
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return None
        raw = message.get("text") if message.get("text") is not None else message.get("bytes")
        if raw is None:
            continue
        try:
            return json.loads(raw)
        except ValueError:
            raise Refused(_INVALID, "Invalid JSON payload received.") from None
